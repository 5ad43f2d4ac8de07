// SPDX-License-Identifier: BSL-1.0
// The file contract: the io.BytesIO and streambuf behaviour that every
// buffer of the library promises, written once and run over every buffer
// (test/support/subjects.hpp). Expected values were checked against
// CPython's io.BytesIO (Modules/_io/bytesio.c) while writing these tests; the
// tests themselves do not need Python. What only one buffer promises stays
// in that buffer's test file.

#define BOOST_TEST_MODULE file_contract
#include "support/unit_test.hpp"

#include "support/contract.hpp"

#include <array>
#include <cstdint>
#include <ios>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using namespace bytesio::test;
using bytesio::errc;

// ---- the file-like API ----------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(default_is_empty_open_at_zero, F, writable_subjects) {
  F b;
  BOOST_TEST(!b.closed());
  BOOST_TEST(b.empty());
  BOOST_TEST(b.size() == 0u);
  BOOST_TEST(b.tell() == 0u);
  BOOST_TEST(b.size_limit() == F::npos);
  BOOST_TEST(b.read().size() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_overwrites_then_extends, F, writable_subjects) {
  F b{std::string_view("abcdef")};
  BOOST_TEST(b.write(std::string_view("XY")) == 2u);
  BYTESIO_CHECK_STATE(b, "XYcdef", 2);
  b.seek(4);
  BOOST_TEST(b.write(std::string_view("1234")) == 4u);
  BYTESIO_CHECK_STATE(b, "XYcd1234", 8);
  BOOST_TEST(b.write("lit") == 3u); // a string literal: its characters, no NUL
  BYTESIO_CHECK_STATE(b, "XYcd1234lit", 11);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_overloads_take_any_byte_range, F, writable_subjects) {
  F b;
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

BOOST_AUTO_TEST_CASE_TEMPLATE(write_past_end_zero_fills_gap, F, writable_subjects) {
  F b;
  BOOST_TEST(b.seek(5) == 5u);
  BOOST_TEST(b.size() == 0u); // seeking never changes the contents
  BOOST_TEST(b.write(std::string_view("x")) == 1u);
  BYTESIO_CHECK_STATE(b, "\0\0\0\0\0x"s, 6);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_past_end_zero_fills_over_old_bytes, F, writable_subjects) {
  // The bytes cut by truncate still sit in the storage's slack; the gap
  // must be zeros, not the old bytes.
  F b{std::string_view("abcdefgh")};
  b.truncate(2);
  b.seek(5);
  b.write(std::string_view("x"));
  BYTESIO_CHECK_STATE(b, "ab\0\0\0x"s, 6);
  // The same through written (not constructed) contents.
  F c;
  c.write(std::string_view("0123456789"));
  c.truncate(1);
  c.seek(3);
  c.write(std::string_view("Z"));
  BYTESIO_CHECK_STATE(c, "0\0\0Z"s, 4);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(empty_write_past_end_changes_nothing, F, writable_subjects) {
  F b{std::string_view("ab")};
  b.seek(5);
  BOOST_TEST(b.write(std::string_view()) == 0u);
  BOOST_TEST(b.write(std::span<const std::byte>()) == 0u);
  BYTESIO_CHECK_STATE(b, "ab", 5);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(truncate_never_extends_never_moves, F, writable_subjects) {
  F b{std::string_view("abc")};
  BOOST_TEST(b.truncate(10) == 10u); // returns its argument, like BytesIO
  BYTESIO_CHECK_STATE(b, "abc", 0);
  b.seek(1);
  BOOST_TEST(b.truncate(2) == 2u);
  BYTESIO_CHECK_STATE(b, "ab", 1);
  BOOST_TEST(b.truncate(0) == 0u);
  BYTESIO_CHECK_STATE(b, "", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(truncate_default_is_position, F, writable_subjects) {
  F b{std::string_view("abcdef")};
  b.seek(2);
  BOOST_TEST(b.truncate() == 2u);
  BYTESIO_CHECK_STATE(b, "ab", 2);
  b.seek(9);
  BOOST_TEST(b.truncate() == 9u); // past the end: nothing to cut
  BYTESIO_CHECK_STATE(b, "ab", 9);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(truncate_below_position_then_write_zero_fills, F, writable_subjects) {
  F b{std::string_view("abcdefgh")};
  b.seek(6);
  BOOST_TEST(b.truncate(4) == 4u);
  BYTESIO_CHECK_STATE(b, "abcd", 6);
  b.write(std::string_view("Z"));
  BYTESIO_CHECK_STATE(b, "abcd\0\0Z"s, 7);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_negative_from_begin_fails, F, file_subjects) {
  F b{std::string_view("abc")};
  b.seek(2);
  BYTESIO_CHECK_ERRC(b.seek(-1), errc::invalid_argument);
  BYTESIO_CHECK_ERRC(b.seek(-1, std::ios_base::beg), errc::invalid_argument);
  BYTESIO_CHECK_STATE(b, "abc", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_relative_clamps_to_zero, F, file_subjects) {
  F b{std::string_view("abc")};
  BOOST_TEST(b.seek(-1, std::ios_base::cur) == 0u);
  BYTESIO_CHECK_STATE(b, "abc", 0);
  b.seek(2);
  BOOST_TEST(b.seek(-100, std::ios_base::end) == 0u);
  BYTESIO_CHECK_STATE(b, "abc", 0);
  b.seek(2);
  BOOST_TEST(b.seek(-5, std::ios_base::cur) == 0u);
  BOOST_TEST(b.tell() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_returns_new_position_and_keeps_contents, F, file_subjects) {
  F b{std::string_view("abcdef")};
  BOOST_TEST(b.seek(4) == 4u);
  BOOST_TEST(b.seek(1, std::ios_base::cur) == 5u);
  BOOST_TEST(b.seek(-2, std::ios_base::cur) == 3u);
  BOOST_TEST(b.seek(0, std::ios_base::end) == 6u);
  BOOST_TEST(b.seek(-1, std::ios_base::end) == 5u);
  BOOST_TEST(b.seek(10, std::ios_base::end) == 16u);
  BOOST_TEST(b.seek(1000) == 1000u);
  BYTESIO_CHECK_STATE(b, "abcdef", 1000);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seek_overflow_and_bad_direction_fail, F, file_subjects) {
  F b{std::string_view("abc")};
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  BOOST_TEST(b.seek(max) == std::uint64_t(max));
  BYTESIO_CHECK_ERRC(b.seek(1, std::ios_base::cur), errc::invalid_argument);
  BOOST_TEST(b.tell() == std::uint64_t(max));
  BYTESIO_CHECK_ERRC(b.seek(max, std::ios_base::end), errc::invalid_argument);
  b.seek(1);
  BYTESIO_CHECK_ERRC(b.seek(0, static_cast<std::ios_base::seekdir>(7)), errc::invalid_argument);
  BYTESIO_CHECK_STATE(b, "abc", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_at_unreachable_position_fails_cleanly, F, writable_subjects) {
  // The position may be anywhere up to INT64_MAX; a write there cannot be
  // satisfied and must fail without changing anything.
  F b{std::string_view("abc")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(offsets_beyond_4gib_without_memory, F, writable_subjects) {
  // Positions beyond 32 bits are fine as long as nothing is written there.
  F b{std::string_view("abc")};
  const std::uint64_t far_away = (std::uint64_t(5) << 30) + 7;
  BOOST_TEST(b.seek(std::int64_t(far_away)) == far_away);
  BOOST_TEST(b.tell() == far_away);
  BOOST_TEST(b.read().size() == 0u);
  BOOST_TEST(b.tell() == far_away);
  BOOST_TEST(b.truncate() == far_away);
  BOOST_TEST(b.size() == 3u);
  BOOST_TEST(b.pubseekoff(std::streamoff(far_away), std::ios_base::beg) ==
             std::streampos(std::streamoff(far_away)));
  BOOST_TEST(b.sgetc() == traits::eof());
  BOOST_TEST(b.tell() == far_away);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_counts, F, file_subjects) {
  F b{std::string_view("abcdef")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(reads_at_or_past_end_return_nothing, F, file_subjects) {
  for (const std::int64_t at : {std::int64_t(3), std::int64_t(10)}) {
    BOOST_TEST_CONTEXT("position " << at) {
      F b{std::string_view("abc")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(readinto_copies_what_remains, F, file_subjects) {
  F b{std::string_view("abcde")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(readline_follows_bytesio, F, file_subjects) {
  F b{std::string_view("hello\nworld")};
  BOOST_TEST(str(b.readline(3)) == "hel");
  BOOST_TEST(str(b.readline(0)) == "");
  BOOST_TEST(b.tell() == 3u);
  BOOST_TEST(str(b.readline(100)) == "lo\n");
  BOOST_TEST(str(b.readline()) == "world");
  BOOST_TEST(str(b.readline()) == "");
  BOOST_TEST(b.tell() == 11u);

  F c{std::string_view("\n\nx")};
  BOOST_TEST(str(c.readline()) == "\n");
  BOOST_TEST(str(c.readline(1)) == "\n");
  BOOST_TEST(str(c.readline(1)) == "x");
  BOOST_TEST(str(c.readline()) == "");

  F d{std::string_view("ab\ncd\n")};
  BOOST_TEST(str(d.readline(3)) == "ab\n"); // the newline fits exactly
  BOOST_TEST(str(d.readline(2)) == "cd");   // one short of the newline
  BOOST_TEST(str(d.readline(2)) == "\n");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(readlines_hint_follows_bytesio, F, file_subjects) {
  const std::string_view text = "a\nbb\nccc\n";
  auto lines = [&](std::size_t hint) {
    F b{text};
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

  F b{std::string_view("a\nbb\nccc")};
  b.seek(1);
  auto rest = b.readlines();
  BOOST_TEST(rest.size() == 3u);
  BOOST_TEST(str(rest.at(0)) == "\n");
  BOOST_TEST(str(rest.at(2)) == "ccc"); // the last line has no newline
}

BOOST_AUTO_TEST_CASE_TEMPLATE(close_fails_everything_after, F, writable_subjects) {
  F b{std::string_view("abcdef")};
  b.seek(3);
  b.close();
  BOOST_TEST(b.closed());
  b.close(); // a second close is a no-op
  BOOST_TEST(b.closed());
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

BOOST_AUTO_TEST_CASE_TEMPLATE(close_during_live_areas, F, writable_subjects) {
  F r{std::string_view("abc")};
  BOOST_TEST(r.sbumpc() == 'a'); // get area live
  r.close();
  BOOST_TEST(r.sgetc() == traits::eof());
  BOOST_TEST(r.size() == 0u);
  F w;
  w.sputn("abc", 3); // put area live
  w.close();
  BOOST_TEST(w.sputc('d') == traits::eof());
  BOOST_TEST(w.size() == 0u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_refuses_whole_write, F, writable_subjects) {
  F b;
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

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_below_contents_allows_overwrite_only, F,
                              writable_subjects) {
  F b{std::string_view("abcdef")};
  b.set_size_limit(3);
  b.seek(4);
  BOOST_TEST(b.write(std::string_view("XY")) == 2u);
  BYTESIO_CHECK_STATE(b, "abcdXY", 6);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("Z")), errc::size_limit);
  BYTESIO_CHECK_STATE(b, "abcdXY", 6);
  b.set_size_limit(0);
  BYTESIO_CHECK_ERRC(b.write(std::string_view("Z")), errc::size_limit);
  b.set_size_limit(F::npos);
  BOOST_TEST(b.write(std::string_view("Z")) == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_through_streambuf_lands_up_to_limit, F,
                              writable_subjects) {
  F b;
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
  F c;
  c.reserve(100);
  c.set_size_limit(3);
  int accepted = 0;
  for (char ch : std::string_view("wxyz"))
    if (c.sputc(ch) != traits::eof())
      ++accepted;
  BOOST_TEST(accepted == 3);
  BYTESIO_CHECK_STATE(c, "wxy", 3);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_lowered_while_put_area_live, F, writable_subjects) {
  F b;
  b.reserve(4096);
  b.sputn("abc", 3); // the put area now reaches far_away beyond 5
  b.set_size_limit(5);
  BOOST_TEST(b.sputn("defgh", 5) == 2);
  BOOST_TEST(str(b.getvalue()) == "abcde");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_messages_name_the_limit, F, writable_subjects) {
  auto message_of = [](F &b) {
    try {
      b.write("xyz");
    } catch (const std::ios_base::failure &e) {
      BOOST_TEST((e.code() == errc::size_limit));
      return std::string(e.what());
    }
    return std::string("no error");
  };
  F b;
  b.seek(std::numeric_limits<std::int64_t>::max() - 1);
  const std::string none = message_of(b);
  BOOST_TEST(none.find("the largest position, INT64_MAX") != std::string::npos, none);
  b.seek(0);
  b.set_size_limit(2);
  const std::string two = message_of(b);
  BOOST_TEST(two.find("the size limit of 2") != std::string::npos, two);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gaps_over_large_cut_contents_are_zeros, F, writable_subjects) {
  // Past 1 MiB a byte_vector lives in mapped pages and skips zero-filling
  // the ones it never touched; the ones it did touch must still be zeroed.
  F b;
  b.write(std::string(3 << 20, 'x'));
  b.truncate(10);
  b.seek(5 << 20);
  b.write("y");
  const std::string want = std::string(10, 'x') + std::string((5 << 20) - 10, '\0') + "y";
  BOOST_TEST(contents(b) == want);
  // And through the put area, which writes into the memory past the end inline.
  b.seek(2);
  b.truncate();
  b.pubseekoff(4 << 20, std::ios_base::beg);
  for (char c : std::string_view("put"))
    BOOST_TEST(b.sputc(c) == c);
  BOOST_TEST(contents(b) == std::string(2, 'x') + std::string((4 << 20) - 2, '\0') + "put");
}
