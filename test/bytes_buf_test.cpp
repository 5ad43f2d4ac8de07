#include "bytesio/bytes_buf.hpp"

#define BOOST_TEST_MODULE bytes_buf
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <ios>
#include <limits>
#include <memory_resource>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

// Expected values were checked against CPython's io.BytesIO (Modules/_io/bytesio.c)
// while writing these tests; the tests themselves do not need Python.

using namespace std::string_literals;
using bytesio::basic_bytes_buf;
using bytesio::errc;

namespace {

using storage_types =
    std::tuple<bytesio::byte_vector, std::vector<char>, std::vector<unsigned char>,
               std::vector<std::byte>, std::string, std::pmr::vector<std::byte>>;

using traits = std::char_traits<char>;

/** The bytes of any contiguous byte container or span, as a string. */
template <class R>
std::string str(const R &r) {
  return {reinterpret_cast<const char *>(std::data(r)), std::size(r)};
}

std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s)); }

/** A storage of type S holding the characters of `s`. */
template <class S>
S make(std::string_view s) {
  S out;
  out.resize(s.size());
  if (!s.empty())
    std::memcpy(out.data(), s.data(), s.size());
  return out;
}

/** Predicate for BOOST_CHECK_EXCEPTION: an ios_base::failure carrying `e`. */
auto has_code(errc e) {
  return [e](const std::ios_base::failure &f) { return f.code() == e; };
}

} // namespace

#define BYTESIO_CHECK_ERRC(expr, code)                                                             \
  BOOST_CHECK_EXCEPTION(expr, std::ios_base::failure, has_code(code))

// The contents (through view() and getvalue()), the size and the position.
#define BYTESIO_CHECK_STATE(b, expected, position)                                                 \
  do {                                                                                             \
    const std::string expected_ = (expected);                                                      \
    BOOST_TEST(str((b).view()) == expected_);                                                      \
    BOOST_TEST(str((b).getvalue()) == expected_);                                                  \
    BOOST_TEST((b).size() == expected_.size());                                                    \
    BOOST_TEST((b).tell() == std::uint64_t(position));                                             \
  } while (0)

// ---- construction -------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(default_is_empty_open_at_zero, S, storage_types) {
  basic_bytes_buf<S> b;
  BOOST_TEST(!b.closed());
  BOOST_TEST(b.empty());
  BOOST_TEST(b.size() == 0u);
  BOOST_TEST(b.tell() == 0u);
  BOOST_TEST(b.view().empty());
  BOOST_TEST(b.size_limit() == basic_bytes_buf<S>::npos);
  BOOST_TEST(b.read().size() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(construct_copies_span_and_string_view, S, storage_types) {
  const std::string raw = "a\0\xff"s;
  basic_bytes_buf<S> a{bytes(raw)};
  BYTESIO_CHECK_STATE(a, raw, 0);
  BOOST_TEST(a.view().data() != reinterpret_cast<const std::byte *>(raw.data()));
  basic_bytes_buf<S> b{std::string_view("hello")};
  BYTESIO_CHECK_STATE(b, "hello", 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(adoption_copies_nothing, S, storage_types) {
  S s = make<S>(std::string(1000, 'q') + "end"); // beyond any small-string buffer
  const auto *p = reinterpret_cast<const std::byte *>(s.data());
  basic_bytes_buf<S> b{std::move(s)};
  BOOST_TEST(b.view().data() == p);
  BOOST_TEST(b.size() == 1003u);
  BOOST_TEST(b.tell() == 0u);
  BOOST_TEST(str(b.read(3)) == "qqq");
  b.seek(0, std::ios_base::end);
  b.write(std::string_view("!")); // growth may move it; the contents follow
  BOOST_TEST(str(b.view()).substr(998) == "qqend!");
}

// ---- write ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(write_overwrites_then_extends, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  BOOST_TEST(b.write(std::string_view("XY")) == 2u);
  BYTESIO_CHECK_STATE(b, "XYcdef", 2);
  b.seek(4);
  BOOST_TEST(b.write(std::string_view("1234")) == 4u);
  BYTESIO_CHECK_STATE(b, "XYcd1234", 8);
  BOOST_TEST(b.write("lit") == 3u); // a string literal: its characters, no NUL
  BYTESIO_CHECK_STATE(b, "XYcd1234lit", 11);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_overloads_take_any_byte_range, S, storage_types) {
  basic_bytes_buf<S> b;
  const std::vector<unsigned char> uc{'a', 0xFF};
  const std::vector<char> c{'b', 'c'};
  const std::array<std::byte, 2> arr{std::byte{0}, std::byte{'d'}};
  const std::vector<std::byte> vb{std::byte{'e'}};
  const std::string s = "fg";
  BOOST_TEST(b.write(uc) == 2u);
  BOOST_TEST(b.write(c) == 2u);
  BOOST_TEST(b.write(arr) == 2u);
  BOOST_TEST(b.write(vb) == 1u);
  BOOST_TEST(b.write(s) == 2u);
  BOOST_TEST(b.write(bytes("h")) == 1u);
  BYTESIO_CHECK_STATE(b, "a\xff"s + "bc" + "\0d"s + "efgh", 10);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_past_end_zero_fills_gap, S, storage_types) {
  basic_bytes_buf<S> b;
  BOOST_TEST(b.seek(5) == 5u);
  BOOST_TEST(b.size() == 0u); // seeking never changes the contents
  BOOST_TEST(b.write(std::string_view("x")) == 1u);
  BYTESIO_CHECK_STATE(b, "\0\0\0\0\0x"s, 6);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_past_end_zero_fills_over_old_bytes, S, storage_types) {
  // The bytes cut by truncate still sit in the storage's slack; the gap
  // must be zeros, not the old bytes.
  basic_bytes_buf<S> b{std::string_view("abcdefgh")};
  b.truncate(2);
  b.seek(5);
  b.write(std::string_view("x"));
  BYTESIO_CHECK_STATE(b, "ab\0\0\0x"s, 6);
  // The same through written (not constructed) contents.
  basic_bytes_buf<S> c;
  c.write(std::string_view("0123456789"));
  c.truncate(1);
  c.seek(3);
  c.write(std::string_view("Z"));
  BYTESIO_CHECK_STATE(c, "0\0\0Z"s, 4);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(empty_write_past_end_changes_nothing, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("ab")};
  b.seek(5);
  BOOST_TEST(b.write(std::string_view()) == 0u);
  BOOST_TEST(b.write(std::span<const std::byte>()) == 0u);
  BYTESIO_CHECK_STATE(b, "ab", 5);
}

// ---- truncate ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(truncate_never_extends_never_moves, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  BOOST_TEST(b.truncate(10) == 10u); // returns its argument, like BytesIO
  BYTESIO_CHECK_STATE(b, "abc", 0);
  b.seek(1);
  BOOST_TEST(b.truncate(2) == 2u);
  BYTESIO_CHECK_STATE(b, "ab", 1);
  BOOST_TEST(b.truncate(0) == 0u);
  BYTESIO_CHECK_STATE(b, "", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(truncate_default_is_position, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  b.seek(2);
  BOOST_TEST(b.truncate() == 2u);
  BYTESIO_CHECK_STATE(b, "ab", 2);
  b.seek(9);
  BOOST_TEST(b.truncate() == 9u); // past the end: nothing to cut
  BYTESIO_CHECK_STATE(b, "ab", 9);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(truncate_below_position_then_write_zero_fills, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdefgh")};
  b.seek(6);
  BOOST_TEST(b.truncate(4) == 4u);
  BYTESIO_CHECK_STATE(b, "abcd", 6);
  b.write(std::string_view("Z"));
  BYTESIO_CHECK_STATE(b, "abcd\0\0Z"s, 7);
}

// ---- seek / tell --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_negative_from_begin_fails, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  b.seek(2);
  BYTESIO_CHECK_ERRC(b.seek(-1), errc::invalid_argument);
  BYTESIO_CHECK_ERRC(b.seek(-1, std::ios_base::beg), errc::invalid_argument);
  BYTESIO_CHECK_STATE(b, "abc", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_relative_clamps_to_zero, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  BOOST_TEST(b.seek(-1, std::ios_base::cur) == 0u);
  BYTESIO_CHECK_STATE(b, "abc", 0);
  b.seek(2);
  BOOST_TEST(b.seek(-100, std::ios_base::end) == 0u);
  BYTESIO_CHECK_STATE(b, "abc", 0);
  b.seek(2);
  BOOST_TEST(b.seek(-5, std::ios_base::cur) == 0u);
  BOOST_TEST(b.tell() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_returns_new_position_and_keeps_contents, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  BOOST_TEST(b.seek(4) == 4u);
  BOOST_TEST(b.seek(1, std::ios_base::cur) == 5u);
  BOOST_TEST(b.seek(-2, std::ios_base::cur) == 3u);
  BOOST_TEST(b.seek(0, std::ios_base::end) == 6u);
  BOOST_TEST(b.seek(-1, std::ios_base::end) == 5u);
  BOOST_TEST(b.seek(10, std::ios_base::end) == 16u);
  BOOST_TEST(b.seek(1000) == 1000u);
  BYTESIO_CHECK_STATE(b, "abcdef", 1000);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_overflow_and_bad_direction_fail, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  BOOST_TEST(b.seek(max) == std::uint64_t(max));
  BYTESIO_CHECK_ERRC(b.seek(1, std::ios_base::cur), errc::invalid_argument);
  BOOST_TEST(b.tell() == std::uint64_t(max));
  BYTESIO_CHECK_ERRC(b.seek(max, std::ios_base::end), errc::invalid_argument);
  b.seek(1);
  BYTESIO_CHECK_ERRC(b.seek(0, static_cast<std::ios_base::seekdir>(7)), errc::invalid_argument);
  BYTESIO_CHECK_STATE(b, "abc", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_at_unreachable_position_fails_cleanly, S, storage_types) {
  // The position may be anywhere up to INT64_MAX; a write there cannot be
  // satisfied and must fail without changing anything.
  basic_bytes_buf<S> b{std::string_view("abc")};
  b.seek(std::numeric_limits<std::int64_t>::max());
  bool threw = false;
  try {
    b.write(std::string_view("x"));
  } catch (const std::ios_base::failure &) {
    threw = true;
  } catch (const std::bad_alloc &) {
    threw = true;
  } catch (const std::length_error &) {
    threw = true;
  }
  BOOST_TEST(threw);
  BYTESIO_CHECK_STATE(b, "abc", std::numeric_limits<std::int64_t>::max());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(offsets_beyond_4gib_without_memory, S, storage_types) {
  // Positions beyond 32 bits are fine as long as nothing is written there.
  basic_bytes_buf<S> b{std::string_view("abc")};
  const std::uint64_t far = (std::uint64_t(5) << 30) + 7;
  BOOST_TEST(b.seek(std::int64_t(far)) == far);
  BOOST_TEST(b.tell() == far);
  BOOST_TEST(b.read().size() == 0u);
  BOOST_TEST(b.tell() == far);
  BOOST_TEST(b.truncate() == far);
  BOOST_TEST(b.size() == 3u);
  BOOST_TEST(b.pubseekoff(std::streamoff(far), std::ios_base::beg) ==
             std::streampos(std::streamoff(far)));
  BOOST_TEST(b.sgetc() == traits::eof());
  BOOST_TEST(b.tell() == far);
}

// ---- read, readinto, readline, readlines ---------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(read_counts, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  BOOST_TEST(str(b.read(0)) == "");
  BOOST_TEST(b.tell() == 0u);
  BOOST_TEST(str(b.read(2)) == "ab");
  BOOST_TEST(b.tell() == 2u);
  BOOST_TEST(str(b.read(100)) == "cdef");
  BOOST_TEST(b.tell() == 6u);
  b.seek(1);
  BOOST_TEST(str(b.read()) == "bcdef");
  BOOST_TEST(b.tell() == 6u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(reads_at_or_past_end_return_nothing, S, storage_types) {
  for (const std::int64_t at : {std::int64_t(3), std::int64_t(10)}) {
    BOOST_TEST_CONTEXT("position " << at) {
      basic_bytes_buf<S> b{std::string_view("abc")};
      b.seek(at);
      BOOST_TEST(b.read().size() == 0u);
      BOOST_TEST(b.read(5).size() == 0u);
      BOOST_TEST(b.readline().size() == 0u);
      BOOST_TEST(b.readline(5).size() == 0u);
      BOOST_TEST(b.readlines().empty());
      std::array<std::byte, 4> out{};
      BOOST_TEST(b.readinto(out) == 0u);
      BYTESIO_CHECK_STATE(b, "abc", at);
    }
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(readinto_copies_what_remains, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcde")};
  std::array<std::byte, 3> out{};
  BOOST_TEST(b.readinto(out) == 3u);
  BOOST_TEST(str(out) == "abc");
  BOOST_TEST(b.tell() == 3u);
  out.fill(std::byte{'.'});
  BOOST_TEST(b.readinto(out) == 2u);
  BOOST_TEST(str(out) == "de."); // the rest of `out` is untouched
  BOOST_TEST(b.tell() == 5u);
  BOOST_TEST(b.readinto(std::span<std::byte>()) == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(readline_follows_bytesio, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("hello\nworld")};
  BOOST_TEST(str(b.readline(3)) == "hel");
  BOOST_TEST(str(b.readline(0)) == "");
  BOOST_TEST(b.tell() == 3u);
  BOOST_TEST(str(b.readline(100)) == "lo\n");
  BOOST_TEST(str(b.readline()) == "world");
  BOOST_TEST(str(b.readline()) == "");
  BOOST_TEST(b.tell() == 11u);

  basic_bytes_buf<S> c{std::string_view("\n\nx")};
  BOOST_TEST(str(c.readline()) == "\n");
  BOOST_TEST(str(c.readline(1)) == "\n");
  BOOST_TEST(str(c.readline(1)) == "x");
  BOOST_TEST(str(c.readline()) == "");

  basic_bytes_buf<S> d{std::string_view("ab\ncd\n")};
  BOOST_TEST(str(d.readline(3)) == "ab\n"); // the newline fits exactly
  BOOST_TEST(str(d.readline(2)) == "cd");   // one short of the newline
  BOOST_TEST(str(d.readline(2)) == "\n");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(readlines_hint_follows_bytesio, S, storage_types) {
  const std::string_view text = "a\nbb\nccc\n";
  auto lines = [&](std::size_t hint) {
    basic_bytes_buf<S> b{text};
    std::vector<std::string> out;
    for (const auto &l : b.readlines(hint))
      out.push_back(str(l));
    std::ostringstream at; // the position after, as one more element
    at << '@' << b.tell();
    out.push_back(at.str());
    return out;
  };
  using v = std::vector<std::string>;
  BOOST_TEST(lines(0) == (v{"a\n", "bb\n", "ccc\n", "@9"}), boost::test_tools::per_element());
  BOOST_TEST(lines(1) == (v{"a\n", "@2"}), boost::test_tools::per_element());
  BOOST_TEST(lines(2) == (v{"a\n", "@2"}), boost::test_tools::per_element());
  BOOST_TEST(lines(3) == (v{"a\n", "bb\n", "@5"}), boost::test_tools::per_element());
  BOOST_TEST(lines(5) == (v{"a\n", "bb\n", "@5"}), boost::test_tools::per_element());
  BOOST_TEST(lines(6) == (v{"a\n", "bb\n", "ccc\n", "@9"}), boost::test_tools::per_element());
  BOOST_TEST(lines(100) == (v{"a\n", "bb\n", "ccc\n", "@9"}), boost::test_tools::per_element());

  basic_bytes_buf<S> b{std::string_view("a\nbb\nccc")};
  b.seek(1);
  auto rest = b.readlines();
  BOOST_TEST(rest.size() == 3u);
  BOOST_TEST(str(rest.at(0)) == "\n");
  BOOST_TEST(str(rest.at(2)) == "ccc"); // the last line has no newline
}

// ---- getbuffer ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(getbuffer_pins_every_mutation, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  b.seek(2);
  const std::size_t cap = b.capacity();
  auto v = b.getbuffer();
  BOOST_TEST(v.size() == 6u);
  BOOST_TEST(str(v.span()) == "abcdef");

  BYTESIO_CHECK_ERRC(b.write(std::string_view()), errc::buffer_exported);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("X")), errc::buffer_exported); // in place
  BYTESIO_CHECK_ERRC(b.write(std::string_view("XXXXXXXXXX")), errc::buffer_exported);
  BYTESIO_CHECK_ERRC(b.truncate(), errc::buffer_exported);
  BYTESIO_CHECK_ERRC(b.truncate(100), errc::buffer_exported); // would cut nothing
  BYTESIO_CHECK_ERRC(b.close(), errc::buffer_exported);
  BOOST_TEST(!b.closed());
  BYTESIO_CHECK_ERRC(b.take(), errc::buffer_exported);
  BYTESIO_CHECK_ERRC(b.clear(), errc::buffer_exported);
  BYTESIO_CHECK_ERRC(b.reserve(cap + 4096), errc::buffer_exported);
  BYTESIO_CHECK_ERRC(b.shrink_to_fit(), errc::buffer_exported);
  BYTESIO_CHECK_STATE(b, "abcdef", 2);
  BOOST_TEST(b.capacity() == cap);
  BOOST_TEST(v.data() == b.view().data());

  // The stream side refuses too, by return value.
  BOOST_TEST(b.sputc('Q') == traits::eof());
  BOOST_TEST(b.sputn("QQ", 2) == 0);
  BYTESIO_CHECK_STATE(b, "abcdef", 2);

  // Reads, seeks and more views work.
  BOOST_TEST(str(b.read(2)) == "cd");
  BOOST_TEST(b.seek(0) == 0u);
  BOOST_TEST(b.sgetc() == 'a');
  BOOST_TEST(str(b.getvalue()) == "abcdef");
  auto v2 = b.getbuffer();
  BOOST_TEST(v2.data() == v.data());
  v.release();
  BOOST_TEST(v.size() == 0u);
  v.release(); // idempotent: must not drop v2's guard
  BYTESIO_CHECK_ERRC(b.write(std::string_view("X")), errc::buffer_exported);
  BYTESIO_CHECK_ERRC(b.close(), errc::buffer_exported);
  v2.release();
  BOOST_TEST(b.write(std::string_view("X")) == 1u);
  BYTESIO_CHECK_STATE(b, "Xbcdef", 1);
  b.close();
  BOOST_TEST(b.closed());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(getbuffer_writes_through_show_in_getvalue, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  {
    auto v = b.getbuffer();
    v.span()[0] = std::byte{'Z'};
    v.data()[2] = std::byte{0xFF};
    BOOST_TEST(str(b.getvalue()) == "Zb\xff");
    BOOST_TEST(str(b.view()) == "Zb\xff");
    BOOST_TEST(str(b.read()) == "Zb\xff");
  } // the destructor releases
  b.seek(0);
  BOOST_TEST(b.write(std::string_view("q")) == 1u);
  BYTESIO_CHECK_STATE(b, "qb\xff", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(getbuffer_view_moves_keep_one_guard, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  auto v1 = b.getbuffer();
  auto v2 = b.getbuffer();
  auto moved = std::move(v1); // the guard moves, it does not double
  BOOST_TEST(v1.size() == 0u);
  v1.release();
  v2 = std::move(moved); // releases v2's old guard, takes moved's
  BOOST_TEST(moved.size() == 0u);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("x")), errc::buffer_exported);
  v2.release();
  BOOST_TEST(b.write(std::string_view("x")) == 1u);
  basic_bytes_buf<S> e;
  auto ev = e.getbuffer(); // of an empty buffer: empty, still a guard
  BOOST_TEST(ev.size() == 0u);
  BYTESIO_CHECK_ERRC(e.write(std::string_view("x")), errc::buffer_exported);
  ev.release();
  typename basic_bytes_buf<S>::exported_view released;
  BOOST_TEST(released.size() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(getbuffer_after_stream_output_sees_everything, S, storage_types) {
  basic_bytes_buf<S> b;
  b.sputn("hello", 5); // inline put area
  b.sputc('!');
  auto v = b.getbuffer();
  BOOST_TEST(str(v.span()) == "hello!");
  BOOST_TEST(b.sputc('?') == traits::eof());
  BYTESIO_CHECK_STATE(b, "hello!", 6);
}

// ---- close ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(close_fails_everything_after, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  b.seek(3);
  b.close();
  BOOST_TEST(b.closed());
  b.close(); // a second close is a no-op
  BOOST_TEST(b.closed());
  BOOST_TEST(b.view().empty());
  BOOST_TEST(b.size() == 0u);
  BOOST_TEST(b.empty());
  BOOST_TEST(b.capacity() == 0u);

  std::array<std::byte, 2> out{};
  BYTESIO_CHECK_ERRC(b.write(std::string_view("x")), errc::closed);
  BYTESIO_CHECK_ERRC(b.write(std::string_view()), errc::closed);
  BYTESIO_CHECK_ERRC(b.readinto(out), errc::closed);
  BYTESIO_CHECK_ERRC(b.read(), errc::closed);
  BYTESIO_CHECK_ERRC(b.read(1), errc::closed);
  BYTESIO_CHECK_ERRC(b.readline(), errc::closed);
  BYTESIO_CHECK_ERRC(b.readlines(), errc::closed);
  BYTESIO_CHECK_ERRC(b.seek(0), errc::closed);
  BYTESIO_CHECK_ERRC(b.seek(-1), errc::closed);
  BYTESIO_CHECK_ERRC(b.tell(), errc::closed);
  BYTESIO_CHECK_ERRC(b.truncate(), errc::closed);
  BYTESIO_CHECK_ERRC(b.truncate(0), errc::closed);
  BYTESIO_CHECK_ERRC(b.getvalue(), errc::closed);
  BYTESIO_CHECK_ERRC(b.getbuffer(), errc::closed);
  BYTESIO_CHECK_ERRC(b.take(), errc::closed);
  BYTESIO_CHECK_ERRC(b.reserve(10), errc::closed);
  BYTESIO_CHECK_ERRC(b.shrink_to_fit(), errc::closed);
  BYTESIO_CHECK_ERRC(b.clear(), errc::closed);
  BYTESIO_CHECK_ERRC(b.set_size_limit(10), errc::closed);
  BYTESIO_CHECK_ERRC(b.size_limit(), errc::closed);

  // The streambuf side reports by return value.
  BOOST_TEST(b.sputc('x') == traits::eof());
  BOOST_TEST(b.sputn("xy", 2) == 0);
  BOOST_TEST(b.sgetc() == traits::eof());
  BOOST_TEST(b.sbumpc() == traits::eof());
  char in[2];
  BOOST_TEST(b.sgetn(in, 2) == 0);
  BOOST_TEST(b.sungetc() == traits::eof());
  BOOST_TEST(b.pubseekoff(0, std::ios_base::beg) == std::streampos(std::streamoff(-1)));
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur) == std::streampos(std::streamoff(-1)));
  BOOST_TEST(b.pubseekpos(0) == std::streampos(std::streamoff(-1)));
  BOOST_TEST(b.pubsync() == -1);
  BOOST_TEST(b.in_avail() == -1);
  BOOST_TEST(b.closed());
  BOOST_TEST(b.size() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(close_during_live_areas, S, storage_types) {
  basic_bytes_buf<S> r{std::string_view("abc")};
  BOOST_TEST(r.sbumpc() == 'a'); // get area live
  r.close();
  BOOST_TEST(r.sgetc() == traits::eof());
  BOOST_TEST(r.view().empty());
  basic_bytes_buf<S> w;
  w.sputn("abc", 3); // put area live
  w.close();
  BOOST_TEST(w.sputc('d') == traits::eof());
  BOOST_TEST(w.size() == 0u);
}

// ---- take, clear, reserve, shrink_to_fit ---------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(take_moves_out_without_copy, S, storage_types) {
  basic_bytes_buf<S> b;
  b.set_size_limit(1 << 20);
  const std::string text = std::string(5000, 'x') + "tail"; // beyond any small-string buffer
  b.write(text);
  b.seek(7);
  const std::byte *p = b.view().data();
  S out = b.take();
  BOOST_TEST(str(out) == text);
  BOOST_TEST(reinterpret_cast<const std::byte *>(out.data()) == p);
  BOOST_TEST(!b.closed());
  BYTESIO_CHECK_STATE(b, "", 0);
  BOOST_TEST(b.size_limit() == std::size_t(1) << 20);
  b.write(std::string_view("again"));
  BYTESIO_CHECK_STATE(b, "again", 5);
  BOOST_TEST(str(out) == text); // independent of the buffer now
}

BOOST_AUTO_TEST_CASE_TEMPLATE(adopt_then_take_round_trips_pointer, S, storage_types) {
  S s = make<S>(std::string(300, 'a'));
  const auto *p = reinterpret_cast<const std::byte *>(s.data());
  basic_bytes_buf<S> b{std::move(s)};
  b.seek(0, std::ios_base::end);
  S out = b.take();
  BOOST_TEST(reinterpret_cast<const std::byte *>(out.data()) == p);
  BOOST_TEST(out.size() == 300u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(take_after_truncate_and_stream_output, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  b.truncate(3);
  BOOST_TEST(str(b.take()) == "abc"); // the slack is not part of the result
  b.sputn("hello", 5);
  BOOST_TEST(str(b.take()) == "hello"); // bytes still in the put area are taken
  BOOST_TEST(b.size() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(clear_keeps_capacity, S, storage_types) {
  basic_bytes_buf<S> b;
  b.write(std::string(100, 'a'));
  const std::size_t cap = b.capacity();
  BOOST_TEST(cap >= 100u);
  b.clear();
  BYTESIO_CHECK_STATE(b, "", 0);
  BOOST_TEST(b.capacity() == cap);
  b.seek(2);
  b.write(std::string_view("z"));
  BYTESIO_CHECK_STATE(b, "\0\0z"s, 3); // the old bytes are not resurrected
}

BOOST_AUTO_TEST_CASE_TEMPLATE(reserve_and_shrink_keep_contents, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  b.seek(1);
  b.reserve(10000);
  BOOST_TEST(b.capacity() >= 10000u);
  BYTESIO_CHECK_STATE(b, "abc", 1);
  b.shrink_to_fit();
  BOOST_TEST(b.capacity() < 10000u);
  BYTESIO_CHECK_STATE(b, "abc", 1);
  b.seek(0, std::ios_base::end);
  b.write(std::string_view("d"));
  BYTESIO_CHECK_STATE(b, "abcd", 4);
}

// ---- size limit ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_refuses_whole_write, S, storage_types) {
  basic_bytes_buf<S> b;
  b.set_size_limit(10);
  BOOST_TEST(b.size_limit() == 10u);
  b.write(std::string_view("12345678"));
  BYTESIO_CHECK_ERRC(b.write(std::string_view("abc")), errc::size_limit); // 11 > 10
  BYTESIO_CHECK_STATE(b, "12345678", 8);
  BOOST_TEST(b.write(std::string_view("ab")) == 2u); // exactly full
  BYTESIO_CHECK_STATE(b, "12345678ab", 10);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("c")), errc::size_limit); // one past
  BYTESIO_CHECK_STATE(b, "12345678ab", 10);
  BOOST_TEST(b.write(std::string_view()) == 0u); // an empty write passes nothing
  b.seek(2);
  BOOST_TEST(b.write(std::string_view("XYZ")) == 3u); // in place is fine
  BYTESIO_CHECK_STATE(b, "12XYZ678ab", 5);
  // The zero-filled gap counts.
  b.truncate(4);
  b.seek(8);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("abc")), errc::size_limit);
  BYTESIO_CHECK_STATE(b, "12XY", 8);
  BOOST_TEST(b.write(std::string_view("ab")) == 2u);
  BYTESIO_CHECK_STATE(b, "12XY\0\0\0\0ab"s, 10);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_below_contents_allows_overwrite_only, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  b.set_size_limit(3);
  b.seek(4);
  BOOST_TEST(b.write(std::string_view("XY")) == 2u);
  BYTESIO_CHECK_STATE(b, "abcdXY", 6);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("Z")), errc::size_limit);
  BYTESIO_CHECK_STATE(b, "abcdXY", 6);
  b.set_size_limit(0);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("Z")), errc::size_limit);
  b.set_size_limit(basic_bytes_buf<S>::npos);
  BOOST_TEST(b.write(std::string_view("Z")) == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_through_streambuf_lands_up_to_limit, S, storage_types) {
  basic_bytes_buf<S> b;
  b.set_size_limit(5);
  BOOST_TEST(b.sputn("abcdefgh", 8) == 5);
  BYTESIO_CHECK_STATE(b, "abcde", 5);
  BOOST_TEST(b.sputc('f') == traits::eof());
  BOOST_TEST(b.sputn("f", 1) == 0);
  BYTESIO_CHECK_STATE(b, "abcde", 5);
  b.pubseekoff(1, std::ios_base::beg);
  BOOST_TEST(b.sputc('B') == 'B'); // in place
  BYTESIO_CHECK_STATE(b, "aBcde", 2);
  // Byte by byte through the inline area, the limit still holds.
  basic_bytes_buf<S> c;
  c.reserve(100);
  c.set_size_limit(3);
  int accepted = 0;
  for (char ch : std::string_view("wxyz"))
    if (c.sputc(ch) != traits::eof())
      ++accepted;
  BOOST_TEST(accepted == 3);
  BYTESIO_CHECK_STATE(c, "wxy", 3);
}

BOOST_AUTO_TEST_CASE(size_limit_lowered_while_put_area_live) {
  bytesio::bytes_buf b;
  b.reserve(4096);
  b.sputn("abc", 3); // the put area now reaches far beyond 5
  b.set_size_limit(5);
  BOOST_TEST(b.sputn("defgh", 5) == 2);
  BOOST_TEST(str(b.view()) == "abcde");
}

// ---- pmr ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pmr_results_use_the_buffers_resource) {
  std::pmr::monotonic_buffer_resource pool;
  std::pmr::vector<std::byte> s(&pool);
  s.resize(8, std::byte{'a'});
  basic_bytes_buf<std::pmr::vector<std::byte>> b{std::move(s)};
  auto r = b.read(3);
  BOOST_TEST(r.get_allocator().resource() == &pool);
  BOOST_TEST(b.readline().get_allocator().resource() == &pool);
  BOOST_TEST(b.getvalue().get_allocator().resource() == &pool);
  b.write(std::string(1000, 'b')); // growth stays in the pool
  BOOST_TEST(b.take().get_allocator().resource() == &pool);
}

// ---- the streambuf -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(one_position_like_filebuf, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  BOOST_TEST(b.sgetc() == 'a'); // a get area is live
  BOOST_TEST(b.pubseekoff(3, std::ios_base::beg) == std::streampos(3));
  BOOST_TEST(b.sputc('X') == 'X');
  BYTESIO_CHECK_STATE(b, "abcXef", 4);
  BOOST_TEST(b.sgetc() == 'e'); // reads right after the write
  BOOST_TEST(b.pubseekoff(3, std::ios_base::beg) == std::streampos(3));
  BOOST_TEST(b.sgetc() == 'X');
  BOOST_TEST(b.sbumpc() == 'X');
  BOOST_TEST(b.sbumpc() == 'e');
  BOOST_TEST(b.sputc('Y') == 'Y'); // writes where reading stopped
  BYTESIO_CHECK_STATE(b, "abcXeY", 6);
  BOOST_TEST(b.sputc('Z') == 'Z'); // then extends
  BYTESIO_CHECK_STATE(b, "abcXeYZ", 7);
  BOOST_TEST(b.sgetc() == traits::eof());
  BOOST_TEST(b.pubseekpos(1) == std::streampos(1));
  BOOST_TEST(b.sgetc() == 'b');
  BOOST_TEST(b.tell() == 1u);
  // The in/out modes select nothing: they all move the one position.
  BOOST_TEST(b.pubseekoff(2, std::ios_base::beg, std::ios_base::in) == std::streampos(2));
  BOOST_TEST(b.sputc('w') == 'w');
  BOOST_TEST(b.pubseekoff(1, std::ios_base::beg, std::ios_base::out) == std::streampos(1));
  BOOST_TEST(b.sgetc() == 'b');
  BOOST_TEST(b.pubseekoff(0, std::ios_base::beg, std::ios_base::openmode{}) ==
             std::streampos(std::streamoff(-1)));
  BYTESIO_CHECK_STATE(b, "abwXeYZ", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(written_bytes_readable_after_seek, S, storage_types) {
  basic_bytes_buf<S> b;
  BOOST_TEST(b.sputn("hello world", 11) == 11);
  BOOST_TEST(b.sgetc() == traits::eof()); // at the end
  BOOST_TEST(b.pubseekoff(-5, std::ios_base::cur) == std::streampos(6));
  char in[16] = {};
  BOOST_TEST(b.sgetn(in, 16) == 5);
  BOOST_TEST(std::string(in, 5) == "world");
  b.pubseekoff(0, std::ios_base::beg);
  BOOST_TEST(str(b.read(5)) == "hello"); // and through the file-like API
  b.write(std::string_view("_"));
  b.pubseekoff(0, std::ios_base::beg);
  BOOST_TEST(b.sgetn(in, 16) == 11);
  BOOST_TEST(std::string(in, 11) == "hello_world");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(streambuf_output_past_end_zero_fills, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  b.truncate(2);
  BOOST_TEST(b.pubseekoff(5, std::ios_base::beg) == std::streampos(5));
  BOOST_TEST(b.sputc('x') == 'x');
  BYTESIO_CHECK_STATE(b, "ab\0\0\0x"s, 6);
  BOOST_TEST(b.pubseekoff(2, std::ios_base::end) == std::streampos(8));
  BOOST_TEST(b.sputn("yz", 2) == 2);
  BYTESIO_CHECK_STATE(b, "ab\0\0\0x\0\0yz"s, 10);
  BOOST_TEST(b.pubseekoff(-1, std::ios_base::beg) == std::streampos(std::streamoff(-1)));
  BOOST_TEST(b.pubseekoff(-11, std::ios_base::end) == std::streampos(std::streamoff(-1)));
  BOOST_TEST(b.pubseekoff(-11, std::ios_base::cur) == std::streampos(std::streamoff(-1)));
  BOOST_TEST(b.tell() == 10u); // a failed seek does not move
}

BOOST_AUTO_TEST_CASE_TEMPLATE(in_avail_counts_to_end, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  BOOST_TEST(b.in_avail() == 6);
  b.sbumpc();
  BOOST_TEST(b.in_avail() == 5);
  b.pubseekoff(4, std::ios_base::beg);
  BOOST_TEST(b.in_avail() == 2);
  b.sputc('X'); // put area live at 5
  BOOST_TEST(b.in_avail() == 1);
  b.sputn("YZW", 3); // extends to 8
  BOOST_TEST(b.in_avail() == 0);
  b.seek(10);
  BOOST_TEST(b.in_avail() == 0);
  b.seek(1);
  BOOST_TEST(b.in_avail() == 7);
  b.write(std::string_view("q"));
  BOOST_TEST(b.in_avail() == 6);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(putback_at_start_fails_and_changes_nothing, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("abc")};
  BOOST_TEST(b.sungetc() == traits::eof());
  BOOST_TEST(b.sputbackc('a') == traits::eof());
  BOOST_TEST(b.sputbackc('z') == traits::eof());
  BYTESIO_CHECK_STATE(b, "abc", 0);
  BOOST_TEST(b.sgetc() == 'a'); // get area live at 0
  BOOST_TEST(b.sungetc() == traits::eof());
  BOOST_TEST(b.sputbackc('z') == traits::eof());
  BYTESIO_CHECK_STATE(b, "abc", 0);
  // One in: they step back.
  BOOST_TEST(b.sbumpc() == 'a');
  BOOST_TEST(b.sungetc() == 'a');
  BYTESIO_CHECK_STATE(b, "abc", 0);
  b.sbumpc();
  BOOST_TEST(b.sputbackc('a') == 'a');
  BYTESIO_CHECK_STATE(b, "abc", 0);
  // Past the end there is nothing to put back.
  b.seek(5);
  BOOST_TEST(b.sungetc() == traits::eof());
  BYTESIO_CHECK_STATE(b, "abc", 5);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(putback_of_other_char_overwrites_like_stringbuf, S, storage_types) {
  std::stringbuf ref("abc", std::ios_base::in | std::ios_base::out);
  basic_bytes_buf<S> b{std::string_view("abc")};
  BOOST_TEST(ref.sbumpc() == 'a');
  BOOST_TEST(b.sbumpc() == 'a');
  BOOST_TEST(ref.sputbackc('Z') == 'Z');
  BOOST_TEST(b.sputbackc('Z') == 'Z');
  BOOST_TEST(ref.str() == "Zbc");
  BYTESIO_CHECK_STATE(b, "Zbc", 0);
  // After idle (no live area), too.
  b.seek(2);
  BOOST_TEST(b.sputbackc('Q') == 'Q');
  BYTESIO_CHECK_STATE(b, "ZQc", 1);
  // Pinned: overwriting is a write and is refused; stepping back is not.
  auto v = b.getbuffer();
  b.seek(2);
  BOOST_TEST(b.sputbackc('R') == traits::eof());
  BYTESIO_CHECK_STATE(b, "ZQc", 2);
  BOOST_TEST(b.sputbackc('Q') == 'Q');
  BYTESIO_CHECK_STATE(b, "ZQc", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(byte_ff_is_not_eof, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("\xff\xff\x00\xff", 4)};
  BOOST_TEST(b.sgetc() == 0xFF);
  BOOST_TEST(b.sbumpc() == 0xFF);
  BOOST_TEST(b.snextc() == 0);
  BOOST_TEST(b.sbumpc() == 0);
  BOOST_TEST(b.in_avail() == 1);
  BOOST_TEST(b.sgetc() == 0xFF);
  BOOST_TEST(b.sungetc() == 0);
  BOOST_TEST(b.sputc('\xff') == 0xFF); // overwrites the 0 at 2
  BOOST_TEST(b.sputc('\xff') == 0xFF);
  BOOST_TEST(b.sputc('\xff') == 0xFF); // extends
  BYTESIO_CHECK_STATE(b, "\xff\xff\xff\xff\xff"s, 5);
  b.seek(4);
  BOOST_TEST(b.sbumpc() == 0xFF);
  BOOST_TEST(b.sbumpc() == traits::eof());
  // Put back an 0xFF over a different byte.
  basic_bytes_buf<S> c{std::string_view("a")};
  c.sbumpc();
  BOOST_TEST(c.sputbackc('\xff') == 0xFF);
  BYTESIO_CHECK_STATE(c, "\xff", 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tell_seek_cur_zero_disturbs_nothing, S, storage_types) {
  basic_bytes_buf<S> b;
  b.sputn("abc", 3);
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur) == std::streampos(3));
  b.sputn("def", 3);
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur, std::ios_base::in) == std::streampos(6));
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur, std::ios_base::out) == std::streampos(6));
  BOOST_TEST(b.sgetc() == traits::eof());
  b.pubseekoff(0, std::ios_base::beg);
  BOOST_TEST(b.sbumpc() == 'a');
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur) == std::streampos(1));
  BOOST_TEST(b.in_avail() == 5);
  BOOST_TEST(b.sgetc() == 'b');
  BOOST_TEST(b.sputc('X') == 'X');
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur) == std::streampos(2));
  BOOST_TEST(b.sgetc() == 'c');
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur) == std::streampos(2));
  BOOST_TEST(b.sputc('Y') == 'Y');
  BOOST_TEST(b.tell() == 3u);
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur) == std::streampos(3));
  BYTESIO_CHECK_STATE(b, "aXYdef", 3);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(file_like_and_streambuf_interleave, S, storage_types) {
  basic_bytes_buf<S> b;
  b.sputn("abc", 3);
  BOOST_TEST(b.tell() == 3u);
  BOOST_TEST(b.write(std::string_view("def")) == 3u);
  BOOST_TEST(b.sputc('g') == 'g');
  BOOST_TEST(str(b.getvalue()) == "abcdefg");
  b.seek(1);
  BOOST_TEST(b.sbumpc() == 'b');
  BOOST_TEST(str(b.read(2)) == "cd");
  BOOST_TEST(b.sbumpc() == 'e');
  b.truncate(); // at 5
  BOOST_TEST(b.sgetc() == traits::eof());
  BYTESIO_CHECK_STATE(b, "abcde", 5);
  b.sputc('Z');
  BOOST_TEST(str(b.readline()) == "");
  b.seek(0);
  BOOST_TEST(str(b.readline()) == "abcdeZ");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(pubsync_is_a_no_op, S, storage_types) {
  basic_bytes_buf<S> b;
  b.sputn("ab", 2);
  BOOST_TEST(b.pubsync() == 0);
  BYTESIO_CHECK_STATE(b, "ab", 2);
}

// ---- moves and swap ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(move_keeps_contents_and_position, S, storage_types) {
  basic_bytes_buf<S> a{std::string_view("abcdef")};
  a.sbumpc();
  a.sbumpc(); // get area live at 2
  basic_bytes_buf<S> b{std::move(a)};
  BYTESIO_CHECK_STATE(b, "abcdef", 2);
  BOOST_TEST(b.sgetc() == 'c');
  BYTESIO_CHECK_STATE(a, "", 0);
  BOOST_TEST(a.sgetc() == traits::eof());

  basic_bytes_buf<S> w;
  w.set_size_limit(100);
  w.sputn("xyz", 3); // put area live at 3
  w.pubseekoff(1, std::ios_base::beg);
  w.sputc('Y');
  basic_bytes_buf<S> m{std::move(w)};
  BYTESIO_CHECK_STATE(m, "xYz", 2);
  BOOST_TEST(m.size_limit() == 100u);
  BOOST_TEST(w.size_limit() == basic_bytes_buf<S>::npos);
  BOOST_TEST(m.sputc('!') == '!');
  BYTESIO_CHECK_STATE(m, "xY!", 3);
  BOOST_TEST(w.sputc('q') == 'q'); // the source is usable and fresh
  BYTESIO_CHECK_STATE(w, "q", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(move_assign_replaces_everything, S, storage_types) {
  basic_bytes_buf<S> a{std::string_view("abcdef")};
  a.sbumpc(); // get area live at 1
  basic_bytes_buf<S> b{std::string_view("zzz")};
  b.pubseekoff(2, std::ios_base::beg);
  b.sputc('Q'); // put area live
  b = std::move(a);
  BYTESIO_CHECK_STATE(b, "abcdef", 1);
  BOOST_TEST(b.sbumpc() == 'b');
  BYTESIO_CHECK_STATE(a, "", 0);
  // A fresh buffer assigned over a used one leaves nothing stale.
  b = basic_bytes_buf<S>();
  BYTESIO_CHECK_STATE(b, "", 0);
  BOOST_TEST(b.sgetc() == traits::eof());
  BOOST_TEST(b.in_avail() == 0);
  BOOST_TEST(b.sputc('n') == 'n');
  BYTESIO_CHECK_STATE(b, "n", 1);
  // A closed buffer moves its closed state.
  basic_bytes_buf<S> c{std::string_view("c")};
  c.close();
  b = std::move(c);
  BOOST_TEST(b.closed());
  BOOST_TEST(!c.closed());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(swap_keeps_contents_and_positions, S, storage_types) {
  basic_bytes_buf<S> a{std::string_view("abcdef")};
  a.sbumpc(); // get area at 1
  basic_bytes_buf<S> b;
  b.set_size_limit(50);
  b.sputn("xyz", 3); // put area at 3
  swap(a, b);
  BYTESIO_CHECK_STATE(a, "xyz", 3);
  BYTESIO_CHECK_STATE(b, "abcdef", 1);
  BOOST_TEST(a.size_limit() == 50u);
  BOOST_TEST(b.size_limit() == basic_bytes_buf<S>::npos);
  BOOST_TEST(a.sputc('!') == '!');
  BOOST_TEST(b.sgetc() == 'b');
  b.swap(a);
  BYTESIO_CHECK_STATE(a, "abcdef", 1);
  BYTESIO_CHECK_STATE(b, "xyz!", 4);
}
