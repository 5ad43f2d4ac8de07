// SPDX-License-Identifier: BSL-1.0
// bgzf_compressor, and the index the compressors make as they write
// (bgzf_compressor::index, igzip_compressor::index with threads).
//
// The references are the real tools: `bgzip -d`, `bgzip -b/-s` (htslib's
// random access through a .gzi), `bgzip -r` (the .gzi htslib builds) and
// `gzip -d`; and gunzip_buf, whose own index of the output the compressor's
// must equal. The filter protocol (directions, chunkings, sticky failures,
// reuse) is the filter contract suite's (filter_subjects.hpp).

// GCC 12 at -O3 (the b2 release build) warns -Wrestrict deep inside
// std::string's insert through Boost's back_inserter: a false positive of
// GCC's (bug 105329), not a fault of this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include "bytesio/bgzf.hpp"

#define BOOST_TEST_MODULE bgzf
#include "support/unit_test.hpp"

#include "bytesio/bytes_buf.hpp"
#include "bytesio/gunzip_buf.hpp"
#include "bytesio/iostreams.hpp"
#include "support/gzip_peers.hpp"

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace io = boost::iostreams;
using bytesio::bgzf_compressor;
using bytesio::errc;
using bytesio::gunzip_buf;
using bytesio::gzip_index;
using bytesio::igzip_compressor;
using namespace bytesio::test;

namespace {

std::span<const std::byte> span_of(const std::string &s) { return std::as_bytes(std::span(s)); }

/**
 * `data` written through `filter` in pieces of random sizes up to `max_piece`
 * (all at once for 0); the filter is a copy-sharing one, so `filter` shows
 * the index afterwards.
 */
template <class Filter>
std::string written(Filter &filter, const std::string &data, std::size_t max_piece = 0,
                    unsigned seed = 1) {
  std::string out;
  io::filtering_ostream os;
  os.push(filter);
  os.push(io::back_inserter(out));
  std::mt19937 rng(seed);
  for (std::size_t at = 0; at < data.size();) {
    const std::size_t n = max_piece == 0
                              ? data.size() - at
                              : std::min<std::size_t>(1 + rng() % max_piece, data.size() - at);
    os.write(data.data() + at, static_cast<std::streamsize>(n));
    at += n;
  }
  os.reset();
  return out;
}

std::string bgzf(const std::string &data, int level = 1, unsigned threads = 1) {
  bgzf_compressor f(level, threads);
  return written(f, data);
}

std::string saved_gzi(const gzip_index &x) {
  std::ostringstream out;
  x.save_gzi(out);
  return out.str();
}

/** The compressed sizes of the BGZF blocks in `gz`, from their BC fields. */
std::vector<std::size_t> block_sizes(const std::string &gz) {
  std::vector<std::size_t> sizes;
  for (std::size_t at = 0; at + 18 <= gz.size();) {
    const auto byte = [&](std::size_t i) -> std::size_t {
      return static_cast<unsigned char>(gz[at + i]);
    };
    BOOST_REQUIRE(byte(0) == 0x1F && byte(1) == 0x8B && byte(3) == 4 && byte(12) == 'B' &&
                  byte(13) == 'C');
    sizes.push_back((byte(16) | byte(17) << 8) + 1);
    at += sizes.back();
  }
  return sizes;
}

/** The uncompressed offsets a .gzi lists (its compressed ones depend on the deflater). */
std::vector<std::uint64_t> uncompressed_offsets(const std::string &gzi) {
  const auto le64 = [&](std::size_t at) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < 8; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(gzi.at(at + i))} << (8 * i);
    return v;
  };
  std::vector<std::uint64_t> offsets;
  for (std::uint64_t i = 0, n = le64(0); i < n; ++i)
    offsets.push_back(le64(8 + 16 * i + 8));
  return offsets;
}

/** Random reads through a gunzip_buf over `gz` given `index` agree with `text`. */
void reads_agree(const std::string &gz, const gzip_index &index, const std::string &text,
                 unsigned seed) {
  gunzip_buf g(span_of(gz), index);
  BOOST_TEST(g.size() == text.size());
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 60; ++i) {
    const std::uint64_t at = rng() % (text.size() + 1);
    g.seek(std::int64_t(at));
    BOOST_TEST((str(g.read(70000)) == text.substr(at, 70000)));
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(bgzip_gzip_and_gunzip_buf_read_it_and_the_index_is_what_they_find) {
  BOOST_REQUIRE_MESSAGE(std::system("bgzip --version > /dev/null 2>&1") == 0,
                        "bgzip is missing (Debian: tabix)");
  for (const std::size_t n :
       {std::size_t{0}, std::size_t{1}, std::size_t{65279}, std::size_t{65280}, std::size_t{65281},
        std::size_t{3 * 65280}, (std::size_t{1} << 20) + 7}) {
    BOOST_TEST_CONTEXT(n << " bytes") {
      const std::string text = csv_text(n, 21);
      bgzf_compressor f;
      const std::string gz = written(f, text);
      // Cut as htslib cuts: 65,280 bytes a block, then the EOF block.
      const std::size_t blocks =
          (n + bgzf_compressor::block_size - 1) / bgzf_compressor::block_size;
      const std::vector<std::size_t> sizes = block_sizes(gz);
      BOOST_TEST(sizes.size() == blocks + 1);
      BOOST_TEST(gz.substr(gz.size() - 28) == bgzip_tool("", "").gz); // bgzip's EOF block
      std::string back;
      BOOST_TEST(bgunzip_tool(gz, back));
      BOOST_TEST((back == text));
      BOOST_TEST(gunzip_tool(gz, back));
      BOOST_TEST((back == text));
      // The index is the one gunzip_buf finds by walking the blocks, and the
      // .gzi is what bgzip -r builds for this file.
      const gzip_index x = f.index();
      BOOST_TEST(x.complete());
      BOOST_TEST(x.uncompressed_size() == n);
      BOOST_TEST(x.compressed_size() == gz.size());
      BOOST_TEST((x == gunzip_buf(span_of(gz)).index()));
      temp_dir dir("bytesio-bgzf-test");
      write_file(dir / "d.gz", gz);
      BOOST_REQUIRE(std::system(("bgzip -r '" + (dir / "d.gz").string() + "'").c_str()) == 0);
      BOOST_TEST(saved_gzi(x) == read_file(dir / "d.gz.gzi"));
      if (n != 0)
        reads_agree(gz, x, text, static_cast<unsigned>(n));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_same_bytes_for_any_thread_count_chunking_and_direction) {
  const std::string text = csv_text((std::size_t{2} << 20) + 333, 22);
  const std::string one = bgzf(text, 1, 1);
  for (const unsigned threads : {1u, 2u, 3u, 8u}) {
    BOOST_TEST_CONTEXT(threads << " threads") {
      bgzf_compressor f(1, threads);
      BOOST_TEST(f.threads() == threads);
      BOOST_TEST((written(f, text, 100000, threads) == one));
      BOOST_TEST((written(f, text, 1000, threads + 7) == one)); // reused after close
      BOOST_TEST((f.index() == gunzip_buf(span_of(one)).index()));
      std::string read_side;
      io::filtering_istream in;
      in.push(bgzf_compressor(1, threads));
      in.push(io::array_source(text.data(), text.size()));
      io::copy(in, io::back_inserter(read_side));
      BOOST_TEST((read_side == one));
    }
  }
  // Blocks cut where htslib cuts them: the same uncompressed offsets in the .gzi.
  BOOST_REQUIRE(std::system("bgzip --version > /dev/null 2>&1") == 0);
  BOOST_TEST(uncompressed_offsets(saved_gzi(gunzip_buf(span_of(one)).index())) ==
             uncompressed_offsets(bgzip_tool(text, "-l 1").gzi));
  // Each level writes its own bytes, all read back.
  for (const int level : {0, 2, 3}) {
    std::string back;
    BOOST_TEST(bgunzip_tool(bgzf(text, level, 2), back));
    BOOST_TEST((back == text));
  }
}

BOOST_AUTO_TEST_CASE(incompressible_blocks_are_stored_within_64_kib) {
  const std::string noise = random_bytes(5 * 65280 + 100, 23);
  for (const int level : {0, 1, 3}) {
    BOOST_TEST_CONTEXT("level " << level) {
      const std::string gz = bgzf(noise, level, 2);
      for (const std::size_t size : block_sizes(gz))
        BOOST_TEST(size <= 65536u);
      std::string back;
      BOOST_TEST(bgunzip_tool(gz, back));
      BOOST_TEST((back == noise));
      BOOST_TEST((str(gunzip_buf(span_of(gz)).read()) == noise));
    }
  }
}

BOOST_AUTO_TEST_CASE(bgzip_reads_ranges_through_the_compressors_gzi) {
  BOOST_REQUIRE(std::system("bgzip --version > /dev/null 2>&1") == 0);
  const std::string text = csv_text(std::size_t{1} << 20, 24);
  bgzf_compressor f(1, 2);
  const std::string gz = written(f, text);
  temp_dir dir("bytesio-bgzf-ranges");
  write_file(dir / "d.gz", gz);
  write_file(dir / "d.gz.gzi", saved_gzi(f.index()));
  for (const std::uint64_t at : {std::uint64_t{0}, std::uint64_t{65280}, std::uint64_t{500001},
                                 std::uint64_t{text.size() - 10}}) {
    BOOST_TEST_CONTEXT("offset " << at) {
      BOOST_REQUIRE(std::system(("bgzip -b " + std::to_string(at) + " -s 3000 '" +
                                 (dir / "d.gz").string() + "' > '" + (dir / "out").string() + "'")
                                    .c_str()) == 0);
      BOOST_TEST((read_file(dir / "out") == text.substr(at, 3000)));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_readme_writes_bgzf_and_its_gzi_and_reads_through_the_index) {
  const std::string table = csv_text(500000, 40);
  temp_dir dir("bytesio-bgzf-readme");
  const std::string path = (dir / "table.csv.bgz").string();
  bytesio::bgzf_compressor bgzf(1, 2); // level 1, two threads
  bytesio::bytes_buf gz;
  boost::iostreams::filtering_ostream out;
  out.push(bgzf); // the chain holds a copy; copies share the state, so the index
  out.push(bytesio::bytes_device(gz));
  out << table;
  out.reset(); // the last blocks and BGZF's EOF block
  std::ofstream gzi(path + ".gzi", std::ios::binary);
  bgzf.index().save_gzi(gzi);                         // what `bgzip -r` would write
  bytesio::gunzip_stream in(gz.view(), bgzf.index()); // seeks at once
  gzi.close();
  BOOST_TEST(read_file(path + ".gzi") == saved_gzi(gunzip_buf(gz.view()).index()));
  in.seekg(123456);
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST((rest == table.substr(123456)));
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_invalid_argument) {
  BYTESIO_CHECK_ERRC(bgzf_compressor(4), errc::invalid_argument);
  BYTESIO_CHECK_ERRC(bgzf_compressor(-1), errc::invalid_argument);
  BYTESIO_CHECK_ERRC(bgzf_compressor(1, bgzf_compressor::max_threads + 1), errc::invalid_argument);
  BYTESIO_CHECK_ERRC(bgzf_compressor(1, 1, 0), errc::invalid_argument);
  BOOST_TEST(bgzf_compressor(1, 0).threads() >= 1u);
  BOOST_TEST(bgzf_compressor().index().size() == 0u); // nothing finished yet
}

// ---- igzip_compressor::index(): the points of a member written on threads -----------

BOOST_AUTO_TEST_CASE(the_threaded_compressor_indexes_its_member_for_free) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1000}, std::size_t{256} << 10,
                              (std::size_t{256} << 10) + 1, (std::size_t{5} << 20) + 999}) {
    BOOST_TEST_CONTEXT(n << " bytes") {
      const std::string text = csv_text(n, 25);
      igzip_compressor f(1, 2);
      const std::string gz = written(f, text, 50000);
      const gzip_index x = f.index();
      BOOST_TEST(x.complete());
      BOOST_TEST(x.uncompressed_size() == n);
      BOOST_TEST(x.compressed_size() == gz.size());
      // The member's start, a point every 1 MiB (every fourth 256 KiB block), its end.
      BOOST_TEST(x.size() == 2 + (n == 0 ? 0 : (n - 1) / gzip_index::default_spacing));
      BOOST_TEST(x.memory() <= 64 * 1024 + x.size() * (gzip_index::window_size + 128));
      if (n != 0)
        reads_agree(gz, x, text, static_cast<unsigned>(n));
      // Saved and loaded as GZIDX, it still serves (without the CRC-32 sums).
      std::stringstream saved;
      x.save(saved);
      const gzip_index y = gzip_index::load(saved);
      BOOST_TEST(y.size() == x.size());
      if (n != 0)
        reads_agree(gz, y, text, static_cast<unsigned>(n + 1));
      // The same index for any chunking; a second member replaces it.
      igzip_compressor g(1, 3);
      BOOST_TEST((written(g, text, 3000) == gz));
      BOOST_TEST((g.index() == x));
      written(g, "another member");
      BOOST_TEST(g.index().uncompressed_size() == 14u);
    }
  }
  // One thread: ISA-L's blocks end unseen, so no points.
  igzip_compressor one(1, 1);
  written(one, csv_text(100000, 26));
  BOOST_TEST(one.index().size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_damaged_member_is_still_caught_through_the_compressors_index) {
  const std::string text = csv_text(std::size_t{3} << 20, 27);
  igzip_compressor f(1, 2);
  std::string gz = written(f, text);
  const gzip_index x = f.index();
  // A flipped CRC byte: the read that reaches the trailer fails, from a point too.
  gz[gz.size() - 6] = static_cast<char>(gz[gz.size() - 6] ^ 0x10);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(gz), x), errc::invalid_argument);
  gunzip_buf g(span_of(gz));
  g.seek(std::int64_t(text.size() - 100));
  BYTESIO_CHECK_ERRC((void)g.read(), errc::invalid_gzip);
}
