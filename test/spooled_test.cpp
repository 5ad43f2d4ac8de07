// SPDX-License-Identifier: BSL-1.0
#include "bytesio/spooled_buf.hpp"

#define BOOST_TEST_MODULE spooled
#include "support/unit_test.hpp"

#include "bytesio/bytes_buf.hpp"
#include "support/test_support.hpp"

#if !defined(BYTESIO_TEST_HEADER_ONLY) // gzip needs the compiled Boost.Iostreams
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#endif

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <type_traits>

#if defined(_WIN32)
#include <io.h>
#else
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using bytesio::byte_vector;
using bytesio::spooled_buf;
using bytesio::spooled_stream;
namespace fs = std::filesystem;
using namespace bytesio::test;

namespace {

// pread on the descriptor fileno() gives (a CRT descriptor on Windows).
long long read_at(int fd, char *out, std::size_t n, long long offset) {
#if defined(_WIN32)
  if (::_lseeki64(fd, offset, SEEK_SET) != offset)
    return -1;
  return ::_read(fd, out, static_cast<unsigned>(n));
#else
  return ::pread(fd, out, n, offset);
#endif
}

// Descriptors open in this process, where /proc tells (Linux); elsewhere 0.
std::size_t open_fds() {
  std::size_t n = 0;
#if defined(__linux__)
  for ([[maybe_unused]] const auto &e : fs::directory_iterator("/proc/self/fd"))
    ++n;
#endif
  return n;
}

#if !defined(_WIN32)
/** RLIMIT_FSIZE lowered to `n` bytes with SIGXFSZ ignored, so writes past it fail with EFBIG. */
struct file_size_limit {
  rlimit old{};
  void (*old_handler)(int);
  explicit file_size_limit(rlim_t n) {
    old_handler = std::signal(SIGXFSZ, SIG_IGN);
    BOOST_REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    rlimit lim = old;
    lim.rlim_cur = n;
    BOOST_REQUIRE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
  }
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
  }
};
#endif

bool is_os_error(const std::error_code &ec) {
  return ec && ec.category() == std::generic_category();
}

} // namespace

static_assert(std::is_same_v<decltype(std::declval<spooled_stream &>().rdbuf()), spooled_buf *>);
static_assert(std::is_nothrow_move_constructible_v<spooled_buf>);
static_assert(std::is_move_constructible_v<spooled_stream> &&
              !std::is_copy_constructible_v<spooled_stream>);

// ---- the rollover rules of CPython's SpooledTemporaryFile --------------------------

BOOST_AUTO_TEST_CASE(write_up_to_threshold_stays_one_more_byte_rolls) {
  temp_dir dir;
  spooled_buf b(30, dir.path());
  b.write(std::string(20, 'x'));
  BOOST_TEST(!b.rolled());
  b.write(std::string(10, 'y'));
  BOOST_TEST(!b.rolled());
  BOOST_TEST(b.tell() == 30u);
  b.write("z");
  BOOST_TEST(b.rolled());
  BOOST_TEST(b.tell() == 31u);
  BOOST_TEST(str(b.getvalue()) == std::string(20, 'x') + std::string(10, 'y') + "z");
}

BOOST_AUTO_TEST_CASE(rewriting_the_start_never_rolls) {
  spooled_buf b(30);
  for (int i = 0; i < 5; ++i) {
    b.seek(0);
    b.write(std::string(20, static_cast<char>('a' + i)));
  }
  BOOST_TEST(!b.rolled());
  BOOST_TEST(str(b.getvalue()) == std::string(20, 'e'));
}

BOOST_AUTO_TEST_CASE(seek_past_threshold_alone_does_not_roll_next_write_does) {
  temp_dir dir;
  spooled_buf b(30, dir.path());
  b.write("ab");
  BOOST_TEST(b.seek(100) == 100u);
  BOOST_TEST(!b.rolled());
  b.write("c");
  BOOST_TEST(b.rolled());
  BOOST_TEST(b.tell() == 101u);
  BOOST_TEST(b.size() == 101u);
  BOOST_TEST(str(b.getvalue()) == "ab" + std::string(98, '\0') + "c");
  b.seek(0);
  BOOST_TEST(str(b.read()) == "ab" + std::string(98, '\0') + "c");
}

BOOST_AUTO_TEST_CASE(threshold_zero_never_rolls) {
  spooled_buf b(0);
  b.write(pattern(3 << 20));
  b.seek(10 << 20);
  b.write("x");
  b.truncate(100 << 20); // deliberately unlike CPython, whose truncate rolls for max_size 0
  BOOST_TEST(!b.rolled());
  BOOST_TEST(b.size() == (10u << 20) + 1);
}

BOOST_AUTO_TEST_CASE(truncate_above_threshold_rolls_first_and_never_extends) {
  temp_dir dir;
  spooled_buf b(30, dir.path());
  b.write(std::string(10, 'x'));
  b.seek(5);
  BOOST_TEST(b.truncate(30) == 30u);
  BOOST_TEST(!b.rolled());
  BOOST_TEST(b.truncate(31) == 31u);
  BOOST_TEST(b.rolled());
  BOOST_TEST(b.size() == 10u);
  BOOST_TEST(b.tell() == 5u);
  BOOST_TEST(b.truncate() == 5u);
  BOOST_TEST(str(b.getvalue()) == "xxxxx");
  BOOST_TEST(b.tell() == 5u);
}

BOOST_AUTO_TEST_CASE(rollover_and_fileno_keep_contents_and_position_past_the_end) {
  temp_dir dir;
  spooled_buf b(1000, dir.path());
  b.write("hello\nworld\n");
  b.seek(50);
  b.rollover();
  BOOST_TEST(b.rolled());
  BOOST_TEST(b.tell() == 50u);
  BOOST_TEST(b.size() == 12u);
  b.rollover(); // idempotent
  b.write("!");
  const int fd = b.fileno();
  BOOST_TEST(fd >= 0);
  char raw[51] = {};
  BOOST_TEST(read_at(fd, raw, sizeof raw, 0) == 51); // the descriptor sees the contents
  BOOST_TEST(std::string(raw, 51) == "hello\nworld\n" + std::string(38, '\0') + "!");
  b.seek(0);
  BOOST_TEST(str(b.readline()) == "hello\n");
  BOOST_TEST(b.readlines().size() == 2u);

  spooled_buf m(1000, dir.path());
  m.write("abc");
  BOOST_TEST(m.fileno() >= 0);
  BOOST_TEST(m.rolled());
  BOOST_TEST(m.tell() == 3u);
}

BOOST_AUTO_TEST_CASE(close_is_idempotent_before_and_after_rollover) {
  temp_dir dir;
  for (bool roll : {false, true}) {
    spooled_buf b(100, dir.path());
    b.write("data");
    if (roll)
      b.rollover();
    b.close();
    b.close();
    BOOST_TEST(b.closed());
    BOOST_TEST(b.rolled() == roll);
    BOOST_TEST(b.size() == 0u);
    BOOST_TEST(b.capacity() == 0u);
    BOOST_TEST((error_of([&] { b.write("x"); }) == bytesio::errc::closed));
    BOOST_TEST((error_of([&] { b.read(); }) == bytesio::errc::closed));
    BOOST_TEST((error_of([&] { b.tell(); }) == bytesio::errc::closed));
    BOOST_TEST((error_of([&] { b.rollover(); }) == bytesio::errc::closed));
    BOOST_TEST((error_of([&] { b.fileno(); }) == bytesio::errc::closed));
    BOOST_TEST((error_of([&] { b.getvalue(); }) == bytesio::errc::closed));
    BOOST_TEST(b.pubsync() == -1);
    BOOST_TEST(b.sputc('x') == std::char_traits<char>::eof());
    BOOST_TEST(b.sgetc() == std::char_traits<char>::eof());
  }
  BOOST_TEST(dir.entries() == 0u);
}

BOOST_AUTO_TEST_CASE(seek_rules_and_size_limit) {
  temp_dir dir;
  for (bool roll : {false, true}) {
    spooled_buf b(1 << 20, dir.path());
    if (roll)
      b.rollover();
    b.write("0123456789");
    BOOST_TEST((error_of([&] { b.seek(-1); }) == bytesio::errc::invalid_argument));
    BOOST_TEST(b.seek(-100, std::ios_base::cur) == 0u);
    BOOST_TEST(b.seek(-3, std::ios_base::end) == 7u);
    BOOST_TEST(b.pubseekoff(-1, std::ios_base::beg) == std::streampos(-1));
    BOOST_TEST(b.pubseekpos(1000) == std::streampos(1000));
    BOOST_TEST(b.size() == 10u); // seeking never changes the contents
    b.seek(0);
    b.set_size_limit(12);
    BOOST_TEST(b.size_limit() == 12u);
    b.seek(0, std::ios_base::end);
    BOOST_TEST((error_of([&] { b.write("abc"); }) == bytesio::errc::size_limit));
    BOOST_TEST(b.size() == 10u);
    b.write("ab");
    BOOST_TEST(b.sputc('c') == std::char_traits<char>::eof());
    b.seek(0);
    b.write("AB"); // overwriting within the limit works
    BOOST_TEST(str(b.getvalue()) == "AB23456789ab");
  }
}

BOOST_AUTO_TEST_CASE(a_write_crossing_the_threshold_rolls_before_writing) {
  temp_dir dir;
  spooled_buf b(1 << 20, dir.path());
  b.write("head");
  const std::size_t cap = b.capacity();
  BOOST_TEST(cap < (1u << 20));
  const std::string big = pattern(8 << 20);
  b.write(big);
  BOOST_TEST(b.rolled());
  BOOST_TEST(str(b.getvalue()) == "head" + big);
}

// ---- the same behaviour as bytes_buf, before and after the rollover ---------------

namespace {

// Applies one random operation to both buffers and checks they agree.
void random_op(std::mt19937 &rng, bytesio::bytes_buf &ref, spooled_buf &b, std::size_t span) {
  using traits = std::char_traits<char>;
  const auto pos = static_cast<std::int64_t>(rng() % span);
  std::size_t n = rng() % 4 == 0 ? rng() % (3 * spooled_buf::block_size) : rng() % 600;
  switch (rng() % 14) {
  case 0:
  case 1: {
    const std::string s = pattern(n, static_cast<unsigned>(rng()));
    BOOST_TEST_REQUIRE(ref.write(s) == b.write(s));
    break;
  }
  case 2: {
    const std::string s = pattern(n, static_cast<unsigned>(rng()));
    BOOST_TEST_REQUIRE(ref.sputn(s.data(), static_cast<std::streamsize>(s.size())) ==
                       b.sputn(s.data(), static_cast<std::streamsize>(s.size())));
    break;
  }
  case 3:
    BOOST_TEST_REQUIRE(ref.seek(pos) == b.seek(pos));
    break;
  case 4:
    BOOST_TEST_REQUIRE(
        ref.pubseekoff(pos / 2 - static_cast<std::int64_t>(span / 4), std::ios_base::cur) ==
        b.pubseekoff(pos / 2 - static_cast<std::int64_t>(span / 4), std::ios_base::cur));
    break;
  case 5:
    BOOST_TEST_REQUIRE(str(ref.read(n)) == str(b.read(n)));
    break;
  case 6: {
    std::string x(n, '\0'), y(n, '\0');
    BOOST_TEST_REQUIRE(ref.sgetn(x.data(), static_cast<std::streamsize>(n)) ==
                       b.sgetn(y.data(), static_cast<std::streamsize>(n)));
    BOOST_TEST_REQUIRE(x == y);
    break;
  }
  case 7:
    for (std::size_t i = 0; i < n % 50; ++i) {
      const char c = static_cast<char>('A' + rng() % 3);
      BOOST_TEST_REQUIRE(ref.sputc(c) == b.sputc(c));
    }
    break;
  case 8:
    for (std::size_t i = 0; i < n % 50; ++i)
      BOOST_TEST_REQUIRE(ref.sbumpc() == b.sbumpc());
    break;
  case 9:
    for (std::size_t i = 0; i < n % 5; ++i) {
      const char c = static_cast<char>('a' + rng() % 2);
      BOOST_TEST_REQUIRE(ref.sputbackc(c) == b.sputbackc(c));
      BOOST_TEST_REQUIRE(ref.sungetc() == b.sungetc());
    }
    break;
  case 10:
    if (rng() % 3 == 0)
      BOOST_TEST_REQUIRE(ref.truncate(static_cast<std::uint64_t>(pos)) ==
                         b.truncate(static_cast<std::uint64_t>(pos)));
    break;
  case 11:
    BOOST_TEST_REQUIRE(str(ref.readline(n)) == str(b.readline(n)));
    break;
  case 12:
    // After the rollover the get area is one cache block, so in_avail may be
    // less than all that remains, but never more, and 0 only at the end.
    if (b.rolled())
      BOOST_TEST_REQUIRE(
          ((b.in_avail() > 0) == (ref.in_avail() > 0) && b.in_avail() <= ref.in_avail()));
    else
      BOOST_TEST_REQUIRE(ref.in_avail() == b.in_avail());
    BOOST_TEST_REQUIRE(ref.sgetc() == b.sgetc());
    break;
  default:
    if (rng() % 8 == 0)
      BOOST_TEST_REQUIRE(b.pubsync() == 0);
    break;
  }
  BOOST_TEST_REQUIRE(ref.tell() == b.tell());
  BOOST_TEST_REQUIRE(ref.size() == b.size());
  (void)traits::eof();
}

} // namespace

BOOST_AUTO_TEST_CASE(random_operations_match_bytes_buf) {
  temp_dir dir;
  for (std::size_t threshold : {std::size_t(0), std::size_t(1000), std::size_t(300000),
                                std::size_t(1) /* rolled over from the start */}) {
    std::mt19937 rng(static_cast<unsigned>(threshold) + 7);
    bytesio::bytes_buf ref;
    spooled_buf b(threshold, dir.path());
    if (threshold == 1)
      b.rollover();
    const std::size_t span = 3 * spooled_buf::block_size;
    for (int i = 0; i < 1500; ++i) {
      BOOST_TEST_CONTEXT("threshold " << threshold << " op " << i << " pos " << b.tell() << " size "
                                      << b.size())
      random_op(rng, ref, b, span);
      if (i % 100 == 0)
        BOOST_REQUIRE(str(ref.getvalue()) == str(b.getvalue()));
    }
    BOOST_TEST(str(ref.getvalue()) == str(b.getvalue()));
    BOOST_TEST(b.rolled() == (threshold != 0));
    b.flush();
    BOOST_TEST(str(ref.getvalue()) == str(b.getvalue()));
  }
  BOOST_TEST(dir.entries() == 0u);
}

BOOST_AUTO_TEST_CASE(offsets_beyond_4_gib_after_rollover) {
  temp_dir dir;
  spooled_buf b(16, dir.path());
  const std::uint64_t far_away = (std::uint64_t(5) << 30) + 3;
  b.seek(static_cast<std::int64_t>(far_away));
  b.write("tail");
  BOOST_TEST(b.rolled());
  BOOST_TEST(b.size() == far_away + 4);
  b.seek(static_cast<std::int64_t>(far_away - 2));
  BOOST_TEST(str(b.read(6)) == std::string(2, '\0') + "tail");
  BOOST_TEST(b.pubseekoff(-6, std::ios_base::end) ==
             std::streampos(static_cast<std::streamoff>(far_away - 2)));
  BOOST_TEST(b.sbumpc() == 0);
  b.truncate(far_away + 1);
  BOOST_TEST(b.size() == far_away + 1);
  b.seek(-1, std::ios_base::end);
  BOOST_TEST(str(b.read()) == "t");
}

BOOST_AUTO_TEST_CASE(moves_leave_the_source_with_its_own_threshold) {
  // Assignment is documented "as the move constructor": both leave the
  // moved-from buffer empty, in memory, with the threshold it had.
  spooled_buf a(10), d(20);
  d.write("data");
  a = std::move(d);
  BOOST_TEST(a.threshold() == 20u);
  BOOST_TEST(str(a.getvalue()) == "data");
  BOOST_TEST(d.threshold() == 20u);
  BOOST_TEST(d.size() == 0u);
  spooled_buf e(30);
  spooled_buf f(std::move(e));
  BOOST_TEST(e.threshold() == 30u);
  BOOST_TEST(f.threshold() == 30u);
}

// ---- the stream ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stream_crosses_the_threshold_and_reads_back) {
  temp_dir dir;
  spooled_stream s(100, dir.path());
  for (int i = 0; i < 1000; ++i)
    s << i << '\n';
  BOOST_TEST(s.good());
  BOOST_TEST(s.rolled());
  BOOST_TEST(s.tellg() == s.tellp());
  s.seekg(0);
  int v = -1;
  for (int i = 0; i < 1000; ++i) {
    s >> v;
    BOOST_REQUIRE(v == i);
  }
  s >> v;
  BOOST_TEST(s.eof());
  s.clear();

  spooled_stream moved(std::move(s));
  BOOST_TEST(moved.rdbuf() == &moved.buf());
  BOOST_TEST(moved.rolled());
  moved.seekg(0);
  std::string line;
  std::getline(moved, line);
  BOOST_TEST(line == "0");
  spooled_stream other(5);
  other << "abc";
  swap(other, moved);
  BOOST_TEST(str(moved.getvalue()) == "abc");
  BOOST_TEST(other.size() > 3000u);
  other = std::move(moved);
  BOOST_TEST(str(other.getvalue()) == "abc");
  BOOST_TEST(!other.rolled());
}

// ---- faults -------------------------------------------------------------------------

namespace {

// A failed rollover leaves the data in memory, readable and writable.
void check_failed_rollover(spooled_buf &b, const std::string &before, std::error_code ec) {
  BOOST_TEST(is_os_error(ec));
  BOOST_TEST(!b.rolled());
  BOOST_TEST(str(b.getvalue()) == before);
  BOOST_TEST(b.tell() == before.size());
  b.seek(0);
  BOOST_TEST(str(b.read(5)) == before.substr(0, 5));
  b.seek(0);
  b.write("XY");
  BOOST_TEST(str(b.getvalue()) == "XY" + before.substr(2));
  BOOST_TEST(!b.rolled());
}

} // namespace

BOOST_AUTO_TEST_CASE(missing_directory_at_rollover) {
  temp_dir dir;
  const std::size_t fds = open_fds();
  spooled_buf b(64, dir.path() / "missing");
  const std::string data = pattern(60);
  b.write(data);
  const auto ec = error_of([&] { b.write(pattern(10)); });
  BOOST_TEST((ec == std::errc::no_such_file_or_directory));
  check_failed_rollover(b, data, ec);
  BOOST_TEST((error_of([&] { b.rollover(); }) == std::errc::no_such_file_or_directory));
  BOOST_TEST((error_of([&] { b.fileno(); }) == std::errc::no_such_file_or_directory));
  BOOST_TEST((error_of([&] { b.truncate(100); }) == std::errc::no_such_file_or_directory));
  BOOST_TEST(b.size() == 60u);
  BOOST_TEST(open_fds() == fds);
}

#if !defined(_WIN32) // sysfs, RLIMIT_FSIZE, /proc and fork are POSIX's
BOOST_AUTO_TEST_CASE(unwritable_directories_at_rollover) {
  // Tests run as root, which ignores permission bits, so "read-only" is a
  // directory no one can create files in: sysfs refuses with EACCES even
  // for root; a regular file used as the directory gives ENOTDIR.
  temp_dir dir;
  { std::ofstream(dir.path() / "plain") << "x"; }
  const std::size_t fds = open_fds();
  for (const fs::path &where : {fs::path("/sys"), dir.path() / "plain"}) {
    spooled_buf b(16, where);
    const std::string data = pattern(16);
    b.write(data);
    const auto ec = error_of([&] { b.write("more"); });
    BOOST_TEST_MESSAGE(where << ": " << ec.message());
    check_failed_rollover(b, data, ec);
    if (where.filename() == "plain")
      BOOST_TEST((ec == std::errc::not_a_directory));
  }
  // Through a stream: badbit, and the data stay.
  spooled_stream s(8, dir.path() / "plain");
  s << "12345678";
  BOOST_TEST(s.good());
  s << "9";
  BOOST_TEST(s.bad());
  BOOST_TEST(str(s.getvalue()) == "12345678");
  s.clear();
  s.exceptions(std::ios_base::badbit);
  BOOST_TEST((error_of([&] { s << "9"; }) == std::errc::not_a_directory));
  BOOST_TEST(open_fds() == fds);
  BOOST_TEST(dir.entries() == 1u);
}

BOOST_AUTO_TEST_CASE(write_error_midway_through_the_rollover_copy) {
  temp_dir dir;
  const std::size_t fds = open_fds();
  spooled_buf b(1 << 20, dir.path());
  const std::string data = pattern(1 << 20, 3);
  b.write(data);
  {
    file_size_limit limit(256 * 1024);
    const auto ec = error_of([&] { b.write("x"); });
    BOOST_TEST((ec == std::errc::file_too_large));
    check_failed_rollover(b, data, ec);
    BOOST_TEST((error_of([&] { b.rollover(); }) == std::errc::file_too_large));
    BOOST_TEST(open_fds() == fds);
  }
  b.rollover();
  BOOST_TEST(b.rolled());
  BOOST_TEST(str(b.getvalue()) == "XY" + data.substr(2));
  b.close();
  BOOST_TEST(open_fds() == fds);
  BOOST_TEST(dir.entries() == 0u);
}

BOOST_AUTO_TEST_CASE(write_errors_after_rollover_are_reported) {
  temp_dir dir;
  const std::size_t fds = open_fds();
  {
    // A write large enough to go straight to the file.
    spooled_buf b(16, dir.path());
    b.rollover();
    b.write(pattern(1000));
    file_size_limit limit(64 * 1024);
    const auto ec = error_of([&] { b.write(pattern(1 << 20)); });
    BOOST_TEST((ec == std::errc::file_too_large));
    BOOST_TEST(b.size() == 1000u);
    BOOST_TEST(b.tell() == 1000u);
  }
  {
    // A small write lands in the cache; the error shows at flush and close.
    spooled_buf b(16, dir.path());
    b.rollover();
    const std::string data = pattern(100000, 9);
    {
      file_size_limit limit(64 * 1024);
      b.write(data);
      BOOST_TEST((error_of([&] { b.flush(); }) == std::errc::file_too_large));
      BOOST_TEST(b.pubsync() == -1);
      BOOST_TEST((error_of([&] { b.close(); }) == std::errc::file_too_large));
      BOOST_TEST(!b.closed());
      BOOST_TEST(str(b.getvalue()) == data); // nothing lost
    }
    b.close(); // the limit is gone: the retry succeeds
    BOOST_TEST(b.closed());
  }
  {
    // Through a stream: flush sets badbit.
    spooled_stream s(16, dir.path());
    s.buf().rollover();
    file_size_limit limit(64 * 1024);
    s << pattern(100000);
    BOOST_TEST(s.good());
    s.flush();
    BOOST_TEST(s.bad());
  }
  {
    // The destructor swallows what only close() can report.
    file_size_limit limit(64 * 1024);
    spooled_buf b(16, dir.path());
    b.rollover();
    b.write(pattern(100000));
  }
  BOOST_TEST(open_fds() == fds);
  BOOST_TEST(dir.entries() == 0u);
}

#endif // !_WIN32

BOOST_AUTO_TEST_CASE(no_descriptor_leaks_and_nothing_left_in_the_directory) {
  temp_dir dir;
  [[maybe_unused]] const std::size_t fds = open_fds();
  {
    std::vector<spooled_buf> bufs;
    for (int i = 0; i < 20; ++i) {
      bufs.emplace_back(10, dir.path());
      bufs.back().write(pattern(static_cast<std::size_t>(i) * 3));
    }
#if defined(_WIN32)
    // Windows gives the file a name until its handle closes (delete on close).
    BOOST_TEST(dir.entries() == 16u); // the 16 that passed 10 bytes
#else
    BOOST_TEST(dir.entries() == 0u); // anonymous even while open
#endif
#if defined(__linux__)
    BOOST_TEST(open_fds() == fds + 16);
#endif
    spooled_buf moved(std::move(bufs[19]));
    bufs[18] = std::move(moved);
#if defined(__linux__)
    BOOST_TEST(open_fds() == fds + 15);
#elif defined(_WIN32)
    BOOST_TEST(dir.entries() == 15u);
#endif
  }
#if defined(__linux__)
  BOOST_TEST(open_fds() == fds);
#endif
  BOOST_TEST(dir.entries() == 0u); // nothing left once the buffers are gone
}

#if !defined(_WIN32)
BOOST_AUTO_TEST_CASE(nothing_left_after_the_process_is_killed) {
  temp_dir dir;
  int ready[2];
  BOOST_REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    ::close(ready[0]);
    spooled_buf b(100, dir.path());
    b.write(pattern(1 << 20));
    b.flush();
    const char c = b.rolled() ? 'r' : 'm';
    if (::write(ready[1], &c, 1) != 1)
      ::_exit(1);
    for (;;)
      ::pause();
  }
  ::close(ready[1]);
  char c = 0;
  BOOST_TEST(::read(ready[0], &c, 1) == 1);
  BOOST_TEST(c == 'r');
  ::close(ready[0]);
  BOOST_TEST(dir.entries() == 0u);
  ::kill(child, SIGKILL);
  int status = 0;
  BOOST_TEST(::waitpid(child, &status, 0) == child);
  BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  BOOST_TEST(dir.entries() == 0u);
}

#endif // !_WIN32

// ---- Boost.Iostreams ----------------------------------------------------------------

#if !defined(BYTESIO_TEST_HEADER_ONLY)
BOOST_AUTO_TEST_CASE(gzip_chain_into_a_spooled_buffer) {
  namespace io = boost::iostreams;
  temp_dir dir;
  const std::string data = pattern(10 << 20, 5);
  spooled_buf b(1 << 20, dir.path());
  {
    io::filtering_ostream out;
    out.push(io::gzip_compressor(1));
    out.push(b);
    for (std::size_t i = 0; i < data.size(); i += 4096)
      out.write(data.data() + i, 4096);
    BOOST_TEST(out.good());
  } // closing the chain writes the trailer
  BOOST_TEST(b.rolled());
  BOOST_TEST(b.size() > (1u << 20));
  b.seek(0);
  std::string back;
  {
    io::filtering_istream in;
    in.push(io::gzip_decompressor());
    in.push(b);
    back.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  BOOST_TEST((back == data));

  spooled_stream s(1 << 20, dir.path()); // a stream as the device
  {
    io::filtering_ostream out;
    out.push(io::gzip_compressor(1));
    out.push(s);
    out << data;
  }
  BOOST_TEST(s.rolled());
  BOOST_TEST((s.getvalue() == b.getvalue()));
}
#endif

// ---- OS failures that show away from the write that caused them ----------------------

#if !defined(_WIN32)
#include "bytesio/cfile.hpp"

#include <cerrno>
#include <cstdio>

namespace {

constexpr std::size_t cache_block = bytesio::detail::block_cache::block_size;

/**
 * A rolled-over buffer of three blocks with `patch` written over the first
 * block's end: the patch sits in the cache, not yet in the file, so the next
 * move of the cache must write it back. Returns the contents.
 */
std::string with_pending_patch(spooled_buf &b, const std::string &patch) {
  std::string data = pattern(3 * cache_block, 4);
  b.write(data); // a block or more: straight to the file
  b.seek(cache_block - 10);
  b.write(patch);
  data.replace(cache_block - 10, patch.size(), patch);
  return data;
}

/** `TMPDIR` set for one scope, then restored (or unset) as it was. */
struct tmpdir_env {
  const char *was = std::getenv("TMPDIR");
  std::string old = was != nullptr ? was : "";
  explicit tmpdir_env(const fs::path &dir) { ::setenv("TMPDIR", dir.c_str(), 1); }
  ~tmpdir_env() {
    if (was != nullptr)
      ::setenv("TMPDIR", old.c_str(), 1);
    else
      ::unsetenv("TMPDIR");
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_read_that_cannot_write_back_the_cache_consumes_nothing) {
  // read and readline copy window by window; reaching the next window writes
  // the cache back, which fails here after part of the result was copied.
  temp_dir dir;
  spooled_buf b(16, dir.path());
  const std::string patch(20, 'P'); // no newline: readline must go on
  const std::string data = with_pending_patch(b, patch);
  {
    file_size_limit limit(1);
    b.seek(cache_block - 10);
    BOOST_TEST((error_of([&] { (void)b.read(100); }) == std::errc::file_too_large));
    BOOST_TEST(b.tell() == cache_block - 10);
    BOOST_TEST((error_of([&] { (void)b.readline(); }) == std::errc::file_too_large));
    BOOST_TEST(b.tell() == cache_block - 10);
    BOOST_TEST((error_of([&] { (void)b.readlines(); }) == std::errc::file_too_large));
    BOOST_TEST(b.tell() == cache_block - 10);
    BOOST_TEST(b.size() == data.size());
  }
  // Nothing was lost: the retries read the patch and what follows it.
  BOOST_TEST(str(b.read(100)) == data.substr(cache_block - 10, 100));
  b.seek(cache_block - 10);
  BOOST_TEST(str(b.readline()) == data.substr(cache_block - 10));
  BOOST_TEST(str(b.getvalue()) == data);
}

BOOST_AUTO_TEST_CASE(a_write_elsewhere_that_cannot_write_back_the_cache_loses_nothing) {
  temp_dir dir;
  spooled_buf b(16, dir.path());
  std::string data = with_pending_patch(b, "abc");
  {
    file_size_limit limit(1);
    b.seek(2 * cache_block);
    BOOST_TEST((error_of([&] { b.write("xyz"); }) == std::errc::file_too_large));
    BOOST_TEST(b.size() == data.size());
    BOOST_TEST(b.tell() == 2 * cache_block);
  }
  BOOST_TEST(str(b.getvalue()) == data); // the pending patch is still there
  b.write("xyz");
  data.replace(2 * cache_block, 3, "xyz");
  // Written back, the file holds both writes.
  std::string file(data.size(), '\0');
  BOOST_TEST(read_at(b.fileno(), file.data(), file.size(), 0) ==
             static_cast<long long>(data.size()));
  BOOST_TEST((file == data));
}

BOOST_AUTO_TEST_CASE(no_usable_default_temporary_directory_keeps_the_data_in_memory) {
  // The default directory is looked up at the rollover, from TMPDIR.
  temp_dir dir;
  { std::ofstream(dir.path() / "plain") << "x"; }
  spooled_buf b(8); // no directory given
  const std::string data = pattern(8, 6);
  b.write(data);
  {
    tmpdir_env env(dir.path() / "plain");
    const auto ec = error_of([&] { b.write("9"); });
    BOOST_TEST((ec == std::errc::not_a_directory));
    check_failed_rollover(b, data, ec);
  }
  {
    tmpdir_env env(dir.path());
    b.seek(0, std::ios_base::end);
    b.write("9");
    BOOST_TEST(b.rolled());
    BOOST_TEST(dir.entries() == 1u); // the plain file only: the spool file has no name
  }
  BOOST_TEST(str(b.getvalue()) == "XY" + data.substr(2) + "9");
}

BOOST_AUTO_TEST_CASE(memory_requests_after_the_rollover_change_nothing) {
  temp_dir dir;
  spooled_buf b(16, dir.path());
  const std::string data = pattern(1000, 8);
  b.write(data);
  BOOST_TEST(b.rolled());
  b.reserve(1 << 20);
  BOOST_TEST(b.capacity() == data.size()); // the file: capacity is the size
  b.shrink_to_fit();
  BOOST_TEST(b.capacity() == data.size());
  BOOST_TEST(b.tell() == data.size());
  BOOST_TEST(str(b.getvalue()) == data);
}

BOOST_AUTO_TEST_CASE(an_error_of_close_itself_closes_anyway) {
  // close(2) can only fail here if the descriptor is gone: the test closes it
  // behind the buffer's back, the one way to make the final close fail.
  temp_dir dir;
  spooled_buf b(16, dir.path());
  b.write(pattern(100));
  BOOST_REQUIRE(::close(b.fileno()) == 0);
  const auto ec = error_of([&] { b.close(); });
  BOOST_TEST((ec == std::errc::bad_file_descriptor));
  BOOST_TEST(b.closed());
  BOOST_TEST((error_of([&] { b.close(); }) == std::error_code())); // closed stays closed
}

BOOST_AUTO_TEST_CASE(an_os_error_of_the_temporary_file_reaches_a_c_stream_as_its_errno) {
  temp_dir dir;
  spooled_buf b(16, dir.path());
  std::string data = with_pending_patch(b, "abc");
  std::FILE *f = bytesio::open_file(b, "r+");
  BOOST_REQUIRE(f != nullptr);
  BOOST_REQUIRE(std::setvbuf(f, nullptr, _IONBF, 0) == 0); // each write reaches the buffer
  BOOST_REQUIRE(::fseeko(f, off_t(2 * cache_block), SEEK_SET) == 0);
  {
    file_size_limit limit(1);
    errno = 0;
    BOOST_TEST(std::fwrite("xyz", 1, 3, f) == 0u); // the write-back of "abc" fails
    BOOST_TEST(errno == EFBIG);
    BOOST_TEST(std::ferror(f) != 0);
  }
  std::clearerr(f);
  BOOST_REQUIRE(::fseeko(f, off_t(2 * cache_block), SEEK_SET) == 0);
  BOOST_TEST(std::fwrite("xyz", 1, 3, f) == 3u);
  BOOST_TEST(std::fclose(f) == 0);
  data.replace(2 * cache_block, 3, "xyz");
  BOOST_TEST(str(b.getvalue()) == data);
}
#endif // !_WIN32
