// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_GZIP_PEERS_HPP
#define BYTESIO_TEST_SUPPORT_GZIP_PEERS_HPP

// What the gzip tests compare bytesio's gzip with, written once: CSV-like
// data, zlib writing members with any header, and the gzip tool.

#include "test_support.hpp"

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace bytesio::test {

/** CSV-like text (about 3:1 for gzip), the same for the same seed. */
inline std::string csv_text(std::size_t size, unsigned seed = 42) {
  std::string s;
  s.reserve(size + 128);
  std::mt19937 rng(seed);
  static const char *const cities[] = {"Berlin", "Lisbon", "Osaka", "Lima", "Quito", "Oslo"};
  for (std::uint64_t row = 0; s.size() < size; ++row) {
    s += std::to_string(row);
    s += ',';
    s += cities[rng() % 6];
    s += ',';
    s += std::to_string(rng() % 100000);
    s += '.';
    s += std::to_string(rng() % 100);
    s += ",2024-0";
    s += std::to_string(1 + rng() % 9);
    s += "-1";
    s += std::to_string(rng() % 10);
    s += '\n';
  }
  s.resize(size);
  return s;
}

/** The optional gzip header fields zlib can write (RFC 1952). */
struct zlib_header {
  bool text = false;
  std::string extra; // FEXTRA when not empty
  std::string name;  // FNAME when not empty
  std::string comment;
  bool hcrc = false;
};

/** One gzip member written by zlib at `level`, with the header fields of `h` if given. */
inline std::string zlib_gzip(const std::string &data, int level, const zlib_header *h = nullptr) {
  z_stream z{};
  BOOST_REQUIRE(deflateInit2(&z, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  gz_header gh{};
  std::string extra, name, comment;
  if (h != nullptr) {
    extra = h->extra;
    name = h->name;
    comment = h->comment;
    gh.text = h->text ? 1 : 0;
    gh.time = 1700000000;
    gh.os = 3;
    if (!extra.empty()) {
      gh.extra = reinterpret_cast<Bytef *>(extra.data());
      gh.extra_len = static_cast<uInt>(extra.size());
    }
    if (!name.empty())
      gh.name = reinterpret_cast<Bytef *>(name.data());
    if (!comment.empty())
      gh.comment = reinterpret_cast<Bytef *>(comment.data());
    gh.hcrc = h->hcrc ? 1 : 0;
    BOOST_REQUIRE(deflateSetHeader(&z, &gh) == Z_OK);
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  BOOST_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/**
 * `count` gzip members of CSV-like text (1 KB to 200 KB, zlib levels 1-9)
 * whose deflate data has 1 to 3 bits flipped, the same for the same seed:
 * what "every byte handed on before the error is right" is checked on. (On
 * about one in six such inputs, ISA-L's call that reports the damage, given
 * room, writes bytes decoded from past it.)
 */
inline std::vector<std::string> damaged_gzips(int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    const std::size_t size = 1000 + rng() % 200000;
    const auto seed_of_text = static_cast<unsigned>(rng());
    std::string gz = zlib_gzip(csv_text(size, seed_of_text), 1 + static_cast<int>(rng() % 9));
    const std::size_t header = 10, trailer = 8; // zlib's header has no optional fields
    for (auto k = 1 + rng() % 3; k != 0; --k) {
      const std::size_t at = header + rng() % (gz.size() - header - trailer);
      gz[at] = static_cast<char>(gz[at] ^ (1 << rng() % 8));
    }
    out.push_back(std::move(gz));
  }
  return out;
}

// `gzip <options> -c file > out`: FNAME is set to the file name unless -n.
inline std::string gzip_tool(const std::string &data, const std::string &options) {
  temp_dir dir;
  write_file(dir / "data.csv", data);
  BOOST_REQUIRE(std::system(("gzip " + options + " -c '" + (dir / "data.csv").string() + "' > '" +
                             (dir / "out.gz").string() + "'")
                                .c_str()) == 0);
  return read_file(dir / "out.gz");
}

// `gzip -d`; returns false if the tool rejects the input.
inline bool gunzip_tool(const std::string &gz, std::string &data) {
  temp_dir dir;
  write_file(dir / "in.gz", gz);
  const int rc = std::system(("gzip -d -c '" + (dir / "in.gz").string() + "' > '" +
                              (dir / "out").string() + "' 2>/dev/null")
                                 .c_str());
  data = read_file(dir / "out");
  return rc == 0;
}

/** `bgzip <options> -c` of `text`, and the .gzi that `bgzip -r` writes for it. */
struct bgzipped {
  std::string gz, gzi;
};

inline bgzipped bgzip_tool(const std::string &text, const std::string &options = "") {
  temp_dir dir("bytesio-bgzf");
  write_file(dir / "data.csv", text);
  BOOST_REQUIRE(std::system(("bgzip " + options + " -c '" + (dir / "data.csv").string() + "' > '" +
                             (dir / "data.csv.gz").string() + "'")
                                .c_str()) == 0);
  BOOST_REQUIRE(std::system(("bgzip -r '" + (dir / "data.csv.gz").string() + "'").c_str()) == 0);
  return {read_file(dir / "data.csv.gz"), read_file(dir / "data.csv.gz.gzi")};
}

/** `bgzip -d`; false if the tool rejects the input. */
inline bool bgunzip_tool(const std::string &gz, std::string &data) {
  temp_dir dir("bytesio-bgzf");
  write_file(dir / "in.gz", gz);
  const int rc = std::system(("bgzip -d -c '" + (dir / "in.gz").string() + "' > '" +
                              (dir / "out").string() + "' 2>/dev/null")
                                 .c_str());
  data = read_file(dir / "out");
  return rc == 0;
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_GZIP_PEERS_HPP
