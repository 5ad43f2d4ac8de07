// SPDX-License-Identifier: BSL-1.0
#include "bytesio/igzip.hpp"

#define BOOST_TEST_MODULE igzip
#include <boost/test/unit_test.hpp>

#include "bytesio/base64_filters.hpp"
#include "bytesio/bytes_buf.hpp"
#include "bytesio/bytes_stream.hpp"
#include "bytesio/iostreams.hpp"

#include "support/buffer_probe.hpp"
#include "support/engine_reference.hpp"
#include "support/filter_drivers.hpp"
#include "support/gzip_peers.hpp"
#include "support/test_support.hpp"
#include "support/zlib_reference.hpp"

#include <boost/iostreams/compose.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/device/file.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/test.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace io = boost::iostreams;
using bytesio::igzip_compressor;
using bytesio::igzip_decompressor;

namespace {

// --- data and peers (test/support/gzip_peers.hpp) ------------------------------

using bytesio::test::csv_text;
using bytesio::test::gunzip_tool;
using bytesio::test::gzip_tool;
using bytesio::test::random_bytes;
using bytesio::test::temp_dir;
using bytesio::test::zlib_gzip;
using bytesio::test::zlib_header;

// --- our filters, both ways of using them --------------------------------------

using bytesio::test::read_through;
using bytesio::test::write_through;

// Output use: the filter is written to. Input use: the filter reads.
std::string gzip_out(const std::string &data, int level = 1) {
  return write_through(igzip_compressor(level), data);
}
std::string gzip_in(const std::string &data, int level = 1) {
  return read_through(igzip_compressor(level), data);
}
std::string gunzip_out(const std::string &gz) { return write_through(igzip_decompressor(), gz); }
std::string gunzip_in(const std::string &gz) { return read_through(igzip_decompressor(), gz); }

// --- peers ---------------------------------------------------------------------

std::string boost_gzip(const std::string &data, int level) {
  return write_through(io::gzip_compressor(io::gzip_params(level)), data);
}
std::string boost_gunzip(const std::string &gz) {
  return write_through(io::gzip_decompressor(), gz);
}

int run(const std::string &command) { return std::system(command.c_str()); }

// --- failure checks --------------------------------------------------------------

bool is_invalid_gzip(const std::ios_base::failure &e, const std::string &needle) {
  const std::string what = e.what();
  const bool ok = e.code() == bytesio::errc::invalid_gzip && what.find(needle) != std::string::npos;
  if (!ok)
    BOOST_TEST_MESSAGE("unexpected failure: " << what);
  return ok;
}

// Both uses of the decompressor must reject `gz` with `needle` in the message.
void check_rejected(const std::string &gz, const std::string &needle) {
  bool out_threw = false, in_threw = false;
  try {
    gunzip_out(gz);
  } catch (const std::ios_base::failure &e) {
    out_threw = is_invalid_gzip(e, needle);
  }
  try {
    gunzip_in(gz);
  } catch (const std::ios_base::failure &e) {
    in_threw = is_invalid_gzip(e, needle);
  }
  BOOST_TEST(out_threw, "output use accepted or misreported: " << needle);
  BOOST_TEST(in_threw, "input use accepted or misreported: " << needle);
}

std::string with_byte(std::string s, std::size_t i, char c) {
  s[i] = c;
  return s;
}

std::string flipped(std::string s, std::size_t i) {
  s[i] = static_cast<char>(s[i] ^ 0x01);
  return s;
}

const std::string small_text = "hello, hello, hello igzip\n";

} // namespace

// --- round trips ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(round_trip_all_levels_sizes_and_uses) {
  // Level 1, the default, at every size and chunking: the filter contract.
  const std::size_t sizes[] = {0, 1, 2, 100, 4095, 4096, 65535, 65536, 65537, 300001};
  for (int level : {0, 2, 3}) {
    for (std::size_t size : sizes) {
      for (const std::string &data : {csv_text(size), random_bytes(size)}) {
        const std::string a = gzip_out(data, level);
        // ISA-L's block boundaries depend on how the input arrives, so the
        // two uses may write different (equally valid) bytes.
        const std::string b = gzip_in(data, level);
        BOOST_TEST((gunzip_out(a) == data), "level " << level << " size " << size);
        BOOST_TEST((gunzip_in(a) == data), "level " << level << " size " << size);
        BOOST_TEST((gunzip_out(b) == data), "level " << level << " size " << size);
        BOOST_TEST((gunzip_in(b) == data), "level " << level << " size " << size);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(output_is_standard_gzip_and_compresses) {
  const std::string data = csv_text(200000);
  const std::string gz = gzip_out(data);
  BOOST_TEST(gz.size() < data.size() / 2);
  BOOST_TEST(static_cast<unsigned char>(gz[0]) == 0x1Fu);
  BOOST_TEST(static_cast<unsigned char>(gz[1]) == 0x8Bu);
  BOOST_TEST(gz[2] == 8);
  // Trailer: CRC-32 and ISIZE little-endian.
  const auto crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size())));
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(gz[gz.size() - 8 + i]));
  };
  BOOST_TEST((byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24) == crc);
  BOOST_TEST((byte(4) | byte(5) << 8 | byte(6) << 16 | byte(7) << 24) == data.size());
}

BOOST_AUTO_TEST_CASE(empty_input_gives_a_valid_gzip_of_nothing) {
  for (int level = 0; level <= 3; ++level) {
    const std::string gz = gzip_out("", level);
    BOOST_TEST(gz.size() >= 18u);
    // What igzip.hpp promises: ISA-L's level 0 always writes its code table.
    BOOST_TEST(gz.size() == (level == 0 ? 131u : 20u), "level " << level);
    BOOST_TEST(gzip_in("", level).size() == gz.size(), "level " << level);
    BOOST_TEST(gunzip_out(gz).empty());
    BOOST_TEST(gunzip_in(gz).empty());
    BOOST_TEST(boost_gunzip(gz).empty());
    std::string back = "x";
    BOOST_TEST(gunzip_tool(gz, back));
    BOOST_TEST(back.empty());
  }
}

BOOST_AUTO_TEST_CASE(invalid_level_and_buffer_size_throw) {
  for (int level : {-1, 4, 9}) {
    try {
      igzip_compressor c(level);
      BOOST_ERROR("level " << level << " accepted");
    } catch (const std::ios_base::failure &e) {
      BOOST_TEST((e.code() == bytesio::errc::invalid_argument));
    }
  }
  BOOST_CHECK_THROW(igzip_compressor(1, 1, 0), std::ios_base::failure);
  BOOST_CHECK_THROW(igzip_decompressor(0), std::ios_base::failure);
  BOOST_TEST(igzip_compressor(3).level() == 3);
  BOOST_TEST(igzip_compressor().level() == 1);
}

BOOST_AUTO_TEST_CASE(small_buffer_sizes_work) {
  const std::string data = csv_text(50000);
  for (std::streamsize bs : {1, 2, 7, 300}) {
    std::string gz, back;
    io::copy(io::array_source(data.data(), data.size()),
             io::compose(igzip_compressor(1, 1, bs), io::back_inserter(gz)));
    io::copy(io::array_source(gz.data(), gz.size()),
             io::compose(igzip_decompressor(bs), io::back_inserter(back)));
    BOOST_TEST((back == data), "buffer size " << bs);
    back.clear();
    io::copy(io::compose(igzip_decompressor(bs), io::array_source(gz.data(), gz.size())),
             io::back_inserter(back));
    BOOST_TEST((back == data), "buffer size " << bs);
  }
}

// --- interop ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(gzip_tool_reads_ours) {
  const std::string data = csv_text(300000) + random_bytes(70000);
  for (int level = 0; level <= 3; ++level) {
    std::string back;
    BOOST_TEST(gunzip_tool(gzip_out(data, level), back), "level " << level);
    BOOST_TEST((back == data), "level " << level);
  }
}

BOOST_AUTO_TEST_CASE(we_read_the_gzip_tool) {
  const std::string data = csv_text(300000) + random_bytes(70000);
  for (const char *options : {"-1", "-9", "-1 -n", "-6 -n"}) {
    const std::string gz = gzip_tool(data, options);
    BOOST_TEST((gunzip_out(gz) == data), options);
    BOOST_TEST((gunzip_in(gz) == data), options);
  }
  // Without -n the tool writes FNAME: check we did read such a header.
  const std::string named = gzip_tool(small_text, "-9");
  BOOST_TEST((static_cast<unsigned char>(named[3]) & 0x08) != 0);
  BOOST_TEST(gunzip_out(named) == small_text);
}

BOOST_AUTO_TEST_CASE(boost_reads_ours_and_we_read_boost) {
  const std::string data = csv_text(300000) + random_bytes(70000);
  for (int level = 0; level <= 3; ++level)
    BOOST_TEST((boost_gunzip(gzip_out(data, level)) == data), "level " << level);
  for (int level : {1, 6, 9}) {
    const std::string gz = boost_gzip(data, level);
    BOOST_TEST((gunzip_out(gz) == data), "boost level " << level);
    BOOST_TEST((gunzip_in(gz) == data), "boost level " << level);
  }
  // Boost's gzip_params with a file name and comment sets FNAME and FCOMMENT.
  std::string gz;
  io::copy(io::array_source(small_text.data(), small_text.size()),
           io::compose(io::gzip_compressor(io::gzip_params(6, io::zlib::deflated, 15, 8,
                                                           io::zlib::default_strategy, "name.txt",
                                                           "a comment", 1700000000)),
                       io::back_inserter(gz)));
  BOOST_TEST((static_cast<unsigned char>(gz[3]) & 0x18) == 0x18u);
  BOOST_TEST(gunzip_out(gz) == small_text);
}

BOOST_AUTO_TEST_CASE(we_read_zlib_with_every_header_field) {
  const std::string data = csv_text(100000);
  for (int level : {1, 6, 9})
    BOOST_TEST((gunzip_out(zlib_gzip(data, level)) == data), "zlib level " << level);
  zlib_header h;
  h.text = true;
  h.extra = std::string("AB\x04\0wxyz", 8);
  h.name = "data.csv";
  h.comment = "made by zlib";
  h.hcrc = true;
  const std::string gz = zlib_gzip(data, 6, &h);
  BOOST_TEST(static_cast<unsigned char>(gz[3]) == 0x1Fu); // FTEXT|FHCRC|FEXTRA|FNAME|FCOMMENT
  BOOST_TEST((gunzip_out(gz) == data));
  BOOST_TEST((gunzip_in(gz) == data));
  // A large FEXTRA (64 KiB - 1) crosses every chunk boundary.
  h.extra = std::string(65531, 'e');
  h.extra.insert(0, std::string("XY\xFB\xFF", 4));
  BOOST_TEST((gunzip_out(zlib_gzip(small_text, 6, &h)) == small_text));
}

BOOST_AUTO_TEST_CASE(zlib_reads_ours) {
  const std::string data = csv_text(100000);
  const std::string gz = gzip_out(data, 2);
  z_stream z{};
  BOOST_REQUIRE(inflateInit2(&z, 31) == Z_OK);
  std::string back(data.size() + 16, '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef *>(back.data());
  z.avail_out = static_cast<uInt>(back.size());
  BOOST_TEST(inflate(&z, Z_FINISH) == Z_STREAM_END);
  BOOST_TEST(z.avail_in == 0u);
  back.resize(z.total_out);
  inflateEnd(&z);
  BOOST_TEST((back == data));
}

BOOST_AUTO_TEST_CASE(members_back_to_back) {
  const std::string a = csv_text(70000), b = random_bytes(1000), c = "";
  const std::string gz = gzip_out(a) + gzip_tool(b, "-9") + boost_gzip(c, 6) + zlib_gzip(a, 1) +
                         gzip_out(small_text, 0);
  const std::string expected = a + b + c + a + small_text;
  BOOST_TEST((gunzip_out(gz) == expected));
  BOOST_TEST((gunzip_in(gz) == expected));
  // Every chunking of the input, both uses (Boost's own sweep helpers).
  BOOST_TEST(io::test_input_filter(igzip_decompressor(), gz, expected));
  BOOST_TEST(io::test_output_filter(igzip_decompressor(), gz, expected));
  // `cat a.gz b.gz | gzip -d` agrees.
  std::string tool;
  BOOST_TEST(gunzip_tool(gz, tool));
  BOOST_TEST((tool == expected));
}

BOOST_AUTO_TEST_CASE(test_filter_pair_sweep) {
  for (const std::string &data :
       {std::string(), std::string("x"), small_text, csv_text(100000), random_bytes(20000)}) {
    for (int level = 0; level <= 3; ++level)
      BOOST_TEST(io::test_filter_pair(igzip_compressor(level), igzip_decompressor(), data),
                 "level " << level << " size " << data.size());
    // Each filter pairs with Boost's, too.
    BOOST_TEST(io::test_filter_pair(igzip_compressor(), io::gzip_decompressor(), data));
    BOOST_TEST(io::test_filter_pair(io::gzip_compressor(), igzip_decompressor(), data));
  }
}

// --- strictness ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_truncation_fails) {
  zlib_header h;
  h.extra = "ab\x02\0cd";
  h.name = "n.txt";
  h.comment = "c";
  h.hcrc = true;
  for (const std::string &gz :
       {gzip_out(small_text), gzip_out(small_text, 0), gzip_tool(small_text, "-9"),
        zlib_gzip(small_text, 9, &h), gzip_out(random_bytes(300))}) {
    BOOST_TEST_REQUIRE(gunzip_out(gz) == gunzip_in(gz));
    for (std::size_t cut = 0; cut < gz.size(); ++cut)
      check_rejected(gz.substr(0, cut),
                     "truncated input: it ends at offset " + std::to_string(cut));
  }
  // Two members: every cut fails but the one between them.
  const std::string one = gzip_out(small_text);
  const std::string two = one + gzip_out("second");
  for (std::size_t cut = 0; cut < two.size(); ++cut) {
    if (cut == one.size())
      BOOST_TEST(gunzip_out(two.substr(0, cut)) == small_text);
    else
      check_rejected(two.substr(0, cut), "truncated input");
  }
}

BOOST_AUTO_TEST_CASE(truncation_is_found_at_every_chunking) {
  const std::string gz = gzip_out(csv_text(100000));
  const std::string cut = gz.substr(0, gz.size() - 3);
  for (std::streamsize inc = 1; inc <= 200; inc += 9) {
    bool threw = false;
    try {
      std::string back;
      io::copy(io::compose(igzip_decompressor(), io::non_blocking_source(cut, inc)),
               io::back_inserter(back));
    } catch (const std::ios_base::failure &e) {
      threw = is_invalid_gzip(e, "inside the trailer");
    }
    BOOST_TEST(threw, "increment " << inc);
  }
}

BOOST_AUTO_TEST_CASE(flipped_crc_or_isize_byte_fails) {
  const std::string gz = gzip_out(csv_text(5000));
  const std::size_t trailer = gz.size() - 8;
  for (std::size_t i = 0; i < 4; ++i) {
    check_rejected(flipped(gz, trailer + i),
                   "CRC-32 mismatch in the trailer at offset " + std::to_string(trailer));
    // Boost's gzip_decompressor accepts a wrong ISIZE silently; we must not.
    check_rejected(flipped(gz, trailer + 4 + i),
                   "ISIZE mismatch in the trailer at offset " + std::to_string(trailer + 4));
  }
  // The same in a second member.
  const std::string first = gzip_out(small_text);
  check_rejected(first + flipped(gz, trailer + 5),
                 "member 2 (starting at offset " + std::to_string(first.size()) + ")");
}

BOOST_AUTO_TEST_CASE(bad_magic_method_and_flags_fail) {
  const std::string gz = gzip_out(small_text);
  check_rejected(with_byte(gz, 0, 0x1E), "bad magic byte 0x1e at offset 0");
  check_rejected(with_byte(gz, 1, 0x0B), "bad magic byte 0x0b at offset 1");
  check_rejected(with_byte(gz, 2, 7), "unsupported compression method 7 at offset 2");
  for (char flag : {'\x20', '\x40', '\x80'})
    check_rejected(with_byte(gz, 3, flag), "reserved flag bits set in FLG");
  check_rejected(std::string("PK\x03\x04", 4) + gz, "bad magic");
  // A header CRC that does not match.
  zlib_header h;
  h.name = "n";
  h.hcrc = true;
  const std::string hgz = zlib_gzip(small_text, 6, &h);
  check_rejected(flipped(hgz, 12), "header CRC mismatch at offset 12");
}

BOOST_AUTO_TEST_CASE(corrupt_deflate_data_fails) {
  const std::string gz = gzip_out(csv_text(20000));
  int rejected = 0;
  for (std::size_t i = 10; i < gz.size() - 8; i += 97) {
    const std::string bad = flipped(gz, i);
    try {
      gunzip_out(bad);
    } catch (const std::ios_base::failure &e) {
      rejected += e.code() == bytesio::errc::invalid_gzip ? 1 : 0;
      continue;
    }
    BOOST_ERROR("corruption at " << i << " accepted");
  }
  BOOST_TEST(rejected > 0);
}

BOOST_AUTO_TEST_CASE(bytes_before_damage_are_zlibs) {
  // ISA-L's inflate may write bytes decoded from past the damage in the call
  // that reports it: none of them is handed on, by the engine with any room
  // or by a chain in either use with any buffer size. The reference is what
  // zlib decodes before it meets the damage.
  int rejected = 0;
  for (const std::string &gz : bytesio::test::damaged_gzips(40, 5)) {
    const auto z = bytesio::test::zlib_gunzip(gz);
    rejected += z.ok ? 0 : 1;
    for (const std::size_t room : {1u, 100u, 4096u, 65536u, 1u << 20}) {
      BOOST_TEST_CONTEXT("room " << room << ", zlib stops after " << z.bytes.size()) {
        const auto engine = bytesio::test::engine_gunzip(gz, {.room = room});
        BOOST_TEST((engine.error != nullptr) == !z.ok);
        BOOST_TEST(bytesio::test::is_prefix(engine.bytes, z.bytes));
        const igzip_decompressor f(static_cast<std::streamsize>(room));
        const std::streamsize chain = room == 1 ? 0 : static_cast<std::streamsize>(room);
        for (const auto &o : {bytesio::test::write_outcome(f, gz, {bytesio::test::whole}, chain),
                              bytesio::test::read_outcome(f, gz, {bytesio::test::whole}, chain)}) {
          BOOST_TEST(o.failed() == !z.ok);
          BOOST_TEST(bytesio::test::is_prefix(o.bytes, z.bytes));
        }
      }
    }
  }
  BOOST_TEST(rejected >= 35);
}

BOOST_AUTO_TEST_CASE(trailing_garbage_fails) {
  const std::string gz = gzip_out(small_text);
  const std::string end = std::to_string(gz.size());
  check_rejected(gz + "x", "trailing garbage after the last member: byte 0x78 at offset " + end);
  check_rejected(gz + std::string(4, '\0'), "trailing garbage");
  check_rejected(gz + "\n", "trailing garbage");
  check_rejected(gz + "\x1f", "truncated input");
  check_rejected(gz + "\x1f\x8b\x07", "unsupported compression method 7");
  check_rejected(gz + gz + "junk", "offset " + std::to_string(2 * gz.size()));
  std::string tool;
  BOOST_TEST(gunzip_tool(gz + std::string(4, '\0'), tool)); // gzip -d only warns
}

BOOST_AUTO_TEST_CASE(stream_without_exceptions_gets_badbit) {
  const std::string bad = with_byte(gzip_out(small_text), 0, 'x');
  {
    io::filtering_istream in;
    in.push(igzip_decompressor());
    in.push(io::array_source(bad.data(), bad.size()));
    char c[64];
    in.read(c, sizeof c);
    BOOST_TEST(in.bad());
  }
  {
    const std::string cut = gzip_out(csv_text(10000)).substr(0, 500);
    io::filtering_istream in;
    in.push(igzip_decompressor());
    in.push(io::array_source(cut.data(), cut.size()));
    std::vector<char> sink(1 << 20);
    in.read(sink.data(), static_cast<std::streamsize>(sink.size()));
    BOOST_TEST(in.bad());
  }
  {
    std::string data;
    io::filtering_ostream out;
    out.push(igzip_decompressor());
    out.push(io::back_inserter(data));
    out.write(bad.data(), static_cast<std::streamsize>(bad.size()));
    out.flush();
    BOOST_TEST(out.bad());
  }
  {
    io::filtering_istream in;
    in.push(igzip_decompressor());
    in.push(io::array_source(bad.data(), bad.size()));
    in.exceptions(std::ios_base::badbit); // once complete: an empty chain is bad
    char c[64];
    bool threw = false;
    try {
      in.read(c, sizeof c);
    } catch (const std::ios_base::failure &e) {
      threw = is_invalid_gzip(e, "bad magic");
    }
    BOOST_TEST(threw);
  }
}

BOOST_AUTO_TEST_CASE(truncation_in_output_use_is_reported_by_close) {
  const std::string cut = gzip_out(csv_text(10000)).substr(0, 500);
  std::string data;
  io::filtering_ostream out;
  out.push(igzip_decompressor());
  out.push(io::back_inserter(data));
  out.write(cut.data(), static_cast<std::streamsize>(cut.size()));
  BOOST_TEST(out.good());
  bool threw = false;
  try {
    out.reset();
  } catch (const std::ios_base::failure &e) {
    threw = is_invalid_gzip(e, "inside the deflate data");
  }
  BOOST_TEST(threw);
}

// --- with bytesio's buffers ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(chains_into_bytes_device_and_bytes_stream) {
  const std::string data = csv_text(500000);
  bytesio::bytes_buf gz;
  {
    io::filtering_ostream out;
    out.push(igzip_compressor());
    out.push(bytesio::bytes_device(gz));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    io::close(out);
  }
  BOOST_TEST(gz.size() < data.size() / 2);
  const auto v = gz.view();
  const std::string gz_copy(reinterpret_cast<const char *>(v.data()), v.size());
  BOOST_TEST((boost_gunzip(gz_copy) == data));

  // Read side: an input chain from the bytes_buf, back into a bytes_stream.
  gz.seek(0);
  bytesio::bytes_stream back;
  {
    io::filtering_istream in;
    in.push(igzip_decompressor());
    in.push(bytesio::bytes_device(gz));
    back << in.rdbuf();
  }
  const auto bv = back.view();
  BOOST_TEST((std::string(reinterpret_cast<const char *>(bv.data()), bv.size()) == data));

  // Output side into a bytes_stream's buffer.
  bytesio::bytes_stream back2;
  {
    io::filtering_ostream out;
    out.push(igzip_decompressor());
    out.push(bytesio::bytes_device(back2));
    out.write(gz_copy.data(), static_cast<std::streamsize>(gz_copy.size()));
    io::close(out);
  }
  BOOST_TEST(back2.size() == data.size());
}

BOOST_AUTO_TEST_CASE(size_limit_stops_a_bomb) {
  // 64 MiB of zeros compresses to about 64 KiB.
  const std::size_t bomb_size = std::size_t{64} << 20;
  std::string bomb;
  {
    io::filtering_ostream out;
    out.push(igzip_compressor());
    out.push(io::back_inserter(bomb));
    const std::string zeros(1 << 20, '\0');
    for (std::size_t i = 0; i < bomb_size / zeros.size(); ++i)
      out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    io::close(out);
  }
  BOOST_TEST(bomb.size() < bomb_size / 100);

  const std::size_t limit = std::size_t{1} << 20;
  {
    bytesio::bytes_buf buf;
    buf.set_size_limit(limit);
    io::filtering_ostream out;
    out.push(igzip_decompressor());
    out.push(bytesio::bytes_device(buf));
    out.exceptions(std::ios_base::badbit);
    bool stopped = false;
    try {
      out.write(bomb.data(), static_cast<std::streamsize>(bomb.size()));
      io::close(out);
    } catch (const std::ios_base::failure &e) {
      stopped = e.code() == bytesio::errc::size_limit;
    }
    BOOST_TEST(stopped);
    BOOST_TEST(buf.size() <= limit);
  }
  {
    // Input use: the decompressor reads, the copy writes into the limited buffer.
    bytesio::bytes_buf buf;
    buf.set_size_limit(limit);
    bool stopped = false;
    try {
      io::copy(io::compose(igzip_decompressor(), io::array_source(bomb.data(), bomb.size())),
               bytesio::bytes_device(buf));
    } catch (const std::ios_base::failure &e) {
      stopped = e.code() == bytesio::errc::size_limit;
    }
    BOOST_TEST(stopped);
    BOOST_TEST(buf.size() <= limit);
  }
}

BOOST_AUTO_TEST_CASE(chains_with_base64_and_files) {
  const std::string data = csv_text(100000) + random_bytes(5000);
  // gzip then base64, and back, in one chain each way.
  std::string text;
  {
    io::filtering_ostream out;
    out.push(igzip_compressor());
    out.push(bytesio::base64_encoder());
    out.push(io::back_inserter(text));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.reset();
  }
  BOOST_TEST(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                             "=") == std::string::npos);
  const auto raw = bytesio::base64_decode(text);
  BOOST_TEST(
      (gunzip_out(std::string(reinterpret_cast<const char *>(raw.data()), raw.size())) == data));
  {
    std::string back;
    io::filtering_istream in;
    in.push(igzip_decompressor());
    in.push(bytesio::base64_decoder());
    in.push(io::array_source(text.data(), text.size()));
    io::copy(in, io::back_inserter(back));
    BOOST_TEST((back == data));
  }
  // Into a file that the gzip tool reads, and back from the file.
  temp_dir dir;
  const std::string path = (dir / "data.gz").string();
  {
    io::filtering_ostream out;
    out.push(igzip_compressor(2));
    out.push(io::file_sink(path, std::ios_base::binary));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.reset();
  }
  BOOST_TEST(run("gzip -t '" + path + "'") == 0);
  {
    std::string back;
    io::filtering_istream in;
    in.push(igzip_decompressor());
    in.push(io::file_source(path, std::ios_base::binary));
    io::copy(in, io::back_inserter(back));
    BOOST_TEST((back == data));
  }
}

// --- sticky failures (DESIGN.md, "Sticky filter failures") ----------------------
//
// The protocol (every later call throws the same error, nothing is handed on
// twice, the closing call leaves the filter fresh), from bad input and from
// a refusing sink: the filter contract. Here: the cases of issue 12 and what
// only igzip says.

namespace {

// Decompresses `gz` through a filtering_ostream (filter buffer `buffer`, 0:
// the default): the first error, from reset(), and what reached the sink.
bytesio::test::outcome ostream_error(const std::string &gz, std::streamsize buffer) {
  const bytesio::test::outcome e =
      bytesio::test::write_outcome(igzip_decompressor(), gz, {bytesio::test::whole}, buffer);
  BOOST_TEST((e.code == bytesio::errc::invalid_gzip));
  return e;
}

std::string istream_error(const std::string &gz) {
  return bytesio::test::failure_of([&] { gunzip_in(gz); }).message;
}

} // namespace

BOOST_AUTO_TEST_CASE(output_use_reports_trailing_garbage_like_input_use) {
  // Issue 12: the output chain said "truncated input ... member 4".
  const std::string gz = gzip_out("hello\n") + std::string(1, '\0');
  const std::string want = istream_error(gz);
  BOOST_TEST(want.find("trailing garbage after the last member: byte 0x00 at offset " +
                       std::to_string(gz.size() - 1)) != std::string::npos);
  for (std::streamsize buffer :
       {std::streamsize{0}, std::streamsize{1}, std::streamsize{1} << 20}) {
    const bytesio::test::outcome e = ostream_error(gz, buffer);
    BOOST_TEST(e.message == want, "buffer " << buffer);
    // What went out before the error is a prefix of the data, never more.
    BOOST_TEST(std::string("hello\n").substr(0, e.bytes.size()) == e.bytes);
  }
}

BOOST_AUTO_TEST_CASE(output_use_never_hands_on_data_twice) {
  // Issue 12: with a 1 MiB filter buffer the sink got 851,968 bytes of 300,000.
  // (A flipped CRC-32 at every chain buffer: the filter contract.)
  const std::string data = csv_text(300000);
  const std::string gz = gzip_out(data);
  const std::string bad = flipped(gz, gz.size() - 4); // ISIZE
  const std::string want = istream_error(bad);
  BOOST_TEST_REQUIRE(!want.empty());
  for (std::streamsize buffer : {std::streamsize{0}, std::streamsize{1} << 20}) {
    const bytesio::test::outcome e = ostream_error(bad, buffer);
    BOOST_TEST(e.message == want, "buffer " << buffer);
    BOOST_TEST(e.bytes.size() <= data.size());
    BOOST_TEST((e.bytes == data.substr(0, e.bytes.size())));
  }
}

BOOST_AUTO_TEST_CASE(deflate_errors_name_the_member_and_its_data) {
  const std::string gz = gzip_out(csv_text(20000));
  bool seen = false;
  for (std::size_t i = 10; i < gz.size() - 8 && !seen; i += 97) {
    const std::string bad = flipped(gz, i);
    const std::string e = istream_error(bad);
    if (e.find("in the deflate data starting at offset 10 of member 1") != std::string::npos) {
      seen = true;
      BOOST_TEST(ostream_error(bad, 1).message == e);
    }
  }
  BOOST_TEST(seen);
}
