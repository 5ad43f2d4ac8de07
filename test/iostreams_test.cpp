// SPDX-License-Identifier: BSL-1.0
#include "bytesio/iostreams.hpp"

#define BOOST_TEST_MODULE iostreams
#include <boost/test/unit_test.hpp>

#include "support/subjects.hpp"
#include "support/test_support.hpp"

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filter/zlib.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <boost/iostreams/stream.hpp>

#include <cstddef>
#include <ios>
#include <istream>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace io = boost::iostreams;
using bytesio::bytes_buf;
using bytesio::bytes_device;
using bytesio::bytes_stream;
using bytesio::errc;
using namespace bytesio::test;

namespace {

std::string contents(const bytes_buf &buf) { return str(buf.view()); }

// Deterministic, mildly compressible text of `n` bytes.
std::string sample(std::size_t n) {
  std::string s;
  s.reserve(n);
  std::size_t i = 0;
  while (s.size() < n) {
    s += "row " + std::to_string(i) + ",alpha," + std::to_string(i * 7919 % 1000) + "\n";
    ++i;
  }
  s.resize(n);
  return s;
}

// Reads an istream to its end in odd-sized chunks.
std::string drain(std::istream &in) {
  std::string out;
  char chunk[777];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0)
    out.append(chunk, static_cast<std::size_t>(in.gcount()));
  return out;
}

} // namespace

// ---- the concept --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(device_is_a_seekable_char_device) {
  static_assert(std::is_same_v<io::char_type_of<bytes_device>::type, char>);
  static_assert(
      std::is_convertible_v<io::category_of<bytes_device>::type, io::seekable_device_tag>);
  static_assert(std::is_same_v<io::mode_of<bytes_device>::type, io::seekable>);
  static_assert(std::is_copy_constructible_v<bytes_device>);
  bytes_buf buf;
  bytes_device dev(buf);
  BOOST_TEST(&dev.buf() == &buf);
  bytes_stream s;
  bytesio::basic_bytes_device dev2(s); // deduction guide from a stream
  static_assert(std::is_same_v<decltype(dev2), bytes_device>);
  BOOST_TEST(&dev2.buf() == &s.buf());
  BOOST_TEST(io::optimal_buffer_size(dev) >= 4096);
}

// ---- every device: it moves its buffer's one position ------------------------

namespace {

// A device over each buffer of the library (test/support/subjects.hpp), with
// the contents given; the same contract for all three devices.
struct bytes_case {
  using buf_type = bytes_subject<bytesio::byte_vector>;
  using device = bytes_device;
};
template <std::size_t Threshold>
struct spooled_case {
  using buf_type = spooled_subject<Threshold>;
  using device = bytesio::spooled_device;
};
struct span_case {
  using buf_type = span_subject;
  using device = bytesio::span_device;
};
using device_cases = std::tuple<bytes_case, spooled_case<0>, spooled_case<1>, span_case>;

template <class Buf>
std::string all_of(const Buf &b) {
  if constexpr (requires { b.getvalue(); })
    return str(b.getvalue());
  else
    return str(b.view());
}

} // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(devices_read_and_seek_at_the_one_position, C, device_cases) {
  using device = typename C::device;
  static_assert(std::is_same_v<typename io::char_type_of<device>::type, char>);
  static_assert(std::is_convertible_v<typename io::category_of<device>::type, io::input_seekable>);
  static_assert(std::is_convertible_v<typename io::category_of<device>::type, io::closable_tag>);
  typename C::buf_type buf("hello world");
  device dev(buf);
  BOOST_TEST(&dev.buf() == &buf);
  BOOST_TEST(io::optimal_buffer_size(dev) >= 4096);
  buf.seek(6);
  char got[16] = {};
  BOOST_TEST(dev.read(got, 3) == 3);
  BOOST_TEST(std::string_view(got, 3) == "wor");
  BOOST_TEST(buf.tell() == 9u);
  BOOST_TEST(dev.read(got, 16) == 2); // a short read near the end
  BOOST_TEST(dev.read(got, 4) == -1); // at the end: EOF, not 0
  BOOST_TEST(dev.read(got, 0) == 0);
  BOOST_TEST(std::streamoff(dev.seek(3, std::ios_base::beg)) == 3);
  BOOST_TEST(std::streamoff(dev.seek(2, std::ios_base::cur)) == 5);
  BOOST_TEST(std::streamoff(dev.seek(-1, std::ios_base::end)) == 10);
  BOOST_TEST(std::streamoff(dev.seek(4, std::ios_base::end)) == 15); // past the end
  BOOST_TEST(dev.read(got, 1) == -1);
  BOOST_CHECK_EXCEPTION(dev.seek(-1, std::ios_base::beg), std::ios_base::failure,
                        has_code(errc::invalid_argument));
  BOOST_CHECK_EXCEPTION(dev.seek(std::numeric_limits<std::int64_t>::max(), std::ios_base::cur),
                        std::ios_base::failure, has_code(errc::invalid_argument));
  BOOST_TEST(buf.tell() == 15u); // a failed seek does not move
  // Through a Boost stream, which continues at the buffer's position.
  buf.seek(4);
  io::stream<device> in(buf);
  std::string word;
  in >> word;
  BOOST_TEST(word == "o");
  in.seekg(0);
  std::getline(in, word);
  BOOST_TEST(word == "hello world");
  BOOST_TEST(all_of(buf) == "hello world"); // reading changed nothing
  buf.close();
  BOOST_CHECK_EXCEPTION(dev.read(got, 1), std::ios_base::failure, has_code(errc::closed));
  BOOST_CHECK_EXCEPTION(dev.seek(0, std::ios_base::cur), std::ios_base::failure,
                        has_code(errc::closed));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(devices_write_at_the_one_position, C, device_cases) {
  using device = typename C::device;
  typename C::buf_type buf("0123456789");
  if constexpr (!device::writable) {
    static_assert(!std::is_convertible_v<typename io::category_of<device>::type, io::output>,
                  "a read-only buffer gives a Source");
    BOOST_TEST(all_of(buf) == "0123456789");
  } else {
    static_assert(
        std::is_convertible_v<typename io::category_of<device>::type, io::seekable_device_tag>);
    device dev(buf);
    buf.seek(8);
    BOOST_TEST(dev.write("XYZ", 3) == 3); // overwrites "89", then extends
    BOOST_TEST(all_of(buf) == "01234567XYZ");
    BOOST_TEST(buf.tell() == 11u);
    BOOST_TEST(dev.write("x", 0) == 0);
    dev.seek(3, std::ios_base::end);
    BOOST_TEST(dev.write("ab", 2) == 2);
    BOOST_TEST(all_of(buf) == std::string("01234567XYZ\0\0\0ab", 16));
    // Through a chain: output lands at the position, the chain's close
    // leaves the buffer open.
    buf.seek(1);
    {
      io::filtering_ostream out;
      out.push(device(buf));
      out << "one";
    }
    BOOST_TEST(all_of(buf).substr(0, 5) == "0one4");
    BOOST_TEST(!buf.closed());
    // A write the buffer refuses is reported, at the latest by the chain's close.
    buf.set_size_limit(16);
    buf.seek(0, std::ios_base::end);
    io::filtering_ostream out;
    out.push(device(buf));
    out << "more";
    BOOST_CHECK_EXCEPTION(out.reset(), std::ios_base::failure, has_code(errc::size_limit));
    BOOST_TEST(buf.size() == 16u);
  }
}

// ---- stream<bytes_device> ---------------------------------------------------

BOOST_AUTO_TEST_CASE(stream_of_device_writes_then_reads_back) {
  bytes_buf buf;
  {
    io::stream<bytes_device> s(buf);
    s << "line one\n" << 42 << '\n';
    s.write("tail", 4);
    BOOST_TEST(s.good());
  } // closing the stream flushes; the device is not closable
  BOOST_TEST(contents(buf) == "line one\n42\ntail");
  BOOST_TEST(!buf.closed());
  BOOST_TEST(buf.tell() == 16u);

  buf.seek(0);
  io::stream<bytes_device> in(buf);
  std::string word;
  int n = 0;
  in >> word;
  BOOST_TEST(word == "line");
  in >> word >> n;
  BOOST_TEST(word == "one");
  BOOST_TEST(n == 42);
}

BOOST_AUTO_TEST_CASE(stream_of_device_seeks_and_zero_fills) {
  bytes_buf buf("abcdefgh");
  io::stream<bytes_device> s(buf);
  BOOST_TEST(std::streamoff(s.seekg(2, std::ios_base::beg).tellg()) == 2);
  char c = 0;
  BOOST_TEST(s.get(c).good());
  BOOST_TEST(c == 'c');
  // tellg accounts for Boost's read-ahead: the logical position is 3.
  BOOST_TEST(std::streamoff(s.tellg()) == 3);
  s.seekg(2, std::ios_base::cur);
  BOOST_TEST(s.get(c).good());
  BOOST_TEST(c == 'f');
  s.seekg(-1, std::ios_base::end);
  BOOST_TEST(s.get(c).good());
  BOOST_TEST(c == 'h');
  s.seekp(3, std::ios_base::end); // past the end
  s.write("XY", 2);
  s.flush();
  BOOST_TEST(s.good());
  BOOST_TEST(contents(buf) == std::string("abcdefgh\0\0\0XY", 13));
  // overwrite in the middle, then read what follows
  s.seekp(1, std::ios_base::beg);
  s.write("BC", 2);
  BOOST_TEST(s.get(c).good()); // reading after writing on the one position
  BOOST_TEST(c == 'd');
  s.flush();
  BOOST_TEST(contents(buf).substr(0, 5) == "aBCde");
  // a negative target fails the stream
  s.seekg(-100, std::ios_base::cur);
  BOOST_TEST(s.fail());
}

BOOST_AUTO_TEST_CASE(stream_of_device_continues_at_the_buffers_position) {
  bytes_buf buf("0123456789");
  buf.seek(4);
  io::stream<bytes_device> s(buf);
  char got[3] = {};
  s.read(got, 3);
  BOOST_TEST(std::string_view(got, 3) == "456");
  s.close();
  // a writer starting where a file-like write left off
  buf.seek(10);
  buf.write(std::string_view("AB"));
  {
    io::stream<bytes_device> w(buf);
    w << "CD";
  }
  BOOST_TEST(contents(buf) == "0123456789ABCD");
}

BOOST_AUTO_TEST_CASE(stream_of_device_over_a_std_string_storage) {
  bytesio::basic_bytes_buf<std::string> buf;
  io::stream<bytesio::basic_bytes_device<std::string>> s(buf);
  s << "via std::string";
  s.flush();
  BOOST_TEST(buf.getvalue() == "via std::string");
}

// ---- copy ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(copy_from_and_to_the_device) {
  const std::string text = sample(300000);
  bytes_buf dst;
  const std::streamsize n = io::copy(io::array_source(text.data(), text.size()), bytes_device(dst));
  BOOST_TEST(n == static_cast<std::streamsize>(text.size()));
  BOOST_TEST(contents(dst) == text);

  dst.seek(1000);
  std::string back;
  io::copy(bytes_device(dst), io::back_inserter(back));
  BOOST_TEST(back == text.substr(1000));
  BOOST_TEST(dst.tell() == text.size());

  bytes_buf empty, copy_of_empty;
  BOOST_TEST(io::copy(bytes_device(empty), bytes_device(copy_of_empty)) == 0);
  BOOST_TEST(copy_of_empty.size() == 0u);
}

// ---- at the end of filtering streams -------------------------------------------

BOOST_AUTO_TEST_CASE(filtering_streams_end_in_the_device) {
  const std::string text = sample(200000);
  bytes_buf packed;
  {
    io::filtering_ostream out;
    out.push(io::zlib_compressor());
    out.push(bytes_device(packed));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    BOOST_TEST(out.good());
  }
  BOOST_TEST(packed.size() > 0u);
  BOOST_TEST(packed.size() < text.size() / 2);

  packed.seek(0);
  io::filtering_istream in;
  in.push(io::zlib_decompressor());
  in.push(bytes_device(packed));
  BOOST_TEST(drain(in) == text);
  BOOST_TEST(in.eof());
  BOOST_TEST(!in.bad());
}

BOOST_AUTO_TEST_CASE(filtering_ostream_without_filters_appends_at_the_position) {
  bytes_buf buf("keep:");
  buf.seek(0, std::ios_base::end);
  io::filtering_ostream out(bytes_device{buf});
  out << "more";
  io::close(out);
  BOOST_TEST(contents(buf) == "keep:more");
}

// ---- a bytes_buf and a bytes_stream pushed directly ------------------------------

BOOST_AUTO_TEST_CASE(bytes_buf_pushed_as_a_streambuf) {
  const std::string text = sample(100000);
  bytes_buf packed;
  {
    io::filtering_ostream out;
    out.push(io::zlib_compressor());
    out.push(static_cast<std::streambuf &>(packed));
    out << text;
  }
  BOOST_TEST(packed.size() > 0u);
  packed.seek(0);
  bytes_buf unpacked;
  {
    io::filtering_istream in;
    in.push(io::zlib_decompressor());
    in.push(static_cast<std::streambuf &>(packed));
    io::copy(in, bytes_device(unpacked));
  }
  BOOST_TEST(contents(unpacked) == text);
}

BOOST_AUTO_TEST_CASE(bytes_stream_pushed_as_a_std_stream) {
  const std::string text = sample(100000);
  bytes_stream packed;
  {
    io::filtering_ostream out;
    out.push(io::zlib_compressor());
    out.push(static_cast<std::ostream &>(packed));
    out << text;
  }
  BOOST_TEST(packed.size() > 0u);
  packed.seekg(0);
  io::filtering_istream in;
  in.push(io::zlib_decompressor());
  in.push(static_cast<std::istream &>(packed));
  BOOST_TEST(drain(in) == text);

  // and the whole bytes_stream as an iostream device, without a cast
  bytes_stream both;
  {
    io::filtering_ostream out;
    out.push(both);
    out << "as iostream";
  }
  BOOST_TEST(str(both.view()) == "as iostream");
}

// ---- errors --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(size_limit_sets_badbit_without_exceptions) {
  bytes_buf buf;
  buf.set_size_limit(1000);
  io::stream<bytes_device> s(bytes_device(buf),
                             256); // a small buffer, so the device sees writes early
  const std::string text = sample(5000);
  s.write(text.data(), static_cast<std::streamsize>(text.size()));
  s.flush();
  BOOST_TEST(s.bad());
  BOOST_TEST(buf.size() <= 1000u);
  BOOST_TEST(contents(buf) == text.substr(0, buf.size())); // what landed is a prefix
}

BOOST_AUTO_TEST_CASE(size_limit_rethrows_the_devices_failure) {
  bytes_buf buf;
  buf.set_size_limit(1000);
  io::filtering_ostream out;
  out.push(bytes_device(buf), 256);
  out.exceptions(std::ios_base::badbit | std::ios_base::failbit); // after push: empty is bad
  const std::string text = sample(5000);
  BOOST_CHECK_EXCEPTION(
      {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
      },
      std::ios_base::failure, has_code(errc::size_limit));
  BOOST_TEST(out.bad());
  BOOST_TEST(buf.size() <= 1000u);
  out.exceptions(std::ios_base::goodbit);
  // The device remembers the failure and its close() reports it once more,
  // with its code; after that the chain is clean.
  BOOST_CHECK_EXCEPTION(out.reset(), std::ios_base::failure, has_code(errc::size_limit));
  out.reset();
  BOOST_TEST(buf.size() <= 1000u);
}

BOOST_AUTO_TEST_CASE(a_failure_swallowed_by_boost_at_close_still_reaches_the_user) {
  // Boost flushes a buffered device inside its own sync() at close and
  // swallows what it throws; without the device's memory of the failure,
  // reset() would return normally with the last bytes lost.
  bytes_buf buf;
  buf.set_size_limit(3);
  io::filtering_ostream out;
  out.push(bytes_device(buf)); // Boost's default buffer: nothing reaches the device before close
  out << "hello";
  BOOST_TEST(out.good());
  BOOST_CHECK_EXCEPTION(out.reset(), std::ios_base::failure, has_code(errc::size_limit));
  BOOST_TEST(buf.size() == 0u); // all or nothing: the write of 5 bytes landed nothing
}

BOOST_AUTO_TEST_CASE(closed_buffer_fails_reads_and_writes) {
  bytes_buf buf("data");
  buf.close();
  {
    io::stream<bytes_device> s(buf);
    char c = 0;
    s.get(c);
    BOOST_TEST(s.bad());
  }
  {
    io::stream<bytes_device> s(buf);
    s.exceptions(std::ios_base::badbit);
    char c = 0;
    BOOST_CHECK_EXCEPTION(s.get(c), std::ios_base::failure, has_code(errc::closed));
  }
  {
    // A write that overflows Boost's buffer reaches the device inside
    // overflow(), whose exception the stream rethrows unchanged.
    io::filtering_ostream out(bytes_device{buf}, 16);
    out.exceptions(std::ios_base::badbit);
    BOOST_CHECK_EXCEPTION(out.write("0123456789abcdefghij", 20), std::ios_base::failure,
                          has_code(errc::closed));
    out.exceptions(std::ios_base::goodbit);
    BOOST_CHECK_EXCEPTION(out.reset(), std::ios_base::failure, has_code(errc::closed));
  }
  {
    // flush() goes through Boost's sync(), which swallows the device's
    // exception and returns -1: the stream sees badbit and throws its own
    // generic failure, so the code is lost there (Boost's behaviour); the
    // device's close() gives it back at reset().
    io::filtering_ostream out(bytes_device{buf});
    out.exceptions(std::ios_base::badbit);
    out << "x";
    BOOST_CHECK_THROW(out.flush(), std::ios_base::failure);
    BOOST_TEST(out.bad());
    out.exceptions(std::ios_base::goodbit);
    BOOST_CHECK_EXCEPTION(out.reset(), std::ios_base::failure, has_code(errc::closed));
  }
  {
    io::filtering_ostream out(bytes_device{buf});
    out << "x";
    out.flush();
    BOOST_TEST(out.bad());
    BOOST_CHECK_EXCEPTION(out.reset(), std::ios_base::failure, has_code(errc::closed));
    out.reset(); // reported once
  }
  bytes_device dev(buf);
  BOOST_CHECK_EXCEPTION(dev.seek(0, std::ios_base::cur), std::ios_base::failure,
                        has_code(errc::closed));
}

BOOST_AUTO_TEST_CASE(exported_buffer_refuses_writes_but_allows_reads) {
  bytes_buf buf("pinned");
  auto view = buf.getbuffer();
  {
    io::stream<bytes_device> s(bytes_device(buf), 16);
    s.exceptions(std::ios_base::badbit);
    const std::string big(100, 'x'); // more than Boost's 16 + putback bytes
    BOOST_CHECK_EXCEPTION(s.write(big.data(), 100), std::ios_base::failure,
                          has_code(errc::buffer_exported));
    s.exceptions(std::ios_base::goodbit);
    s.clear();
  } // the stream's destructor must swallow the pending write's failure
  {
    io::stream<bytes_device> s(buf);
    s << "x";
    s.flush();
    BOOST_TEST(s.bad());
  }
  BOOST_TEST(contents(buf) == "pinned"); // nothing changed
  buf.seek(0);
  io::stream<bytes_device> in(buf);
  std::string word;
  in >> word;
  BOOST_TEST(word == "pinned");
  view.release();
  io::stream<bytes_device> again(buf);
  again.seekp(0);
  again << "P";
  again.flush();
  BOOST_TEST(again.good());
  BOOST_TEST(contents(buf) == "Pinned");
}
