// SPDX-License-Identifier: BSL-1.0
// The file contract, part 2: the std::streambuf side and moves (see
// file_contract_test.cpp).

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

// ---- the streambuf ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(one_position_like_filebuf, F, writable_subjects) {
  F b{std::string_view("abcdef")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(written_bytes_readable_after_seek, F, writable_subjects) {
  F b;
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

BOOST_AUTO_TEST_CASE_TEMPLATE(streambuf_output_past_end_zero_fills, F, writable_subjects) {
  F b{std::string_view("abcdef")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(in_avail_counts_to_end, F, writable_subjects) {
  F b{std::string_view("abcdef")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(putback_at_start_fails_and_changes_nothing, F, file_subjects) {
  F b{std::string_view("abc")};
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

BOOST_AUTO_TEST_CASE_TEMPLATE(putback_of_other_char_overwrites_like_stringbuf, F,
                              writable_subjects) {
  std::stringbuf ref("abc", std::ios_base::in | std::ios_base::out);
  F b{std::string_view("abc")};
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
}

BOOST_AUTO_TEST_CASE_TEMPLATE(byte_ff_is_not_eof, F, writable_subjects) {
  F b{std::string_view("\xff\xff\x00\xff", 4)};
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
  F c{std::string_view("a")};
  c.sbumpc();
  BOOST_TEST(c.sputbackc('\xff') == 0xFF);
  BYTESIO_CHECK_STATE(c, "\xff", 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tell_seek_cur_zero_disturbs_nothing, F, writable_subjects) {
  F b;
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

BOOST_AUTO_TEST_CASE_TEMPLATE(file_like_and_streambuf_interleave, F, writable_subjects) {
  F b;
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

BOOST_AUTO_TEST_CASE_TEMPLATE(pubsync_is_a_no_op, F, writable_subjects) {
  F b;
  b.sputn("ab", 2);
  BOOST_TEST(b.pubsync() == 0);
  BYTESIO_CHECK_STATE(b, "ab", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(move_keeps_contents_and_position, F, writable_subjects) {
  F a{std::string_view("abcdef")};
  a.sbumpc();
  a.sbumpc(); // get area live at 2
  F b{std::move(a)};
  BYTESIO_CHECK_STATE(b, "abcdef", 2);
  BOOST_TEST(b.sgetc() == 'c');
  BYTESIO_CHECK_STATE(a, "", 0);
  BOOST_TEST(a.sgetc() == traits::eof());

  F w;
  w.set_size_limit(100);
  w.sputn("xyz", 3); // put area live at 3
  w.pubseekoff(1, std::ios_base::beg);
  w.sputc('Y');
  F m{std::move(w)};
  BYTESIO_CHECK_STATE(m, "xYz", 2);
  BOOST_TEST(m.size_limit() == 100u);
  BOOST_TEST(w.size_limit() == F::npos);
  BOOST_TEST(m.sputc('!') == '!');
  BYTESIO_CHECK_STATE(m, "xY!", 3);
  BOOST_TEST(w.sputc('q') == 'q'); // the source is usable and fresh
  BYTESIO_CHECK_STATE(w, "q", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(move_assign_replaces_everything, F, writable_subjects) {
  F a{std::string_view("abcdef")};
  a.sbumpc(); // get area live at 1
  F b{std::string_view("zzz")};
  b.pubseekoff(2, std::ios_base::beg);
  b.sputc('Q'); // put area live
  b = std::move(a);
  BYTESIO_CHECK_STATE(b, "abcdef", 1);
  BOOST_TEST(b.sbumpc() == 'b');
  BYTESIO_CHECK_STATE(a, "", 0);
  // A fresh buffer assigned over a used one leaves nothing stale.
  b = F();
  BYTESIO_CHECK_STATE(b, "", 0);
  BOOST_TEST(b.sgetc() == traits::eof());
  BOOST_TEST(b.in_avail() == 0);
  BOOST_TEST(b.sputc('n') == 'n');
  BYTESIO_CHECK_STATE(b, "n", 1);
  // A closed buffer moves its closed state.
  F c{std::string_view("c")};
  c.close();
  b = std::move(c);
  BOOST_TEST(b.closed());
  BOOST_TEST(!c.closed());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(swap_keeps_contents_and_positions, F, writable_subjects) {
  F a{std::string_view("abcdef")};
  a.sbumpc(); // get area at 1
  F b;
  b.set_size_limit(50);
  b.sputn("xyz", 3); // put area at 3
  swap(a, b);
  BYTESIO_CHECK_STATE(a, "xyz", 3);
  BYTESIO_CHECK_STATE(b, "abcdef", 1);
  BOOST_TEST(a.size_limit() == 50u);
  BOOST_TEST(b.size_limit() == F::npos);
  BOOST_TEST(a.sputc('!') == '!');
  BOOST_TEST(b.sgetc() == 'b');
  b.swap(a);
  BYTESIO_CHECK_STATE(a, "abcdef", 1);
  BYTESIO_CHECK_STATE(b, "xyz!", 4);
}
