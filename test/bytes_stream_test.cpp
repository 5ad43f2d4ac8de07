// SPDX-License-Identifier: BSL-1.0
#include "bytesio/bytes_stream.hpp"

#define BOOST_TEST_MODULE bytes_stream
#include "support/unit_test.hpp"

#include "support/contract.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <ios>
#include <istream>
#include <iterator>
#include <memory_resource>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

using namespace std::string_literals;
using bytesio::basic_bytes_stream;
using bytesio::errc;
using namespace bytesio::test;

namespace {

// Code written against the standard interfaces, as a user's would be.
void produce(std::ostream &out) {
  out << "header " << 42 << ' ' << -7 << ' ' << 2.5 << '\n';
  out.write("\0\xff\x01", 3);
  out.put('\n');
  out << "last line";
}

struct consumed {
  std::string word;
  int a = 0, b = 0;
  double d = 0;
  std::string raw;
  std::string last;
  bool operator==(const consumed &) const = default;
};

consumed consume(std::istream &in) {
  consumed c;
  in >> c.word >> c.a >> c.b >> c.d;
  in.ignore(1); // the '\n'
  c.raw.resize(3);
  in.read(c.raw.data(), 3);
  in.get(); // '\n'
  std::getline(in, c.last);
  return c;
}

std::ostream &operator<<(std::ostream &os, const consumed &c) {
  return os << c.word << '|' << c.a << '|' << c.b << '|' << c.d << '|' << c.last;
}

} // namespace

// The contents and the one position (tellg and tellp must agree).
#define BYTESIO_CHECK_STREAM(s, expected, position)                                                \
  do {                                                                                             \
    BOOST_TEST(str((s).view()) == (expected));                                                     \
    BOOST_TEST(str((s).getvalue()) == (expected));                                                 \
    BOOST_TEST((s).size() == std::string(expected).size());                                        \
    BOOST_TEST((s).buf().tell() == std::uint64_t(position));                                       \
  } while (0)

// ---- a drop-in for std::stringstream -----------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(formatted_io_matches_stringstream, S, storage_types) {
  std::stringstream ref;
  basic_bytes_stream<S> s;
  produce(ref);
  produce(s);
  BOOST_TEST(s.good());
  BOOST_TEST(str(s.getvalue()) == ref.str());
  BOOST_TEST(s.tellp() == ref.tellp());
  s.seekg(0); // one position: reading starts where we say
  const consumed expected = consume(ref);
  const consumed got = consume(s);
  BOOST_TEST(got == expected);
  BOOST_TEST(got.word == "header");
  BOOST_TEST(got.raw == "\0\xff\x01"s);
  BOOST_TEST(got.last == "last line");
  BOOST_TEST(s.rdstate() == ref.rdstate()); // getline hit the end: eofbit
  BOOST_TEST(s.eof());
  BOOST_TEST(!s.fail());
  BOOST_TEST(s.get() == traits::eof());
  BOOST_TEST(ref.get() == traits::eof());
  BOOST_TEST(s.rdstate() == ref.rdstate());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(extraction_failures_match_stringstream, S, storage_types) {
  std::stringstream ref("12 abc");
  basic_bytes_stream<S> s{std::string_view("12 abc")};
  int a = 0, b = 0, ra = 0, rb = 0;
  ref >> ra >> rb;
  s >> a >> b;
  BOOST_TEST(a == 12);
  BOOST_TEST(a == ra);
  BOOST_TEST(b == rb);
  BOOST_TEST(s.rdstate() == ref.rdstate());
  BOOST_TEST(s.fail());
  BOOST_TEST(!s.bad());
  s.clear();
  std::string w;
  s >> w;
  BOOST_TEST(w == "abc");
  BOOST_TEST(s.eof());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_write_get_getline, S, storage_types) {
  basic_bytes_stream<S> s;
  const std::string data = "line1\nline2\n\xff\0tail"s;
  s.write(data.data(), std::streamsize(data.size()));
  BOOST_TEST(s.good());
  BYTESIO_CHECK_STREAM(s, data, data.size());
  s.seekg(0);
  char line[16] = {};
  s.getline(line, sizeof line);
  BOOST_TEST(std::string(line) == "line1");
  BOOST_TEST(s.gcount() == 6);
  std::string l2;
  std::getline(s, l2);
  BOOST_TEST(l2 == "line2");
  BOOST_TEST(s.peek() == 0xFF);
  BOOST_TEST(s.get() == 0xFF); // never taken for eof
  char c = 'x';
  BOOST_TEST(bool(s.get(c)));
  BOOST_TEST(c == '\0');
  char rest[8] = {};
  s.read(rest, 8);
  BOOST_TEST(s.gcount() == 4);
  BOOST_TEST(std::string(rest, 4) == "tail");
  BOOST_TEST(s.eof());
  BOOST_TEST(s.fail()); // a short read sets failbit, as for any istream
  s.clear();
  BOOST_TEST(s.tellg() == std::streampos(std::streamoff(data.size())));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(stream_iterators_and_rdbuf_copy, S, storage_types) {
  const std::string data = "\xff\x00\xfe binary\n"s;
  basic_bytes_stream<S> s{std::string_view(data)};
  std::string copy{std::istreambuf_iterator<char>(s), std::istreambuf_iterator<char>()};
  BOOST_TEST(copy == data);
  basic_bytes_stream<S> t;
  std::copy(data.begin(), data.end(), std::ostreambuf_iterator<char>(t));
  BYTESIO_CHECK_STREAM(t, data, data.size());
  basic_bytes_stream<S> u;
  t.seekg(0);
  u << t.rdbuf(); // streambuf to streambuf
  BYTESIO_CHECK_STREAM(u, data, data.size());
  BOOST_TEST(t.buf().tell() == data.size());
}

// ---- one position -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(seekg_seekp_tellg_tellp_share_one_position, S, storage_types) {
  basic_bytes_stream<S> s;
  s << "abcdef";
  BOOST_TEST(s.tellp() == std::streampos(6));
  BOOST_TEST(s.tellg() == std::streampos(6));
  s.seekg(2);
  BOOST_TEST(s.tellp() == std::streampos(2));
  s << 'X';
  BOOST_TEST(s.tellg() == std::streampos(3));
  BOOST_TEST(s.get() == 'd');
  BOOST_TEST(s.tellp() == std::streampos(4));
  s.seekp(0);
  BOOST_TEST(s.get() == 'a');
  s.seekg(-1, std::ios_base::end);
  BOOST_TEST(s.tellp() == std::streampos(5));
  s.seekp(1, std::ios_base::cur);
  BOOST_TEST(s.tellg() == std::streampos(6));
  BOOST_TEST(s.buf().tell() == 6u);
  BYTESIO_CHECK_STREAM(s, "abXdef", 6);
  BOOST_TEST(s.good());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_then_write_continues_at_read_position, S, storage_types) {
  // std::stringstream would write at its separate put position (0); a file
  // and bytes_stream write where reading stopped.
  basic_bytes_stream<S> s{std::string_view("0123456789")};
  char two[2];
  s.read(two, 2);
  s << "AB";
  BYTESIO_CHECK_STREAM(s, "01AB456789", 4);
  BOOST_TEST(s.get() == '4');
  s.buf().write(std::string_view("cd"));
  std::string rest;
  s >> rest;
  BOOST_TEST(rest == "789");
  BYTESIO_CHECK_STREAM(s, "01AB4cd789", 10);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_past_end_then_output_zero_fills, S, storage_types) {
  basic_bytes_stream<S> s{std::string_view("ab")};
  s.seekp(5);
  BOOST_TEST(s.good());
  BOOST_TEST(s.tellg() == std::streampos(5));
  BOOST_TEST(s.size() == 2u);
  s << "x";
  BYTESIO_CHECK_STREAM(s, "ab\0\0\0x"s, 6);
  s.seekg(3, std::ios_base::end);
  s.write("yz", 2);
  BYTESIO_CHECK_STREAM(s, "ab\0\0\0x\0\0\0yz"s, 11);
  s.seekg(2);
  char gap[3] = {1, 1, 1};
  s.read(gap, 3);
  BOOST_TEST(std::string(gap, 3) == "\0\0\0"s);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_to_negative_sets_failbit_and_keeps_position, S, storage_types) {
  basic_bytes_stream<S> s{std::string_view("abc")};
  s.seekg(2);
  s.seekg(-1, std::ios_base::beg);
  BOOST_TEST(s.fail());
  BOOST_TEST(!s.bad());
  s.clear();
  BOOST_TEST(s.tellg() == std::streampos(2));
  s.seekp(-3, std::ios_base::cur);
  BOOST_TEST(s.fail());
  s.clear();
  s.seekg(-4, std::ios_base::end);
  BOOST_TEST(s.fail());
  s.clear();
  BOOST_TEST(s.tellp() == std::streampos(2));
  BOOST_TEST(s.get() == 'c');
}

BOOST_AUTO_TEST_CASE_TEMPLATE(unget_putback_at_start_fail_like_stringstream, S, storage_types) {
  std::stringstream ref("abc");
  basic_bytes_stream<S> s{std::string_view("abc")};
  ref.unget();
  s.unget();
  BOOST_TEST(s.bad());
  BOOST_TEST(s.rdstate() == ref.rdstate());
  s.clear();
  BOOST_TEST(s.tellg() == std::streampos(0));
  BOOST_TEST(s.get() == 'a');
  s.unget();
  BOOST_TEST(s.good());
  BOOST_TEST(s.get() == 'a');
  s.putback('a');
  BOOST_TEST(s.good());
  BOOST_TEST(s.tellg() == std::streampos(0));
  BYTESIO_CHECK_STREAM(s, "abc", 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(in_avail_through_the_stream, S, storage_types) {
  basic_bytes_stream<S> s{std::string_view("abcdef")};
  BOOST_TEST(s.rdbuf()->in_avail() == 6);
  s.ignore(2);
  BOOST_TEST(s.rdbuf()->in_avail() == 4);
  char buf[8];
  BOOST_TEST(s.readsome(buf, 8) == 4);
  BOOST_TEST(std::string(buf, 4) == "cdef");
  BOOST_TEST(s.good());
}

// ---- errors: stream rules -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(closed_buffer_sets_stream_bits_without_throwing, S, storage_types) {
  basic_bytes_stream<S> s{std::string_view("abc")};
  s.buf().close();
  s << "x";
  BOOST_TEST(s.bad());
  s.clear();
  BOOST_TEST(s.get() == traits::eof());
  BOOST_TEST(s.fail());
  s.clear();
  s.seekg(0);
  BOOST_TEST(s.fail());
  s.clear();
  BOOST_TEST(s.tellg() == std::streampos(std::streamoff(-1)));
  s.clear();
  s.flush();
  BOOST_TEST(s.bad()); // pubsync fails on a closed buffer
  s.clear();
  BYTESIO_CHECK_ERRC(s.getvalue(), errc::closed);
  BYTESIO_CHECK_ERRC(s.take(), errc::closed);
  BOOST_TEST(s.size() == 0u);
  BOOST_TEST(s.view().empty());
  s.exceptions(std::ios_base::badbit);
  BOOST_CHECK_THROW(s << "x", std::ios_base::failure);
  s.clear();
  s.exceptions(std::ios_base::failbit);
  BOOST_CHECK_THROW(s.get(), std::ios_base::failure);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(pinned_buffer_refuses_stream_writes, S, storage_types) {
  basic_bytes_stream<S> s{std::string_view("abc")};
  s.seekp(1);
  auto v = s.buf().getbuffer();
  s << "XYZ";
  BOOST_TEST(s.bad());
  s.clear();
  s.put('Q');
  BOOST_TEST(s.bad());
  s.clear();
  s.write("", 0); // nothing to write: nothing fails
  BOOST_TEST(s.good());
  BYTESIO_CHECK_STREAM(s, "abc", 1);
  BOOST_TEST(s.get() == 'b'); // reading works
  s.exceptions(std::ios_base::badbit);
  BOOST_CHECK_THROW(s << "X", std::ios_base::failure);
  BYTESIO_CHECK_STREAM(s, "abc", 2);
  s.clear();
  s.exceptions(std::ios_base::goodbit);
  v.release();
  s << "X";
  BOOST_TEST(s.good());
  BYTESIO_CHECK_STREAM(s, "abX", 3);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_through_stream_lands_bytes_up_to_limit, S, storage_types) {
  basic_bytes_stream<S> s;
  s.buf().set_size_limit(5);
  s << "abc";
  BOOST_TEST(s.good());
  s << "defgh";
  BOOST_TEST(s.bad());
  BYTESIO_CHECK_STREAM(s, "abcde", 5);
  s.clear();
  s.put('!');
  BOOST_TEST(s.bad());
  BYTESIO_CHECK_STREAM(s, "abcde", 5);
  s.clear();
  s.seekp(0);
  s << "AB"; // in place is fine
  BOOST_TEST(s.good());
  BYTESIO_CHECK_STREAM(s, "ABcde", 2);
  s.exceptions(std::ios_base::badbit);
  s.seekp(4);
  BOOST_CHECK_THROW(s << "EF", std::ios_base::failure);
  BYTESIO_CHECK_STREAM(s, "ABcdE", 5);
}

// ---- construction, forwarding -------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(constructors_and_forwarders, S, storage_types) {
  const std::string raw = "\x01\x00\xff"s;
  basic_bytes_stream<S> a{std::as_bytes(std::span(raw))};
  BYTESIO_CHECK_STREAM(a, raw, 0);
  basic_bytes_stream<S> b{std::string_view("text")};
  BYTESIO_CHECK_STREAM(b, "text", 0);
  static_assert(std::is_same_v<decltype(b.rdbuf()), bytesio::basic_bytes_buf<S> *>);
  BOOST_TEST(b.rdbuf() == &b.buf());
  BOOST_TEST(static_cast<std::ios &>(b).rdbuf() == &b.buf());
  const auto &cb = b;
  BOOST_TEST(&cb.buf() == &b.buf());
  BOOST_TEST(b.view().data() == b.buf().view().data());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(adopt_and_take_copy_nothing, S, storage_types) {
  S s = make<S>(std::string(2000, 'z')); // beyond any small-string buffer
  const auto *p = reinterpret_cast<const std::byte *>(s.data());
  basic_bytes_stream<S> st{std::move(s)};
  BOOST_TEST(st.view().data() == p);
  BOOST_TEST(st.tellg() == std::streampos(0));
  BOOST_TEST(st.get() == 'z');
  S out = st.take();
  BOOST_TEST(reinterpret_cast<const std::byte *>(out.data()) == p);
  BOOST_TEST(out.size() == 2000u);
  BOOST_TEST(st.size() == 0u);
  BOOST_TEST(st.tellp() == std::streampos(0));
  st << "again";
  BYTESIO_CHECK_STREAM(st, "again", 5);
}

// ---- moves and swap --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(move_construct_keeps_contents_position_and_state, S, storage_types) {
  basic_bytes_stream<S> a;
  a << "hello world";
  a.seekg(6);
  BOOST_TEST(a.get() == 'w'); // a get area is live
  a.setf(std::ios_base::hex, std::ios_base::basefield);
  basic_bytes_stream<S> b{std::move(a)};
  BOOST_TEST(b.rdbuf() == &b.buf());
  BYTESIO_CHECK_STREAM(b, "hello world", 7);
  BOOST_TEST(b.get() == 'o');
  BOOST_TEST((b.flags() & std::ios_base::basefield) == std::ios_base::hex);
  b << 255;
  BYTESIO_CHECK_STREAM(b, "hello woffd", 10);
  // The source is empty and still a working stream over its own buffer.
  BOOST_TEST(a.rdbuf() == &a.buf());
  BYTESIO_CHECK_STREAM(a, "", 0);
  a.clear();
  a << "new";
  BYTESIO_CHECK_STREAM(a, "new", 3);
  BYTESIO_CHECK_STREAM(b, "hello woffd", 10);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(move_assign_fresh_stream_leaves_no_stale_state, S, storage_types) {
  basic_bytes_stream<S> a{std::string_view("stale contents")};
  char buf[32];
  a.read(buf, sizeof buf); // eof|fail, gcount 14, position 14
  BOOST_TEST(a.eof());
  BOOST_TEST(a.gcount() == 14);
  a.buf().set_size_limit(20);
  a = basic_bytes_stream<S>();
  BOOST_TEST(a.good());
  BOOST_TEST(a.gcount() == 0);
  BOOST_TEST(a.rdbuf() == &a.buf());
  BYTESIO_CHECK_STREAM(a, "", 0);
  BOOST_TEST(a.buf().size_limit() == bytesio::basic_bytes_buf<S>::npos);
  BOOST_TEST(a.tellg() == std::streampos(0));
  BOOST_TEST(a.get() == traits::eof());
  a.clear();
  a << std::string(30, 'n'); // no stale limit
  BOOST_TEST(a.good());
  BOOST_TEST(a.size() == 30u);
  a.seekg(0);
  BOOST_TEST(a.get() == 'n');
}

BOOST_AUTO_TEST_CASE_TEMPLATE(move_assign_keeps_contents_and_position, S, storage_types) {
  basic_bytes_stream<S> a{std::string_view("abcdef")};
  a.seekp(3);
  a << 'X'; // put area live at 4
  basic_bytes_stream<S> b{std::string_view("zz")};
  b.get();
  b = std::move(a);
  BOOST_TEST(b.rdbuf() == &b.buf());
  BYTESIO_CHECK_STREAM(b, "abcXef", 4);
  BOOST_TEST(b.get() == 'e');
  BYTESIO_CHECK_STREAM(a, "", 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(swap_keeps_contents_positions_and_states, S, storage_types) {
  basic_bytes_stream<S> a{std::string_view("abc")};
  a.get();
  basic_bytes_stream<S> b;
  b << "xyz";
  b.get(); // at the end: eof|fail
  BOOST_TEST(b.fail());
  swap(a, b);
  BOOST_TEST(a.fail());
  BOOST_TEST(b.good());
  BOOST_TEST(a.rdbuf() == &a.buf());
  BOOST_TEST(b.rdbuf() == &b.buf());
  a.clear();
  BYTESIO_CHECK_STREAM(a, "xyz", 3);
  BYTESIO_CHECK_STREAM(b, "abc", 1);
  BOOST_TEST(b.get() == 'b');
  a << '!';
  b.swap(a);
  BYTESIO_CHECK_STREAM(a, "abc", 2);
  BYTESIO_CHECK_STREAM(b, "xyz!", 4);
}
