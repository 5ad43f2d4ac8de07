// SPDX-License-Identifier: BSL-1.0
#include "bytesio/filters.hpp"

#define BOOST_TEST_MODULE filters
#include <boost/test/unit_test.hpp>

#include "bytesio/bytes_buf.hpp"
#include "bytesio/iostreams.hpp"

#include "support/filter_drivers.hpp"
#include "support/test_support.hpp"
#include "support/watch_references.hpp"

#include <boost/iostreams/compose.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/device/null.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/test.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace io = boost::iostreams;
using bytesio::counter_filter;
using bytesio::crc32_filter;
using bytesio::progress_filter;
using bytesio::test::chunked_source;
using bytesio::test::newlines;
using bytesio::test::progress_calls;
using bytesio::test::random_bytes;
using bytesio::test::read_chunked;
using bytesio::test::str;
using bytesio::test::text;
using bytesio::test::write_chunked;
using bytesio::test::zlib_crc;

// What every filter promises (pass-through at every chunk size, both
// directions, sticky failures, closing, reuse, the declared buffer, the
// values of the bytes that passed) is the filter contract,
// test/filter_contract_test.cpp; this file keeps what each watching filter
// alone promises.

static_assert(std::is_same_v<decltype(counter_filter().bytes()), std::uint64_t>);
static_assert(std::is_same_v<decltype(counter_filter().lines()), std::uint64_t>);
static_assert(std::is_same_v<decltype(crc32_filter().value()), std::uint32_t>);

// --- crc32_filter ----------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(crc)

BOOST_AUTO_TEST_CASE(the_compiled_crc_is_zlibs_for_any_length_alignment_and_split) {
  const std::string data = random_bytes(5000, 11);
  std::mt19937 rng(12);
  for (int i = 0; i < 3000; ++i) {
    const std::size_t off = rng() % 64;
    const std::size_t n = rng() % (data.size() - off);
    const std::string_view s = std::string_view(data).substr(off, n);
    const std::size_t cut = n == 0 ? 0 : rng() % n;
    const std::uint32_t whole = bytesio::detail::crc32_update(0, s.data(), s.size());
    const std::uint32_t split = bytesio::detail::crc32_update(
        bytesio::detail::crc32_update(0, s.data(), cut), s.data() + cut, n - cut);
    BOOST_TEST(whole == zlib_crc(s));
    BOOST_TEST(split == whole);
  }
  BOOST_TEST(bytesio::detail::crc32_update(0, "123456789", 9) == 0xCBF43926u); // the check value
  BOOST_TEST(bytesio::detail::crc32_update(7, nullptr, 0) == 7u);
  const std::string impl = bytesio::detail::crc32_implementation();
  BOOST_TEST((impl == "isa-l" || impl == "zlib"));
  BOOST_TEST_MESSAGE("crc32_filter computes with " << impl);
}

std::uint32_t gzip_trailer_crc(std::string_view gz) {
  BOOST_REQUIRE(gz.size() >= 18);
  const auto *p = reinterpret_cast<const unsigned char *>(gz.data() + gz.size() - 8);
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

// In front of a gzip compressor the filter's value is the trailer's CRC
// (zlib's), and a counter behind it sees the compressed size; reading back,
// a crc32_filter over the decompressor gives the same value.
BOOST_AUTO_TEST_CASE(the_value_is_the_gzip_trailers_in_both_directions) {
  const std::string report = text(300000, 5);
  crc32_filter crc;
  counter_filter compressed;
  bytesio::bytes_buf gz;
  {
    io::filtering_ostream os;
    os.push(crc);
    os.push(io::gzip_compressor());
    os.push(compressed);
    os.push(bytesio::bytes_device(gz));
    write_chunked(os, report, 5000, 1);
    os.reset();
  }
  BOOST_TEST(crc.value() == zlib_crc(report));
  BOOST_TEST(crc.value() == gzip_trailer_crc(str(gz.view())));
  BOOST_TEST(compressed.bytes() == gz.size());

  crc32_filter back;
  counter_filter plain;
  gz.seek(0);
  io::filtering_istream is;
  is.push(back);
  is.push(plain);
  is.push(io::gzip_decompressor());
  is.push(bytesio::bytes_device(gz));
  BOOST_TEST(read_chunked(is, 9000, 2) == report);
  is.reset();
  BOOST_TEST(back.value() == crc.value());
  BOOST_TEST(plain.bytes() == report.size());
  BOOST_TEST(plain.lines() == newlines(report));
}

BOOST_AUTO_TEST_SUITE_END()

// --- counter_filter --------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(counter)

BOOST_AUTO_TEST_CASE(a_line_is_a_newline_byte) {
  for (const auto &[in, lines] : std::vector<std::pair<std::string, std::uint64_t>>{
           {"", 0}, {"a", 0}, {"\n", 1}, {"a\nb", 1}, {"a\r\nb\n", 2}, {"\n\n\n", 3}, {"\r", 0}}) {
    counter_filter c;
    io::null_sink nul;
    io::write(c, nul, in.data(), static_cast<std::streamsize>(in.size()));
    io::close(c, nul, std::ios_base::out);
    BOOST_TEST(c.bytes() == in.size());
    BOOST_TEST(c.lines() == lines);
  }
}

// The memchr / counting-loop switch against std::count, at every density.
BOOST_AUTO_TEST_CASE(newline_counting_matches_std_count) {
  std::mt19937 rng(7);
  for (const unsigned per_mille : {0u, 1u, 10u, 31u, 33u, 100u, 500u, 1000u}) {
    for (int i = 0; i < 100; ++i) {
      std::string s(rng() % 40000, 'x'); // past 255 blocks of 64: the counters' run
      for (char &c : s)
        if (rng() % 1000 < per_mille)
          c = '\n';
      const std::size_t off = s.empty() ? 0 : rng() % std::min<std::size_t>(s.size(), 16);
      const std::string_view v = std::string_view(s).substr(off);
      BOOST_TEST(bytesio::detail::count_newlines(v.data(), v.size()) == newlines(v));
      BOOST_TEST(bytesio::detail::count_newlines_dense(v.data(), v.size()) == newlines(v));
    }
  }
}

// The counts are 64-bit: the state carried across 2^32 without wrapping.
BOOST_AUTO_TEST_CASE(the_state_counts_past_32_bits) {
  bytesio::detail::counter_watcher w;
  w.bytes = 0xFFFF'FFF0u;
  w.lines = 0xFFFF'FFFEu;
  const std::string lines(100, '\n');
  w.observe(lines.data(), lines.size());
  BOOST_TEST(w.bytes == 0x1'0000'0054u);
  BOOST_TEST(w.lines == 0x1'0000'0062u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- all three past 4 GiB ----------------------------------------------------------

// 4 GiB + 4097 bytes through each filter into a null sink, 1 MiB at a time
// (one newline per MiB, so the count runs at memchr speed): no 32-bit
// counter wraps, the CRC matches zlib's combined value, progress lands on
// each GiB.
BOOST_AUTO_TEST_CASE(more_than_4_GiB_pass_through_each_filter) {
  constexpr std::size_t block = 1 << 20;
  constexpr std::uint64_t blocks = 4096;
  constexpr std::size_t tail = 4097;
  std::string data(block, '\0');
  data[block / 2] = '\n';
  const std::uint32_t block_crc = zlib_crc(data);
  const std::uint32_t tail_crc = zlib_crc(std::string_view(data).substr(0, tail));

  crc32_filter crc;
  counter_filter count;
  std::vector<std::uint64_t> calls;
  progress_filter progress([&](std::uint64_t n) { calls.push_back(n); }, std::uint64_t{1} << 30);
  io::null_sink nul;
  std::uint32_t want_crc = 0;
  for (std::uint64_t i = 0; i <= blocks; ++i) {
    const std::size_t n = i == blocks ? tail : block;
    io::write(crc, nul, data.data(), static_cast<std::streamsize>(n));
    io::write(count, nul, data.data(), static_cast<std::streamsize>(n));
    io::write(progress, nul, data.data(), static_cast<std::streamsize>(n));
    want_crc = static_cast<std::uint32_t>(
        ::crc32_combine64(want_crc, i == blocks ? tail_crc : block_crc, static_cast<z_off64_t>(n)));
  }
  io::close(crc, nul, std::ios_base::out);
  io::close(count, nul, std::ios_base::out);
  io::close(progress, nul, std::ios_base::out);
  const std::uint64_t total = blocks * block + tail;
  BOOST_TEST(total > std::uint64_t{0xFFFF'FFFF});
  BOOST_TEST(count.bytes() == total);
  BOOST_TEST(count.lines() == blocks + 0); // the tail stops before its newline
  BOOST_TEST(crc.value() == want_crc);
  BOOST_TEST(progress.bytes() == total);
  BOOST_TEST(calls == progress_calls(total, std::uint64_t{1} << 30));
}

// --- progress_filter ---------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(progress)

// Output use: each call comes when exactly that many bytes have reached the
// sink, the same calls for any chunking and interval.
BOOST_AUTO_TEST_CASE(output_calls_come_when_the_sink_has_the_bytes) {
  std::mt19937 rng(5);
  for (const std::uint64_t every : {1u, 3u, 1000u, 4096u, 65536u}) {
    for (const std::size_t n : {0u, 1u, 999u, 1000u, 1001u, 70000u}) {
      if (every == 1 && n > 2000)
        continue;
      const std::string data = random_bytes(n, static_cast<unsigned>(n + every));
      std::string out;
      std::vector<std::uint64_t> calls;
      bool in_step = true;
      progress_filter f(
          [&](std::uint64_t k) {
            calls.push_back(k);
            in_step = in_step && out.size() == k;
          },
          every);
      io::back_insert_device<std::string> snk(out);
      for (std::size_t done = 0; done < n;) {
        const std::size_t k = std::min<std::size_t>(n - done, 1 + rng() % 20000);
        BOOST_TEST(io::write(f, snk, data.data() + done, static_cast<std::streamsize>(k)) ==
                   static_cast<std::streamsize>(k));
        done += k;
      }
      io::close(f, snk, std::ios_base::out);
      BOOST_TEST_CONTEXT("every " << every << ", size " << n) {
        BOOST_TEST(out == data);
        BOOST_TEST(calls == progress_calls(n, every));
        BOOST_TEST(in_step);
      }
    }
  }
}

// Input use: each call comes once the reader has received that many bytes
// (at the next read, or at the close that ends the stream).
BOOST_AUTO_TEST_CASE(input_calls_come_when_the_reader_has_the_bytes) {
  std::mt19937 rng(6);
  for (const std::uint64_t every : {1u, 7u, 1000u, 65536u}) {
    for (const std::size_t n : {0u, 1u, 999u, 1000u, 1001u, 70000u}) {
      if (every == 1 && n > 2000)
        continue;
      const std::string data = random_bytes(n, static_cast<unsigned>(n * 3 + every));
      std::string got;
      std::vector<std::uint64_t> calls;
      bool in_step = true;
      progress_filter f(
          [&](std::uint64_t k) {
            calls.push_back(k);
            in_step = in_step && got.size() == k;
          },
          every);
      chunked_source src{data, {1 + rng() % 30000}};
      std::string block(20000, '\0');
      for (;;) {
        const auto want = static_cast<std::streamsize>(1 + rng() % block.size());
        const std::streamsize r = io::read(f, src, block.data(), want);
        if (r == -1)
          break;
        got.append(block.data(), static_cast<std::size_t>(r));
      }
      io::close(f, src, std::ios_base::in);
      BOOST_TEST_CONTEXT("every " << every << ", size " << n) {
        BOOST_TEST(got == data);
        BOOST_TEST(calls == progress_calls(n, every));
        BOOST_TEST(in_step);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_zero_reports_only_the_end) {
  std::vector<std::uint64_t> calls;
  progress_filter f([&](std::uint64_t k) { calls.push_back(k); }, 0);
  BOOST_TEST(f.every() == 0u);
  bytesio::bytes_buf sink;
  io::filtering_ostream os;
  os.push(f);
  os.push(bytesio::bytes_device(sink));
  const std::string data = text(3 << 20);
  os << data;
  os.reset();
  BOOST_TEST(calls == std::vector<std::uint64_t>{data.size()});
  BOOST_TEST(progress_filter([](std::uint64_t) {}).every() == std::uint64_t{1} << 20);
}

BOOST_AUTO_TEST_CASE(an_empty_callback_is_an_invalid_argument) {
  BYTESIO_CHECK_ERRC(progress_filter(std::function<void(std::uint64_t)>()),
                     bytesio::errc::invalid_argument);
}

// A callback that throws: the bytes it reported have passed and stay
// counted, nothing more passes, the close reports it without calling again.
BOOST_AUTO_TEST_CASE(a_throwing_callback_is_the_streams_failure) {
  std::vector<std::uint64_t> calls;
  progress_filter f(
      [&](std::uint64_t k) {
        calls.push_back(k);
        if (k == 300)
          throw std::runtime_error("stop at 300");
      },
      100);
  const std::string data = random_bytes(1000, 4);
  bytesio::bytes_buf sink;
  io::filtering_ostream os;
  os.push(f);
  os.push(bytesio::bytes_device(sink), 1);
  os.write(data.data(), static_cast<std::streamsize>(data.size()));
  BOOST_CHECK_THROW(os.reset(), std::runtime_error);
  BOOST_TEST(str(sink.view()) == data.substr(0, 300));
  BOOST_TEST(f.bytes() == 300u);
  BOOST_TEST(calls == (std::vector<std::uint64_t>{100, 200, 300}));

  // Thrown from the ending close: propagates once, then the filter is fresh.
  calls.clear();
  std::string out;
  io::back_insert_device<std::string> snk(out);
  progress_filter at_end(
      [&](std::uint64_t k) {
        calls.push_back(k);
        if (k == 5)
          throw std::runtime_error("at the end");
      },
      0);
  io::write(at_end, snk, "hello", 5);
  BOOST_CHECK_THROW(io::close(at_end, snk, std::ios_base::out), std::runtime_error);
  io::write(at_end, snk, "hi", 2);
  io::close(at_end, snk, std::ios_base::out);
  BOOST_TEST(calls == (std::vector<std::uint64_t>{5, 2}));
  BOOST_TEST(out == "hellohi");
}

BOOST_AUTO_TEST_SUITE_END()
