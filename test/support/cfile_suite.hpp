// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_CFILE_SUITE_HPP
#define BYTESIO_TEST_SUPPORT_CFILE_SUITE_HPP

// The contract of open_file (cfile.hpp), written once and run over every
// buffer, by each test that includes it: cfile_test on the platform's
// backend (glibc's fopencookie here) and cfile_funopen_test on the BSD
// funopen branch. Include it after bytesio/cfile.hpp and boost/test.
//
// Every case checks what stdio reports (counts, ftello, ferror, errno)
// against the buffer's own view of the bytes (view() or getvalue()), for
// every mode C defines.

#include "bytesio/cfile.hpp"

#include "subjects.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

namespace bytesio::test {

/** The buffers the FILE suite writes: two storages, spooled before, at and across the rollover. */
using cfile_writable =
    std::tuple<bytes_subject<byte_vector>, bytes_subject<std::string>, spooled_subject<0>,
               spooled_subject<1>, spooled_subject<spooled_buf::block_size + 7>>;

/** Every buffer the FILE suite reads: the writable ones and span_buf. */
using cfile_readable = decltype(std::tuple_cat(cfile_writable{}, std::tuple<span_subject>{}));

/** The buffer's own view of its contents. */
template <class B>
std::string contents(const B &b) {
  if constexpr (B::contiguous)
    return str(b.view());
  else
    return str(b.getvalue());
}

/** A FILE* that is fclose'd at the end of the scope unless `close()` was called. */
class c_stream {
public:
  explicit c_stream(std::FILE *f) noexcept : f_(f) {}
  c_stream(const c_stream &) = delete;
  c_stream &operator=(const c_stream &) = delete;
  ~c_stream() {
    if (f_ != nullptr)
      std::fclose(f_);
  }
  std::FILE *get() const noexcept { return f_; }
  operator std::FILE *() const noexcept { return f_; }
  explicit operator bool() const noexcept { return f_ != nullptr; }
  /** fclose's result, errno kept. */
  int close() noexcept { return std::fclose(std::exchange(f_, nullptr)); }

private:
  std::FILE *f_;
};

/** Opens `b` in `mode`; fails the test if that fails. */
template <class B>
c_stream open(B &b, const char *mode) {
  errno = 0;
  std::FILE *f = open_file(b, mode);
  BOOST_REQUIRE_MESSAGE(f != nullptr, "open_file(\"" << mode << "\") failed: errno " << errno);
  return c_stream(f);
}

/** fgets into a string (empty at the end). */
inline std::string get_line(std::FILE *f) {
  char line[256];
  return std::fgets(line, sizeof line, f) != nullptr ? std::string(line) : std::string();
}

/** What fread returns for `n` bytes. */
inline std::string get_bytes(std::FILE *f, std::size_t n) {
  std::string s(n, '\0');
  s.resize(std::fread(s.data(), 1, n, f));
  return s;
}

inline bool put(std::FILE *f, std::string_view s) {
  return std::fwrite(s.data(), 1, s.size(), f) == s.size();
}

} // namespace bytesio::test

BOOST_AUTO_TEST_SUITE(cfile_contract)

using namespace bytesio::test;

BOOST_AUTO_TEST_CASE(not_a_c_mode_is_einval_and_allocates_nothing) {
  for (const char *mode : {"", "x", "rw", "rr", "r++", "rbb", "wxb", "rx", "ax", "r+x", "re", "rm",
                           "rbe", "w,ccs=UTF-8", "b", "+", "R", " r", "r "}) {
    bytes_subject<bytesio::byte_vector> b{"abc"};
    errno = 0;
    BOOST_TEST(bytesio::open_file(b, mode) == nullptr, "mode \"" << mode << "\"");
    BOOST_TEST(errno == EINVAL, "mode \"" << mode << "\"");
    BOOST_TEST(contents(b) == "abc");
    span_subject s{"abc"};
    errno = 0;
    BOOST_TEST(bytesio::open_file(s, mode) == nullptr);
    BOOST_TEST(errno == EINVAL);
  }
  bytes_subject<bytesio::byte_vector> b{"abc"};
  errno = 0;
  BOOST_TEST(bytesio::open_file(b, nullptr) == nullptr);
  BOOST_TEST(errno == EINVAL);
}

BOOST_AUTO_TEST_CASE(every_c_mode_opens) {
  for (const char *mode : {"r", "rb", "r+", "r+b", "rb+", "w", "wb", "w+", "w+b", "wb+", "a", "ab",
                           "a+", "a+b", "ab+"}) {
    bytes_subject<bytesio::byte_vector> b{"abc"};
    c_stream f = open(b, mode);
    BOOST_TEST(f.close() == 0, mode);
    BOOST_TEST(contents(b) == (mode[0] == 'w' ? "" : "abc"), mode);
    BOOST_TEST(!b.closed());
  }
}

BOOST_AUTO_TEST_CASE(exclusive_mode_is_eexist) {
  for (const char *mode : {"wx", "wbx", "w+x", "wb+x", "w+bx"}) {
    bytes_subject<bytesio::byte_vector> b{"abc"};
    errno = 0;
    BOOST_TEST(bytesio::open_file(b, mode) == nullptr, mode);
    BOOST_TEST(errno == EEXIST, mode);
    BOOST_TEST(contents(b) == "abc"); // not cut
  }
}

BOOST_AUTO_TEST_CASE(span_buf_refuses_every_writing_mode) {
  for (const char *mode : {"r+", "rb+", "r+b", "w", "wb", "w+", "a", "ab", "a+", "wx"}) {
    span_subject s{"abc"};
    errno = 0;
    BOOST_TEST(bytesio::open_file(s, mode) == nullptr, mode);
    BOOST_TEST(errno == EINVAL, mode);
    BOOST_TEST(s.tell() == 0u);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_mode_reads_from_the_position, B, cfile_readable) {
  const std::string text = "skip\n42 3.5 word\nsecond line\n\x01\x02\r\nend";
  B b{text};
  b.seek(5); // "r" starts at the buffer's position, not at 0
  c_stream f = open(b, "rb");
  BOOST_TEST(ftello(f) == 5);
  int i = 0;
  double d = 0;
  char word[16] = {};
  BOOST_TEST(std::fscanf(f, "%d %lf %15s", &i, &d, word) == 3);
  BOOST_TEST(i == 42);
  BOOST_TEST(d == 3.5);
  BOOST_TEST(std::string(word) == "word");
  BOOST_TEST(std::fgetc(f) == '\n');
  BOOST_TEST(ftello(f) == 17);
  BOOST_TEST(get_line(f) == "second line\n");
  const int c = std::fgetc(f);
  BOOST_TEST(c == 1);
  BOOST_TEST(std::ungetc(c, f) == c);
  BOOST_TEST(ftello(f) == 29);
  BOOST_TEST(get_bytes(f, 4) == "\x01\x02\r\n"); // "b" or not, no translation
  BOOST_TEST(get_bytes(f, 100) == "end");
  BOOST_TEST(std::feof(f) != 0);
  BOOST_TEST(std::ferror(f) == 0);
  BOOST_TEST(ftello(f) == static_cast<off_t>(text.size()));
  // Back and again; and a pushed-back byte that differs stays stdio's.
  BOOST_TEST(fseeko(f, 0, SEEK_SET) == 0);
  BOOST_TEST(std::fgetc(f) == 's');
  BOOST_TEST(std::ungetc('Z', f) == 'Z');
  BOOST_TEST(get_bytes(f, 4) == "Zkip");
  BOOST_TEST(f.close() == 0);
  BOOST_TEST(contents(b) == text); // reading never changed a byte
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_mode_refuses_writes, B, cfile_readable) {
  B b{"abc"};
  c_stream f = open(b, "r");
  errno = 0;
  BOOST_TEST(std::fputc('x', f) == EOF);
  BOOST_TEST(std::ferror(f) != 0);
  BOOST_TEST(errno == EBADF);
  std::clearerr(f);
  BOOST_TEST(std::fgetc(f) == 'a');
  BOOST_TEST(f.close() == 0);
  BOOST_TEST(contents(b) == "abc");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_mode_cuts_rewinds_and_refuses_reads, B, cfile_writable) {
  B b{"old contents"};
  b.seek(4);
  c_stream f = open(b, "wb");
  BOOST_TEST(b.size() == 0u); // cut at open, before any write
  BOOST_TEST(b.tell() == 0u);
  BOOST_TEST(ftello(f) == 0);
  BOOST_TEST(std::fprintf(f, "%s=%d;", "x", 7) == 4);
  BOOST_TEST(put(f, std::string_view("\0\n\r", 3)));
  errno = 0;
  BOOST_TEST(std::fgetc(f) == EOF);
  BOOST_TEST(std::ferror(f) != 0);
  BOOST_TEST(errno == EBADF);
  std::clearerr(f);
  BOOST_TEST(std::fflush(f) == 0);
  BOOST_TEST(contents(b) == std::string("x=7;\0\n\r", 7));
  BOOST_TEST(b.tell() == 7u);
  BOOST_TEST(f.close() == 0);
  BOOST_TEST(!b.closed());
  BOOST_TEST(contents(b) == std::string("x=7;\0\n\r", 7));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_plus_reads_back, B, cfile_writable) {
  B b{"gone"};
  c_stream f = open(b, "w+");
  for (int i = 0; i < 100; ++i)
    std::fprintf(f, "line %d\n", i);
  BOOST_TEST(ftello(f) == 790);
  std::rewind(f);
  BOOST_TEST(get_line(f) == "line 0\n");
  int n = -1;
  BOOST_TEST(std::fscanf(f, "line %d\n", &n) == 1);
  BOOST_TEST(n == 1);
  BOOST_TEST(fseeko(f, -8, SEEK_END) == 0);
  BOOST_TEST(get_line(f) == "line 99\n");
  BOOST_TEST(f.close() == 0);
  std::string expected;
  for (int i = 0; i < 100; ++i)
    expected += "line " + std::to_string(i) + "\n";
  BOOST_TEST(contents(b) == expected);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(read_plus_overwrites_in_place, B, cfile_writable) {
  B b{"0123456789"};
  b.seek(2);
  c_stream f = open(b, "r+");
  BOOST_TEST(get_bytes(f, 2) == "23");
  BOOST_TEST(fseeko(f, 0, SEEK_CUR) == 0); // C: a seek between reading and writing
  BOOST_TEST(put(f, "ab"));
  BOOST_TEST(fseeko(f, 12, SEEK_SET) == 0); // past the end: the gap is zero-filled
  BOOST_TEST(put(f, "Z"));
  BOOST_TEST(std::fflush(f) == 0);
  BOOST_TEST(contents(b) == std::string("0123ab6789\0\0Z", 13));
  BOOST_TEST(b.tell() == 13u);
  BOOST_TEST(ftello(f) == 13);
  BOOST_TEST(fseeko(f, 4, SEEK_SET) == 0);
  BOOST_TEST(get_bytes(f, 3) == "ab6");
  BOOST_TEST(f.close() == 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(append_writes_at_the_end_whatever_the_position, B, cfile_writable) {
  B b{"abc"};
  b.seek(1);
  {
    c_stream f = open(b, "a");
    BOOST_TEST(ftello(f) == 3); // "a" starts at the end, as fopen's does
    BOOST_TEST(put(f, "XY"));
    BOOST_TEST(std::fflush(f) == 0);
    BOOST_TEST(contents(b) == "abcXY");
    BOOST_TEST(ftello(f) == 5);
    BOOST_TEST(fseeko(f, 0, SEEK_SET) == 0);
    BOOST_TEST(put(f, "Z"));
    BOOST_TEST(f.close() == 0);
    BOOST_TEST(contents(b) == "abcXYZ");
  }
  {
    b.seek(1);
    c_stream f = open(b, "a+");
    BOOST_TEST(std::fgetc(f) == 'b'); // reading is at the position
    BOOST_TEST(fseeko(f, 0, SEEK_CUR) == 0);
    BOOST_TEST(put(f, "!"));
    BOOST_TEST(std::fflush(f) == 0);
    BOOST_TEST(ftello(f) == 7);
    BOOST_TEST(contents(b) == "abcXYZ!");
    BOOST_TEST(fseeko(f, 3, SEEK_SET) == 0);
    BOOST_TEST(get_bytes(f, 10) == "XYZ!");
    BOOST_TEST(f.close() == 0);
  }
}

// glibc's cookie write leaves the FILE's cached offset behind (impl/cfile.hpp):
// a write inside stdio's read-ahead, flushed by a seek, then a relative seek
// from that stale offset made the next write overwrite the last one. The
// expected values are what a real file from fopen gives on glibc.
BOOST_AUTO_TEST_CASE_TEMPLATE(relative_seek_after_a_write_in_read_ahead, B, cfile_writable) {
  B b{"0123456789"};
  {
    c_stream f = open(b, "r+");
    BOOST_TEST(std::fgetc(f) == '0'); // stdio's buffer now holds all 10 bytes
    BOOST_TEST(fseeko(f, 2, SEEK_SET) == 0);
    BOOST_TEST(put(f, "AB"));
    BOOST_TEST(fseeko(f, 0, SEEK_CUR) == 0);
    BOOST_TEST(ftello(f) == 4);
    BOOST_TEST(put(f, "CD"));
    BOOST_TEST(f.close() == 0);
  }
  BOOST_TEST(contents(b) == "01ABCD6789");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(relative_seeks_stay_right_after_far_writes, B, cfile_writable) {
  for (const char *mode : {"r+", "w+"}) {
    B b{std::string(20000, 'x')};
    c_stream f = open(b, mode);
    if (mode[0] == 'w') { // "w+" cut it: write the 20,000 bytes again, and rewind
      BOOST_TEST(put(f, std::string(20000, 'x')));
      BOOST_TEST(fseeko(f, 0, SEEK_SET) == 0);
    }
    BOOST_TEST(put(f, std::string(10, 'a')));
    BOOST_TEST(fseeko(f, 100, SEEK_SET) == 0);
    BOOST_TEST(put(f, std::string(20, 'b')));
    BOOST_TEST(fseeko(f, 0, SEEK_CUR) == 0);
    BOOST_TEST(ftello(f) == 120, mode);
    BOOST_TEST(put(f, "c"));
    BOOST_TEST(fseeko(f, -1, SEEK_CUR) == 0);
    BOOST_TEST(ftello(f) == 120, mode);
    BOOST_TEST(std::fgetc(f) == 'c');
    BOOST_TEST(f.close() == 0);
    const std::string got = contents(b);
    BOOST_TEST(got.size() == 20000u);
    BOOST_TEST(got.substr(0, 10) == std::string(10, 'a'), mode);
    BOOST_TEST(got.substr(100, 21) == std::string(20, 'b') + "c", mode);
    BOOST_TEST(got.substr(121, 10) == std::string(10, 'x'), mode);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(seeks_as_fseeko, B, cfile_readable) {
  B b{"0123456789"};
  c_stream f = open(b, "r");
  BOOST_TEST(fseeko(f, 3, SEEK_SET) == 0);
  BOOST_TEST(std::fgetc(f) == '3');
  BOOST_TEST(fseeko(f, 2, SEEK_CUR) == 0);
  BOOST_TEST(ftello(f) == 6);
  BOOST_TEST(std::fgetc(f) == '6');
  BOOST_TEST(fseeko(f, -1, SEEK_END) == 0);
  BOOST_TEST(std::fgetc(f) == '9');
  BOOST_TEST(fseeko(f, 100, SEEK_END) == 0); // past the end: reads nothing
  BOOST_TEST(ftello(f) == 110);
  BOOST_TEST(std::fgetc(f) == EOF);
  BOOST_TEST(std::feof(f) != 0);
  BOOST_TEST(std::ferror(f) == 0);
  // Before the start: refused, as fseek does; the position stays.
  BOOST_TEST(fseeko(f, 4, SEEK_SET) == 0);
  errno = 0;
  BOOST_TEST(fseeko(f, -5, SEEK_CUR) == -1);
  BOOST_TEST(errno == EINVAL);
  errno = 0;
  BOOST_TEST(fseeko(f, -11, SEEK_END) == -1);
  BOOST_TEST(errno == EINVAL);
  errno = 0;
  BOOST_TEST(fseeko(f, -1, SEEK_SET) == -1);
  BOOST_TEST(errno == EINVAL);
  BOOST_TEST(ftello(f) == 4);
  BOOST_TEST(std::fgetc(f) == '4');
  BOOST_TEST(f.close() == 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(position_is_shared_after_fflush, B, cfile_writable) {
  B b{"abcdefghij"};
  {
    // Reading fetches ahead; fflush gives back what was not consumed.
    c_stream f = open(b, "r+");
    BOOST_TEST(get_bytes(f, 3) == "abc");
    BOOST_TEST(b.tell() >= 3u);
    BOOST_TEST(std::fflush(f) == 0);
    BOOST_TEST(b.tell() == 3u);
    BOOST_TEST(ftello(f) == 3);
    // Writing: the bytes and the position reach the buffer on fflush.
    BOOST_TEST(put(f, "XY"));
    BOOST_TEST(std::fflush(f) == 0);
    BOOST_TEST(contents(b) == "abcXYfghij");
    BOOST_TEST(b.tell() == 5u);
    BOOST_TEST(ftello(f) == 5);
    BOOST_TEST(f.close() == 0);
  }
  // The buffer goes on from where the FILE left it, and a new FILE from
  // where the buffer is.
  BOOST_TEST(str(b.read(2)) == "fg");
  c_stream g = open(b, "r");
  BOOST_TEST(ftello(g) == 7);
  BOOST_TEST(get_bytes(g, 10) == "hij");
  BOOST_TEST(g.close() == 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(unbuffered_writes_reach_the_buffer_at_once, B, cfile_writable) {
  B b;
  c_stream f = open(b, "w");
  BOOST_TEST(std::setvbuf(f, nullptr, _IONBF, 0) == 0);
  BOOST_TEST(std::fputs("abc", f) >= 0);
  BOOST_TEST(contents(b) == "abc");
  BOOST_TEST(b.tell() == 3u);
  BOOST_TEST(std::fputc('d', f) == 'd');
  BOOST_TEST(contents(b) == "abcd");
  BOOST_TEST(f.close() == 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(size_limit_is_efbig_and_keeps_the_bytes_up_to_it, B, cfile_writable) {
  B b;
  b.set_size_limit(100);
  const std::string data = pattern(150);
  c_stream f = open(b, "w");
  BOOST_TEST(put(f, std::string_view(data).substr(0, 60)));
  BOOST_TEST(std::fflush(f) == 0);
  BOOST_TEST(put(f, std::string_view(data).substr(60))); // stdio holds it
  errno = 0;
  BOOST_TEST(std::fflush(f) == EOF);
  BOOST_TEST(errno == EFBIG);
  BOOST_TEST(std::ferror(f) != 0);
  BOOST_TEST(contents(b) == data.substr(0, 100)); // nothing already written is lost
  std::clearerr(f);
  BOOST_TEST(f.close() == 0); // stdio dropped what it could not flush
  BOOST_TEST(contents(b) == data.substr(0, 100));
  BOOST_TEST(!b.closed());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(write_at_the_limit_lands_nothing, B, cfile_writable) {
  B b{"0123456789"};
  b.set_size_limit(10);
  c_stream f = open(b, "a");
  BOOST_TEST(put(f, "x"));
  errno = 0;
  BOOST_TEST(std::fflush(f) == EOF);
  BOOST_TEST(errno == EFBIG);
  BOOST_TEST(contents(b) == "0123456789");
  std::clearerr(f);
  BOOST_TEST(f.close() == 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(closed_buffer_is_ebadf, B, cfile_writable) {
  {
    B b;
    b.close();
    for (const char *mode : {"r", "r+", "w", "a+"}) {
      errno = 0;
      BOOST_TEST(bytesio::open_file(b, mode) == nullptr, mode);
      BOOST_TEST(errno == EBADF, mode);
    }
  }
  {
    // Closed under a FILE with pending bytes: fflush and fclose fail, the
    // cookie is freed anyway (ASan's leak checker watches).
    B b;
    c_stream f = open(b, "w+");
    BOOST_TEST(put(f, "kept"));
    BOOST_TEST(std::fflush(f) == 0);
    BOOST_TEST(put(f, "lost"));
    b.close();
    errno = 0;
    BOOST_TEST(std::fflush(f) == EOF);
    BOOST_TEST(errno == EBADF);
    errno = 0;
    BOOST_TEST(std::fgetc(f) == EOF);
    errno = 0;
    BOOST_TEST(fseeko(f, 0, SEEK_SET) == -1);
    BOOST_TEST(errno == EBADF);
    errno = 0;
    BOOST_TEST(f.close() == EOF);
    BOOST_TEST(errno == EBADF);
  }
  {
    // Closed under an idle FILE: fclose still reports it.
    B b{"abc"};
    c_stream f = open(b, "r");
    b.close();
    errno = 0;
    BOOST_TEST(std::fgetc(f) == EOF);
    BOOST_TEST(std::ferror(f) != 0);
    BOOST_TEST(errno == EBADF);
    errno = 0;
    BOOST_TEST(f.close() == EOF);
    BOOST_TEST(errno == EBADF);
  }
}

BOOST_AUTO_TEST_CASE(span_buf_closed_is_ebadf) {
  span_subject s{"abc"};
  {
    c_stream f = open(s, "r");
    s.close();
    errno = 0;
    BOOST_TEST(std::fgetc(f) == EOF);
    BOOST_TEST(errno == EBADF);
    BOOST_TEST(f.close() == EOF);
  }
  errno = 0;
  BOOST_TEST(bytesio::open_file(s, "r") == nullptr);
  BOOST_TEST(errno == EBADF);
}

BOOST_AUTO_TEST_CASE(live_view_is_ebusy) {
  bytes_subject<bytesio::byte_vector> b{"abcdef"};
  {
    auto view = b.getbuffer();
    errno = 0;
    BOOST_TEST(bytesio::open_file(b, "w") == nullptr); // cutting is refused
    BOOST_TEST(errno == EBUSY);
    BOOST_TEST(contents(b) == "abcdef");
    c_stream f = open(b, "r+");
    BOOST_TEST(get_bytes(f, 2) == "ab"); // reading works
    BOOST_TEST(fseeko(f, 0, SEEK_CUR) == 0);
    BOOST_TEST(put(f, "XY"));
    errno = 0;
    BOOST_TEST(std::fflush(f) == EOF);
    BOOST_TEST(errno == EBUSY);
    BOOST_TEST(contents(b) == "abcdef");
    std::clearerr(f);
    view.release();
    BOOST_TEST(fseeko(f, 2, SEEK_SET) == 0);
    BOOST_TEST(put(f, "XY"));
    BOOST_TEST(f.close() == 0);
  }
  BOOST_TEST(contents(b) == "abXYef");
}

BOOST_AUTO_TEST_CASE(spooled_buf_rolls_over_under_the_file) {
  bytesio::spooled_buf b(1000);
  c_stream f = open(b, "w+");
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    BOOST_TEST_REQUIRE(std::fprintf(f, "%05d,%x\n", i, i * 7) > 0);
    expected += std::to_string(100000 + i).substr(1) + ",";
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x\n", i * 7);
    expected += hex;
    if (i == 10)
      BOOST_TEST(!b.rolled()); // still in stdio's buffer or in memory
  }
  BOOST_TEST(std::fflush(f) == 0);
  BOOST_TEST(b.rolled());
  BOOST_TEST(b.size() == expected.size());
  BOOST_TEST(ftello(f) == static_cast<off_t>(expected.size()));
  std::rewind(f);
  BOOST_TEST(get_line(f) == "00000,0\n");
  BOOST_TEST(fseeko(f, -12, SEEK_END) == 0);
  BOOST_TEST(get_line(f) == expected.substr(expected.size() - 12));
  BOOST_TEST(f.close() == 0);
  BOOST_TEST(contents(b) == expected);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(large_writes_and_reads_bypass_nothing, B, cfile_writable) {
  // fread/fwrite larger than stdio's buffer go straight to the buffer.
  const std::string data = random_bytes(3 * BUFSIZ + 17);
  B b;
  c_stream f = open(b, "w+");
  BOOST_TEST(put(f, data));
  BOOST_TEST(put(f, "tail"));
  BOOST_TEST(std::fflush(f) == 0);
  BOOST_TEST(contents(b) == data + "tail");
  std::rewind(f);
  BOOST_TEST(get_bytes(f, 5) == data.substr(0, 5));
  BOOST_TEST(get_bytes(f, data.size()) == data.substr(5) + "tail");
  BOOST_TEST(f.close() == 0);
}

BOOST_AUTO_TEST_CASE(fclose_leaves_the_buffer_open_and_usable) {
  bytes_subject<bytesio::byte_vector> b;
  for (int round = 0; round < 3; ++round) {
    c_stream f = open(b, "a");
    BOOST_TEST(std::fprintf(f, "%d", round) == 1);
    BOOST_TEST(f.close() == 0);
    BOOST_TEST(!b.closed());
  }
  BOOST_TEST(contents(b) == "012");
  b.write("3");
  BOOST_TEST(contents(b) == "0123");
}

BOOST_AUTO_TEST_SUITE_END()

#endif // BYTESIO_TEST_SUPPORT_CFILE_SUITE_HPP
