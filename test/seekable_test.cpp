// SPDX-License-Identifier: BSL-1.0
// Boost.Iostreams' seekable-device test pattern (see its
// test/detail/verification.hpp): a 59-byte chunk written 300 times, with
// seeks relative to cur, beg and end, reading back each chunk just written
// and writing it again, one char at a time and in whole chunks; then the
// input-only and output-only variants. Run through a bytes_stream and
// through a boost::iostreams::stream<bytes_device> at several buffer sizes.
#include "bytesio/iostreams.hpp"

#define BOOST_TEST_MODULE seekable_test
#include <boost/iostreams/stream.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstring>
#include <ios>
#include <iostream>
#include <string>

namespace {

constexpr int chunk_size = 59;
constexpr int reps = 300;

// 59 distinct-enough bytes, including '\n', '\0' and bytes >= 0x80, so a
// stray newline or sign conversion shows up.
const std::array<char, chunk_size> &chunk() {
  static const auto data = [] {
    std::array<char, chunk_size> a{};
    for (int i = 0; i < chunk_size; ++i)
      a[static_cast<std::size_t>(i)] = static_cast<char>((i * 37 + 11) % 256);
    a[5] = '\n';
    a[17] = '\0';
    return a;
  }();
  return data;
}

std::string expected_contents() {
  std::string all;
  for (int i = 0; i < reps; ++i)
    all.append(chunk().data(), chunk_size);
  return all;
}

void put_chunk(std::ostream &io, bool by_char) {
  if (by_char)
    for (char c : chunk())
      io.put(c);
  else
    io.write(chunk().data(), chunk_size);
}

// Reads one chunk back and compares it.
bool get_chunk(std::istream &io, bool by_char) {
  if (by_char) {
    for (char c : chunk())
      if (io.get() != std::char_traits<char>::to_int_type(c))
        return false;
    return true;
  }
  std::array<char, chunk_size> got{};
  io.read(got.data(), chunk_size);
  return io.gcount() == chunk_size && got == chunk();
}

// The three passes of the read-write pattern; `where(i)` gives the offset
// and direction to return to the start of the i-th chunk.
template <class Where>
bool seekable_pass(std::iostream &io, bool by_char, Where where) {
  for (int i = 0; i < reps; ++i) {
    put_chunk(io, by_char);
    const auto [off, dir] = where(i);
    io.seekp(off, dir);
    if (!get_chunk(io, by_char))
      return false;
    io.seekp(off, dir);
    put_chunk(io, by_char);
  }
  return io.good();
}

bool test_seekable(std::iostream &io, bool by_char) {
  const std::streamoff total = std::streamoff{chunk_size} * reps;
  const bool cur = seekable_pass(io, by_char, [](int) {
    return std::pair{std::streamoff{-chunk_size}, std::ios_base::cur};
  });
  io.seekp(0, std::ios_base::beg);
  const bool beg = seekable_pass(io, by_char, [](int i) {
    return std::pair{std::streamoff{i} * chunk_size, std::ios_base::beg};
  });
  io.seekp(0, std::ios_base::end);
  const std::streamoff end_off = io.tellp();
  io.seekp(-end_off, std::ios_base::end);
  const bool end = seekable_pass(io, by_char, [end_off](int i) {
    return std::pair{-(end_off - std::streamoff{i} * chunk_size), std::ios_base::end};
  });
  BOOST_TEST(cur);
  BOOST_TEST(beg);
  BOOST_TEST(end);
  BOOST_TEST(end_off == total);
  return cur && beg && end && io.good();
}

bool test_input_seekable(std::istream &io) {
  bool ok = true;
  for (int i = 0; i < reps && ok; ++i) {
    ok = get_chunk(io, true);
    io.seekg(-chunk_size, std::ios_base::cur);
    ok = ok && get_chunk(io, false);
  }
  io.seekg(0, std::ios_base::beg);
  for (int i = 0; i < reps && ok; ++i) {
    ok = get_chunk(io, true);
    io.seekg(std::streamoff{i} * chunk_size, std::ios_base::beg);
    ok = ok && get_chunk(io, false);
  }
  io.seekg(0, std::ios_base::end);
  std::streamoff off = io.tellg();
  io.seekg(-off, std::ios_base::end);
  for (int i = 0; i < reps && ok; ++i, off -= chunk_size) {
    ok = get_chunk(io, true);
    io.seekg(-off, std::ios_base::end);
    ok = ok && get_chunk(io, false);
  }
  // One more read meets the end.
  ok = ok && io.get() == std::char_traits<char>::eof() && io.eof();
  return ok;
}

std::string contents(const bytesio::bytes_buf &buf) {
  const auto v = buf.view();
  return {reinterpret_cast<const char *>(v.data()), v.size()};
}

constexpr std::streamsize buffer_sizes[] = {1, 7, 59, 4096, 65536};

} // namespace

BOOST_AUTO_TEST_CASE(bytes_stream_seekable_in_chars) {
  bytesio::bytes_stream io;
  BOOST_TEST(test_seekable(io, true));
  BOOST_TEST(io.size() == std::size_t{chunk_size} * reps);
  BOOST_TEST(contents(io.buf()) == expected_contents());
}

BOOST_AUTO_TEST_CASE(bytes_stream_seekable_in_chunks) {
  bytesio::bytes_stream io;
  BOOST_TEST(test_seekable(io, false));
  BOOST_TEST(contents(io.buf()) == expected_contents());
}

BOOST_AUTO_TEST_CASE(bytes_stream_input_seekable) {
  bytesio::bytes_stream io(expected_contents());
  BOOST_TEST(test_input_seekable(io));
}

BOOST_AUTO_TEST_CASE(bytes_stream_output_seekable) {
  bytesio::bytes_stream io;
  for (int i = 0; i < reps; ++i) {
    put_chunk(io, true);
    io.seekp(-chunk_size, std::ios_base::cur);
    put_chunk(io, false);
  }
  io.seekp(0, std::ios_base::beg);
  for (int i = 0; i < reps; ++i) {
    put_chunk(io, true);
    io.seekp(std::streamoff{i} * chunk_size, std::ios_base::beg);
    put_chunk(io, false);
  }
  BOOST_TEST(io.good());
  BOOST_TEST(contents(io.buf()) == expected_contents());
}

BOOST_AUTO_TEST_CASE(device_stream_seekable) {
  for (const std::streamsize size : buffer_sizes) {
    for (const bool by_char : {true, false}) {
      BOOST_TEST_CONTEXT("buffer " << size << (by_char ? ", chars" : ", chunks")) {
        bytesio::bytes_buf buf;
        {
          boost::iostreams::stream<bytesio::bytes_device> io(bytesio::bytes_device(buf), size);
          BOOST_TEST(test_seekable(io, by_char));
        } // closing flushes
        BOOST_TEST(buf.size() == std::size_t{chunk_size} * reps);
        BOOST_TEST(contents(buf) == expected_contents());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(device_stream_input_seekable) {
  for (const std::streamsize size : buffer_sizes) {
    BOOST_TEST_CONTEXT("buffer " << size) {
      bytesio::bytes_buf buf(expected_contents());
      boost::iostreams::stream<bytesio::bytes_device> io(bytesio::bytes_device(buf), size);
      BOOST_TEST(test_input_seekable(io));
    }
  }
}

BOOST_AUTO_TEST_CASE(device_stream_shares_the_buffer_position) {
  // The device reads and writes at the buffer's one position: what the
  // stream flushed is where the buffer's own API finds it.
  bytesio::bytes_buf buf;
  {
    boost::iostreams::stream<bytesio::bytes_device> io(bytesio::bytes_device(buf), 7);
    put_chunk(io, false);
    io.seekp(-10, std::ios_base::end);
    io.flush();
    BOOST_TEST(buf.tell() == std::uint64_t{chunk_size - 10});
  }
  BOOST_TEST(buf.size() == std::size_t{chunk_size});
  buf.seek(3);
  const auto got = buf.read(4);
  BOOST_TEST(std::string(reinterpret_cast<const char *>(got.data()), got.size()) ==
             std::string(chunk().data() + 3, 4));
}
