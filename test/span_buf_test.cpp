// SPDX-License-Identifier: BSL-1.0
#include "bytesio/span_buf.hpp"

#define BOOST_TEST_MODULE span_buf
#include "support/unit_test.hpp"

#include "bytesio/mapped_file.hpp"
#include "support/contract.hpp"

#include <array>
#include <cstdlib>
#include <istream>
#include <new>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

// What only span_buf promises: it reads the caller's memory in place,
// never allocates, and refuses output. Its reading contract is the file
// contract's (file_contract_*.cpp runs over span_buf too).

using namespace bytesio::test;
using bytesio::errc;
using bytesio::span_buf;
using bytesio::span_stream;

namespace {

// Counts every allocation of the program, so a test can prove a span_buf
// path makes none.
std::size_t allocations = 0;

const std::byte *at(const std::string &s, std::size_t i) {
  return reinterpret_cast<const std::byte *>(s.data()) + i;
}

} // namespace

// The replacements below pair malloc with free, as they must; GCC sees the
// `new` of code inlined around them and the `free` here and warns.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void *operator new(std::size_t n) {
  ++allocations;
  if (void *p = std::malloc(n == 0 ? 1 : n))
    return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

static_assert(!std::is_constructible_v<span_buf, bytesio::mapped_file &&>,
              "a span_buf over a temporary mapping would dangle");
static_assert(!std::is_constructible_v<span_stream, bytesio::mapped_file &&>);
static_assert(std::is_constructible_v<span_buf, const bytesio::mapped_file &>);
static_assert(std::is_nothrow_move_constructible_v<span_buf>);
static_assert(std::is_move_constructible_v<span_stream> &&
              !std::is_copy_constructible_v<span_stream>);
static_assert(std::is_base_of_v<std::istream, span_stream>);
static_assert(std::is_same_v<decltype(std::declval<span_stream &>().rdbuf()), span_buf *>);
// No writing members: the writing half of the core is constrained away.
template <class B>
concept has_writing_members = requires(B &b) {
  b.write(std::string_view("x"));
}
|| requires(B &b) { b.truncate(0); }
|| requires(B &b) { b.clear(); };
static_assert(!has_writing_members<span_buf>);
static_assert(has_writing_members<bytesio::bytes_buf>);

BOOST_AUTO_TEST_CASE(views_point_into_the_callers_memory) {
  const std::string text = "first line\nsecond\nthird";
  span_buf b(text);
  BOOST_TEST(b.view().data() == at(text, 0));
  BOOST_TEST(b.size() == text.size());
  const auto line = b.readline_view();
  BOOST_TEST(line.data() == at(text, 0));
  BOOST_TEST(str(line) == "first line\n");
  const auto word = b.read_view(3);
  BOOST_TEST(word.data() == at(text, 11));
  BOOST_TEST(str(word) == "sec");
  BOOST_TEST(str(b.readline_view(100)) == "ond\n");
  BOOST_TEST(str(b.readline_view(2)) == "th");
  BOOST_TEST(str(b.read_view()) == "ird");
  BOOST_TEST(b.read_view().empty()); // at the end
  BOOST_TEST(b.readline_view().empty());
  b.seek(100);
  BOOST_TEST(b.read_view().empty()); // past the end
  BOOST_TEST(b.tell() == 100u);
  // The stream reads the same memory: gptr() walks the caller's bytes.
  span_stream s(text);
  BOOST_TEST(s.get() == 'f');
  BOOST_TEST(s.rdbuf()->view().data() == at(text, 0));
}

BOOST_AUTO_TEST_CASE(reading_never_allocates) {
  const std::string text = "alpha\nbeta\ngamma\n" + std::string(5000, 'x');
  std::size_t before = allocations;
  span_buf b(text);
  BOOST_TEST(str(b.readline_view()) == "alpha\n");
  std::array<std::byte, 64> out{};
  BOOST_TEST(b.readinto(out) == 64u);
  b.seek(-10, std::ios_base::end);
  BOOST_TEST(b.read_view().size() == 10u);
  b.seek(0);
  char chunk[777];
  while (b.sgetn(chunk, sizeof chunk) == sizeof chunk) {
  }
  b.pubseekpos(3);
  BOOST_TEST(b.sbumpc() == 'h');
  BOOST_TEST(b.sungetc() == 'h');
  BOOST_TEST(b.in_avail() > 0);
  span_buf moved(std::move(b));
  moved.close();
  BOOST_TEST(allocations == before);
  // The stream allocates only what std::istream itself allocates (nothing
  // for reads into caller memory).
  span_stream s(text);
  before = allocations;
  s.read(chunk, sizeof chunk);
  s.seekg(0);
  s.ignore(5);
  BOOST_TEST(s.gcount() == 5);
  BOOST_TEST(allocations == before);
}

BOOST_AUTO_TEST_CASE(output_sets_badbit_and_changes_nothing) {
  const std::string text = "read only";
  const std::string copy = text;
  span_buf b(text);
  BOOST_TEST(b.sputc('x') == traits::eof());
  BOOST_TEST(b.sputn("xyz", 3) == 0);
  BOOST_TEST(b.pubsync() == 0); // nothing to flush
  std::ostream out(&b);
  out << "overwrite";
  out.flush();
  BOOST_TEST(out.bad());
  BOOST_TEST(text == copy);
  BOOST_TEST(b.tell() == 0u);
  // Through a stream that also reads: reading still works.
  span_stream s(text);
  std::string word;
  s >> word;
  BOOST_TEST(word == "read");
  BOOST_TEST(s.rdbuf()->sputc('!') == traits::eof());
  BOOST_TEST(text == copy);
}

BOOST_AUTO_TEST_CASE(putback_of_the_same_byte_works_of_another_fails) {
  const std::string text = "abc";
  span_buf b(text);
  BOOST_TEST(b.sbumpc() == 'a');
  BOOST_TEST(b.sputbackc('z') == traits::eof()); // would write: refused
  BOOST_TEST(b.tell() == 1u);
  BOOST_TEST(b.sputbackc('a') == 'a');
  BOOST_TEST(b.tell() == 0u);
  b.seek(2); // idle: no get area, pbackfail decides
  BOOST_TEST(b.sputbackc('q') == traits::eof());
  BOOST_TEST(b.sputbackc('b') == 'b');
  BOOST_TEST(b.sungetc() == 'a');
  BOOST_TEST(text == "abc");
  span_stream s(text);
  char c = 0;
  s.get(c);
  s.putback('x');
  BOOST_TEST(s.bad());
  BOOST_TEST(text == "abc");
}

BOOST_AUTO_TEST_CASE(close_fails_everything_after) {
  const std::string text = "abc";
  span_buf b(text);
  b.read_view(1);
  b.close();
  BOOST_TEST(b.closed());
  b.close();
  BOOST_TEST(b.view().empty());
  BOOST_TEST(b.size() == 0u);
  BYTESIO_CHECK_ERRC(b.read(), errc::closed);
  BYTESIO_CHECK_ERRC(b.read_view(), errc::closed);
  BYTESIO_CHECK_ERRC(b.readline_view(), errc::closed);
  BYTESIO_CHECK_ERRC(b.readline(), errc::closed);
  BYTESIO_CHECK_ERRC(b.readlines(), errc::closed);
  BYTESIO_CHECK_ERRC(b.seek(0), errc::closed);
  BYTESIO_CHECK_ERRC(b.tell(), errc::closed);
  BOOST_TEST(b.sgetc() == traits::eof());
  BOOST_TEST(b.pubseekoff(0, std::ios_base::cur) == std::streampos(std::streamoff(-1)));
}

BOOST_AUTO_TEST_CASE(a_stream_moves_and_swaps_with_its_buffer) {
  const std::string one = "one\n1", two = "two\n2";
  span_stream a(one);
  std::string line;
  std::getline(a, line);
  span_stream b(std::move(a));
  BOOST_TEST(b.rdbuf() == &b.buf());
  std::getline(b, line);
  BOOST_TEST(line == "1");
  span_stream c(two);
  swap(b, c);
  BOOST_TEST(b.view().data() == at(two, 0));
  std::getline(b, line);
  BOOST_TEST(line == "two");
  c = std::move(b);
  std::getline(c, line);
  BOOST_TEST(line == "2");
  BOOST_TEST(c.size() == two.size());
}

BOOST_AUTO_TEST_CASE(std_getline_reads_every_line) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += "line " + std::to_string(i) + (i % 7 == 0 ? "\r\n" : "\n");
  std::istringstream ref(text);
  span_stream in(text);
  std::string a, b;
  int n = 0;
  while (std::getline(ref, a)) {
    BOOST_REQUIRE(std::getline(in, b));
    BOOST_REQUIRE(a == b);
    ++n;
  }
  BOOST_TEST(n == 1000);
  BOOST_TEST(!std::getline(in, b));
  BOOST_TEST(in.eof());
}
