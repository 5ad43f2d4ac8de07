// SPDX-License-Identifier: BSL-1.0
// open_file's BSD/macOS branch (funopen), run here over an emulated funopen:
// declared as the BSDs declare it (int counts, -1 on error; the offset type
// is theirs, fpos_t, an off_t there: off64_t here), defined below on glibc's
// fopencookie. The whole FILE contract (support/cfile_suite.hpp) runs on it,
// so the branch is compiled and checked on every build, not only on a BSD.

#include <cstdio>
#include <sys/types.h>

std::FILE *funopen(const void *cookie, int (*readfn)(void *, char *, int),
                   int (*writefn)(void *, const char *, int),
                   off64_t (*seekfn)(void *, off64_t, int), int (*closefn)(void *));

#define BYTESIO_DETAIL_CFILE_USE_FUNOPEN 1
#include "bytesio/cfile.hpp"

#define BOOST_TEST_MODULE cfile_funopen
#include <boost/test/unit_test.hpp>

#include "support/cfile_differential.hpp"
#include "support/cfile_suite.hpp"

#include <cerrno>
#include <climits>
#include <cstddef>
#include <new>

#if !defined(BYTESIO_DETAIL_CFILE_FUNOPEN) || defined(BYTESIO_DETAIL_CFILE_FOPENCOOKIE)
#error "cfile.hpp did not take the funopen branch"
#endif

namespace {

int funopen_calls = 0;

/** What funopen was given, behind glibc's cookie, and the FILE over it. */
struct bsd_cookie {
  void *cookie;
  int (*read)(void *, char *, int);
  int (*write)(void *, const char *, int);
  off64_t (*seek)(void *, off64_t, int);
  int (*close)(void *);
  std::FILE *stream = nullptr;
};

ssize_t emulated_read(void *c, char *buf, std::size_t n) {
  auto *e = static_cast<bsd_cookie *>(c);
  if (e->read == nullptr) {
    errno = EBADF;
    return -1;
  }
  return e->read(e->cookie, buf, n > INT_MAX ? INT_MAX : static_cast<int>(n));
}

ssize_t emulated_write(void *c, const char *buf, std::size_t n) {
  auto *e = static_cast<bsd_cookie *>(c);
  if (e->write == nullptr) {
    errno = EBADF;
    return 0;
  }
  const int done = e->write(e->cookie, buf, n > INT_MAX ? INT_MAX : static_cast<int>(n));
  // BSD stdio advances its cached offset by every write; glibc's cookie
  // write does not (impl/cfile.hpp), so the emulation makes glibc forget it.
  e->stream->_offset = -1;
  return done < 0 ? 0 : done; // BSD's -1 is glibc's short count
}

int emulated_seek(void *c, off64_t *off, int whence) {
  auto *e = static_cast<bsd_cookie *>(c);
  if (e->seek == nullptr) {
    errno = ESPIPE;
    return -1;
  }
  const off64_t pos = e->seek(e->cookie, *off, whence);
  if (pos == -1)
    return -1;
  *off = pos;
  return 0;
}

int emulated_close(void *c) {
  auto *e = static_cast<bsd_cookie *>(c);
  const int rc = e->close != nullptr ? e->close(e->cookie) : 0;
  const int err = errno;
  delete e;
  errno = err;
  return rc;
}

} // namespace

// As on the BSDs: the direction comes from which functions are given.
std::FILE *funopen(const void *cookie, int (*readfn)(void *, char *, int),
                   int (*writefn)(void *, const char *, int),
                   off64_t (*seekfn)(void *, off64_t, int), int (*closefn)(void *)) {
  ++funopen_calls;
  if (readfn == nullptr && writefn == nullptr) {
    errno = EINVAL;
    return nullptr;
  }
  auto *e =
      new (std::nothrow) bsd_cookie{const_cast<void *>(cookie), readfn, writefn, seekfn, closefn};
  if (e == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  cookie_io_functions_t io{};
  io.read = emulated_read;
  io.write = emulated_write;
  io.seek = emulated_seek;
  io.close = emulated_close;
  std::FILE *f = ::fopencookie(e,
                               readfn != nullptr && writefn != nullptr ? "r+"
                               : readfn != nullptr                     ? "r"
                                                                       : "w",
                               io);
  if (f == nullptr)
    delete e;
  else
    e->stream = f;
  return f;
}

BOOST_AUTO_TEST_CASE(open_file_went_through_funopen) {
  const int before = funopen_calls;
  bytesio::bytes_buf b;
  std::FILE *f = bytesio::open_file(b, "w");
  BOOST_REQUIRE(f != nullptr);
  BOOST_TEST(funopen_calls == before + 1);
  BOOST_TEST(std::fputs("via funopen", f) >= 0);
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST(bytesio::test::str(b.view()) == "via funopen");
}

// The funopen branch against a real file, as cfile_differential_test runs the
// platform's: fewer sequences, every buffering, over bytes_buf, in the modes
// that do not append. funopen takes no mode, so BSD stdio does not know a
// stream appends: its ftello with appended bytes still in its buffer counts
// from the position, not from the end (cfile.hpp says so), where glibc's real
// file asks for the end; "a" and "a+" are compared by the FILE suite instead.
BOOST_AUTO_TEST_CASE(funopen_branch_agrees_with_a_real_file) {
  int sequences = 0;
  for (int mode = 0; mode < 4; ++mode) // r, r+, w, w+
    for (int buffering = 0; buffering < 3; ++buffering)
      for (int seed = 0; seed < 20; ++seed, ++sequences) {
        bytesio::test::seeded_source in(
            static_cast<std::uint64_t>(seed * 18 + mode * 3 + buffering));
        bytesio::test::cfile_setup setup = bytesio::test::draw_cfile_setup(in);
        setup.mode = bytesio::test::cfile_modes[mode];
        setup.buffering = static_cast<bytesio::test::cfile_buffering>(buffering);
        setup.subject = bytesio::test::cfile_subject::bytes;
        const std::string diff = bytesio::test::run_cfile_differential(in, setup, 80);
        BOOST_TEST(diff.empty(), "seed " << seed << ": " << diff);
      }
  BOOST_TEST(sequences == 240);
}
