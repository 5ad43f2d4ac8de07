// SPDX-License-Identifier: BSL-1.0
#include "bytesio/iostreams.hpp"

#define BOOST_TEST_MODULE bomb
#include <boost/test/unit_test.hpp>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <cstddef>
#include <fstream>
#include <ios>
#include <string>
#include <vector>

// Its own executable, so that the peak resident memory it reads at the end
// (VmHWM) belongs to the bomb and nothing else.

namespace io = boost::iostreams;
using bytesio::bytes_buf;
using bytesio::bytes_device;
using bytesio::errc;

namespace {

constexpr std::size_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr std::size_t bomb_size = 1 * GiB;
constexpr std::size_t limit = 64 * MiB;

// One gzip member holding 1 GiB of zeros, compressed a chunk at a time so
// the 1 GiB never exists in memory (about 1 MiB compressed).
const bytes_buf &bomb() {
  static const bytes_buf packed = [] {
    bytes_buf out;
    io::filtering_ostream chain;
    chain.push(io::gzip_compressor(io::gzip_params(9), 256 * KiB), 256 * KiB);
    chain.push(bytes_device(out));
    const std::vector<char> zeros(MiB, 0);
    for (std::size_t done = 0; done < bomb_size; done += zeros.size())
      chain.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    io::close(chain);
    BOOST_TEST_REQUIRE(!chain.bad());
    out.seek(0);
    return out;
  }();
  return packed;
}

std::size_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      std::size_t kib = 0;
      status >> kib;
      return kib * KiB;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

bool is_size_limit(const std::ios_base::failure &e) { return e.code() == errc::size_limit; }

} // namespace

BOOST_AUTO_TEST_CASE(the_bomb_is_small_and_real) {
  const bytes_buf &packed = bomb();
  BOOST_TEST(packed.size() < 2 * MiB);
  // ISIZE, the last four bytes, is the uncompressed length mod 2^32: 1 GiB.
  const auto tail = packed.view().last(4);
  const std::size_t isize = std::size_t(std::to_integer<unsigned char>(tail[0])) |
                            std::size_t(std::to_integer<unsigned char>(tail[1])) << 8 |
                            std::size_t(std::to_integer<unsigned char>(tail[2])) << 16 |
                            std::size_t(std::to_integer<unsigned char>(tail[3])) << 24;
  BOOST_TEST(isize == bomb_size);
}

BOOST_AUTO_TEST_CASE(input_chain_stops_at_the_limit) {
  bytes_buf src(bomb().view()), dst;
  dst.set_size_limit(limit);
  io::filtering_istream in;
  in.push(io::gzip_decompressor(io::zlib::default_window_bits, 64 * KiB), 64 * KiB);
  in.push(bytes_device(src));
  BOOST_CHECK_EXCEPTION(io::copy(in, bytes_device(dst), 64 * KiB), std::ios_base::failure,
                        is_size_limit);
  // The device writes all or nothing: just under the limit, never over.
  BOOST_TEST(dst.size() <= limit);
  BOOST_TEST(dst.size() > limit - 64 * KiB);
  BOOST_TEST(src.tell() < src.size()); // it stopped early, not after inflating it all
}

BOOST_AUTO_TEST_CASE(output_chain_stops_at_the_limit) {
  const bytes_buf &packed = bomb();
  for (bool exceptions : {true, false}) {
    BOOST_TEST_CONTEXT("exceptions " << exceptions) {
      bytes_buf dst;
      dst.set_size_limit(limit);
      io::filtering_ostream out;
      out.push(io::gzip_decompressor());
      out.push(bytes_device(dst));
      if (exceptions) {
        out.exceptions(std::ios_base::badbit);
        BOOST_CHECK_EXCEPTION(out.write(reinterpret_cast<const char *>(packed.view().data()),
                                        static_cast<std::streamsize>(packed.size())),
                              std::ios_base::failure, is_size_limit);
        out.exceptions(std::ios_base::goodbit);
      } else {
        out.write(reinterpret_cast<const char *>(packed.view().data()),
                  static_cast<std::streamsize>(packed.size()));
        BOOST_TEST(out.bad());
      }
      BOOST_TEST(dst.size() <= limit);
      BOOST_TEST(dst.size() > limit / 2);
      // Closing the chain makes the decompressor flush what it still holds,
      // which hits the limit again: Boost's close (and reset) rethrow the
      // device's failure whatever exceptions() say. The destructor would
      // swallow it. Either way nothing passes the limit.
      BOOST_CHECK_EXCEPTION(out.reset(), std::ios_base::failure, is_size_limit);
      BOOST_TEST(dst.size() <= limit);
    }
  }
}

BOOST_AUTO_TEST_CASE(istream_reads_into_a_limited_bytes_stream) {
  // The stream flavour: a std::istream loop writing into a bytes_stream,
  // whose streambuf lands bytes up to the limit and then sets badbit.
  bytes_buf src(bomb().view());
  bytesio::bytes_stream dst;
  dst.buf().set_size_limit(limit);
  io::filtering_istream in;
  in.push(io::gzip_decompressor());
  in.push(bytes_device(src));
  std::vector<char> chunk(256 * KiB);
  while (dst &&
         (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0))
    dst.write(chunk.data(), in.gcount());
  BOOST_TEST(dst.bad());
  BOOST_TEST(dst.size() <= limit);
  BOOST_TEST(dst.size() > limit - chunk.size());
}

BOOST_AUTO_TEST_CASE(peak_memory_stays_bounded) {
  // Runs last: everything above ran in this process, bomb included.
  const std::size_t peak = peak_rss_bytes();
  BOOST_TEST_MESSAGE("peak RSS (VmHWM): " << peak / KiB << " KiB");
  BOOST_TEST(peak > 0u);
  BOOST_TEST(peak < 200 * MiB);
}
