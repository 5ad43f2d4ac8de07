// SPDX-License-Identifier: BSL-1.0
#include "bytesio/bytes_buf.hpp"

#define BOOST_TEST_MODULE bytes_buf
#include "support/unit_test.hpp"

#include "support/contract.hpp"

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

// What only basic_bytes_buf promises: its storage (adoption, take, the pmr
// allocator, capacity), view() and getbuffer(). The io.BytesIO and
// streambuf contract it shares with every buffer is in file_contract_*.cpp.

using namespace std::string_literals;
using bytesio::basic_bytes_buf;
using bytesio::errc;
using namespace bytesio::test;

namespace {} // namespace

// ---- storage, view, getbuffer, take ---------------------------------------------

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

BOOST_AUTO_TEST_CASE_TEMPLATE(close_fails_the_memory_members_too, S, storage_types) {
  // The rest of close's contract is the file contract's (file_contract_test.cpp).
  basic_bytes_buf<S> b{std::string_view("abcdef")};
  b.close();
  BOOST_TEST(b.view().empty());
  BYTESIO_CHECK_ERRC(b.getbuffer(), errc::closed);
  BYTESIO_CHECK_ERRC(b.take(), errc::closed);
  BYTESIO_CHECK_ERRC(b.read_view(), errc::closed);
  BYTESIO_CHECK_ERRC(b.readline_view(), errc::closed);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(putback_of_other_char_is_refused_while_pinned, S, storage_types) {
  basic_bytes_buf<S> b{std::string_view("ZQc")};
  // Overwriting is a write and is refused; stepping back is not.
  auto v = b.getbuffer();
  b.seek(2);
  BOOST_TEST(b.sputbackc('R') == traits::eof());
  BYTESIO_CHECK_STATE(b, "ZQc", 2);
  BOOST_TEST(b.sputbackc('Q') == 'Q');
  BYTESIO_CHECK_STATE(b, "ZQc", 1);
}

// The hot paths copy up to 16 bytes inline (detail::copy_bytes): every
// length from 0 to 40, at every alignment, through sputn and sgetn.
BOOST_AUTO_TEST_CASE(short_copies_of_every_length_and_alignment) {
  std::string pattern(256, '\0');
  for (std::size_t i = 0; i < pattern.size(); ++i)
    pattern[i] = static_cast<char>(i * 7 + 1);
  for (std::size_t n = 0; n <= 40; ++n) {
    bytesio::bytes_buf b;
    std::string want;
    for (std::size_t at = 0; at < 16; ++at) {
      BOOST_TEST(b.sputn(pattern.data() + at, static_cast<std::streamsize>(n)) ==
                 static_cast<std::streamsize>(n));
      want.append(pattern, at, n);
    }
    BOOST_TEST_REQUIRE(str(b.view()) == want, "n = " << n);
    b.seek(0);
    std::string back(want.size() + 1, '#');
    for (std::size_t at = 0; at < 16; ++at) {
      BOOST_TEST(b.sgetn(back.data() + at * n, static_cast<std::streamsize>(n)) ==
                 static_cast<std::streamsize>(n));
      BOOST_TEST(back[(at + 1) * n] == '#', "no byte past the copy, n = " << n);
    }
    back.pop_back();
    BOOST_TEST(back == want, "n = " << n);
  }
}

// ---- the error category and the seek directions no one defines -----------------------

BOOST_AUTO_TEST_CASE(the_error_category_names_itself_and_every_code) {
  const std::error_category &cat = bytesio::error_category();
  BOOST_TEST(std::string(cat.name()) == "bytesio");
  // Each code has its own message; a value no errc has says so.
  std::vector<std::string> messages;
  for (int v = static_cast<int>(errc::closed); v <= static_cast<int>(errc::not_supported); ++v) {
    const std::string m = std::error_code(v, cat).message();
    BOOST_TEST(!m.empty());
    for (const std::string &earlier : messages)
      BOOST_TEST(m != earlier);
    messages.push_back(m);
  }
  BOOST_TEST(std::error_code(errc::not_supported).message() == "operation not supported");
  BOOST_TEST(std::error_code(99, cat).message() == "unknown bytesio error");
  BOOST_TEST(std::error_code(0, cat).message() == "unknown bytesio error");
}

BOOST_AUTO_TEST_CASE(a_seek_direction_outside_beg_cur_end_is_refused) {
  bytesio::bytes_buf b("0123456789");
  b.seek(4);
  const auto bad = static_cast<std::ios_base::seekdir>(42);
  BOOST_CHECK_EXCEPTION(b.seek(1, bad), std::ios_base::failure, has_code(errc::invalid_argument));
  BOOST_TEST(b.pubseekoff(1, bad) == std::streampos(std::streamoff(-1)));
  BOOST_TEST(b.tell() == 4u); // neither moved
}
