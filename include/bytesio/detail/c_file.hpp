// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_C_FILE_HPP
#define BYTESIO_DETAIL_C_FILE_HPP

// The one implementation under the C adapters (cfile.hpp, minizip.hpp): a
// bytesio buffer seen through its public file-like API, type-erased, and an
// open "C file" over it that speaks C's error convention (counts, -1 and
// errno) instead of exceptions. Only the table of `buffer_ops` is made per
// buffer type; the mode rules, the seek arithmetic, append, the size-limit
// rule for short writes and the exception-to-errno table exist once, here.

#include "bytesio/error.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <ios>
#include <limits>
#include <new>
#include <span>
#include <string>
#include <system_error>

namespace bytesio::detail {

/**
 * A buffer's file-like API as plain function pointers over `void *`: the
 * seam between the C adapters and the file core. The writing entries are
 * null for a read-only buffer (`span_buf`). Every entry may throw what the
 * member it calls throws.
 */
struct buffer_ops {
  bool writable;
  std::size_t (*write)(void *buf, const char *p, std::size_t n);
  std::size_t (*readinto)(void *buf, char *p, std::size_t n);
  void (*seek)(void *buf, std::uint64_t pos); // absolute, at most INT64_MAX
  std::uint64_t (*tell)(const void *buf);
  void (*truncate)(void *buf, std::uint64_t size);
  std::uint64_t (*size)(const void *buf);
  std::uint64_t (*size_limit)(const void *buf);
  bool (*closed)(const void *buf);
};

/** The `buffer_ops` of buffer type `Buf` (any buffer of the file core). */
template <class Buf>
struct buffer_ops_of {
  static Buf &self(void *b) noexcept { return *static_cast<Buf *>(b); }
  static const Buf &self(const void *b) noexcept { return *static_cast<const Buf *>(b); }

  static std::size_t write(void *b, const char *p, std::size_t n) {
    return self(b).write(std::span<const std::byte>(reinterpret_cast<const std::byte *>(p), n));
  }
  static std::size_t readinto(void *b, char *p, std::size_t n) {
    return self(b).readinto(std::span<std::byte>(reinterpret_cast<std::byte *>(p), n));
  }
  static void seek(void *b, std::uint64_t pos) {
    self(b).seek(static_cast<std::int64_t>(pos), std::ios_base::beg);
  }
  static std::uint64_t tell(const void *b) { return self(b).tell(); }
  static void truncate(void *b, std::uint64_t size) { self(b).truncate(size); }
  static std::uint64_t size(const void *b) { return self(b).size(); }
  static std::uint64_t size_limit(const void *b) { return self(b).size_limit(); }
  static bool closed(const void *b) { return self(b).closed(); }

  static constexpr buffer_ops table = [] {
    buffer_ops ops{};
    ops.writable = Buf::writable;
    ops.readinto = &readinto;
    ops.seek = &seek;
    ops.tell = &tell;
    ops.size = &size;
    ops.closed = &closed;
    if constexpr (Buf::writable) {
      ops.write = &write;
      ops.truncate = &truncate;
      ops.size_limit = &size_limit;
    }
    return ops;
  }();
};

/** What a C `fopen` mode string asks for. */
struct c_mode {
  bool read = false;
  bool write = false;
  bool append = false;             // "a": every write goes to the end
  bool truncate = false;           // "w": the contents are cut to 0 at open
  bool exclusive = false;          // "x" (C11, after "w"): the file must not exist
  const char *canonical = nullptr; // "r", "r+", "w", "w+", "a" or "a+"
};

/**
 * Parses a C `fopen` mode: one of `r`, `w`, `a`, then `b` and `+` in any
 * order, each at most once, and for `w` an `x` last (C11). Anything else
 * (`""`, `"x"`, `"rw"`, glibc's `e`/`m`/`c`/`,ccs=`) is not a C mode.
 * @return whether `mode` is a C mode (then `out` says what it asks for).
 */
inline bool parse_c_mode(const char *mode, c_mode &out) noexcept {
  if (mode == nullptr)
    return false;
  c_mode m;
  switch (mode[0]) {
  case 'r':
    m.read = true;
    break;
  case 'w':
    m.write = m.truncate = true;
    break;
  case 'a':
    m.write = m.append = true;
    break;
  default:
    return false;
  }
  bool binary = false, plus = false;
  const char *p = mode + 1;
  for (; *p == 'b' || *p == '+'; ++p) {
    bool &seen = *p == 'b' ? binary : plus;
    if (seen)
      return false;
    seen = true;
  }
  if (*p == 'x' && mode[0] == 'w') {
    m.exclusive = true;
    ++p;
  }
  if (*p != '\0')
    return false;
  if (plus)
    m.read = m.write = true;
  static constexpr const char *names[3][2] = {{"r", "r+"}, {"w", "w+"}, {"a", "a+"}};
  m.canonical = names[mode[0] == 'r' ? 0 : mode[0] == 'w' ? 1 : 2][plus ? 1 : 0];
  out = m;
  return true;
}

/**
 * The `errno` value for the exception being handled; call only inside a
 * `catch`. bytesio's codes: `closed` EBADF, `buffer_exported` EBUSY,
 * `size_limit` EFBIG, `invalid_argument` EINVAL, `not_supported` ENOTSUP;
 * an operating-system error (`spooled_buf`'s file) its own `errno`;
 * `std::bad_alloc` ENOMEM; anything else EIO.
 * @param message receives the exception's `what()` if not null (left
 *   empty if even that copy fails).
 */
inline int current_errno(std::string *message = nullptr) noexcept {
  int err = EIO;
  const char *what = "unknown exception";
  try {
    throw;
  } catch (const std::system_error &e) { // std::ios_base::failure included
    what = e.what();
    const std::error_code code = e.code();
    if (code.category() == error_category()) {
      switch (static_cast<errc>(code.value())) {
      case errc::closed:
        err = EBADF;
        break;
      case errc::buffer_exported:
        err = EBUSY;
        break;
      case errc::size_limit:
        err = EFBIG;
        break;
      case errc::invalid_argument:
        err = EINVAL;
        break;
      case errc::not_supported:
        err = ENOTSUP;
        break;
      default:
        err = EIO;
        break;
      }
    } else if ((code.category() == std::generic_category() ||
                code.category() == std::system_category()) &&
               code.value() > 0) {
      err = code.value();
    }
  } catch (const std::bad_alloc &e) {
    what = e.what();
    err = ENOMEM;
  } catch (const std::exception &e) {
    what = e.what();
  } catch (...) {
  }
  if (message != nullptr) {
    try {
      message->assign(what);
    } catch (...) {
      message->clear();
    }
  }
  return err;
}

/**
 * An open C file over a buffer: reads, writes and seeks at the buffer's
 * one position with the rules of the mode it was opened with, reporting as
 * C does (counts, -1 and `errno`), never by exception. It refers to the
 * buffer; the buffer must outlive it and must not move.
 *
 * Failures keep what was written before them: a write the buffer refuses
 * writes nothing, except a write the size limit cuts, which writes the bytes
 * up to the limit and reports the rest short (as `write(2)` does at
 * `RLIMIT_FSIZE`). Each failure's `errno` is also kept (`error()`, sticky,
 * with the exception's text in `message()`).
 */
class c_file {
public:
  c_file(void *buf, const buffer_ops &ops, const c_mode &mode) noexcept
      : buf_(buf), ops_(&ops), mode_(mode) {}

  /** The mode this file was opened with. */
  const c_mode &mode() const noexcept { return mode_; }

  c_file(const c_file &) = delete;
  c_file &operator=(const c_file &) = delete;

  /**
   * What opening does to the buffer: `w` cuts it to 0 and rewinds; `a`
   * moves to the end; every other mode starts at the buffer's position.
   * @return 0, or the `errno` of the failure (EBADF: closed; EBUSY: a live
   *   `getbuffer()` view refuses the cut); the buffer is then unchanged.
   */
  int open() noexcept {
    try {
      if (ops_->closed(buf_))
        return fail(EBADF, "bytesio: open of a closed buffer");
      if (mode_.truncate) {
        ops_->truncate(buf_, 0);
        ops_->seek(buf_, 0);
      } else if (mode_.append && !mode_.read) {
        // "a" starts at the end, as fopen's does on glibc and the BSDs;
        // "a+" reads from the position (glibc's rule for its read start).
        ops_->seek(buf_, ops_->size(buf_));
      }
      return 0;
    } catch (...) {
      return fail_current();
    }
  }

  /**
   * Reads up to `n` bytes at the position into `out`.
   * @return the count (0 at or past the end), or -1 with `errno` set
   *   (EBADF: closed, or a file opened without reading).
   */
  std::ptrdiff_t read(char *out, std::size_t n) noexcept {
    if (!mode_.read) {
      fail(EBADF, "bytesio: read from a file opened for writing only");
      return -1;
    }
    n = clamp(n);
    try {
      return static_cast<std::ptrdiff_t>(ops_->readinto(buf_, out, n));
    } catch (...) {
      fail_current();
      return -1;
    }
  }

  /**
   * Writes `n` bytes at the position (at the end in append mode).
   * @return `n`, or a shorter count with `errno` set: EBADF (closed, or a
   *   file opened without writing), EBUSY (a `getbuffer()` view is alive),
   *   EFBIG (the size limit: the bytes up to it are written), ENOMEM, or an
   *   OS error of a `spooled_buf`.
   */
  std::size_t write(const char *in, std::size_t n) noexcept {
    if (!mode_.write || !ops_->writable) {
      fail(EBADF, "bytesio: write to a file opened for reading only");
      return 0;
    }
    n = clamp(n);
    if (n == 0)
      return 0;
    try {
      if (mode_.append)
        ops_->seek(buf_, ops_->size(buf_));
      return ops_->write(buf_, in, n);
    } catch (...) {
      const int err = fail_current();
      if (err == EFBIG)
        return write_to_limit(in, n);
      return 0;
    }
  }

  /**
   * Moves the position as `fseeko`/`lseek` do: to `off` from the start
   * (`SEEK_SET`), the position (`SEEK_CUR`) or the end (`SEEK_END`); past
   * the end is allowed.
   * @param off the offset in, the new position out.
   * @return 0, or -1 with `errno` set: EINVAL (an unknown `whence`, or a
   *   position before 0, which `fseek` refuses and the buffer would clamp),
   *   EOVERFLOW (beyond INT64_MAX), EBADF (closed).
   */
  int seek(std::int64_t &off, int whence) noexcept {
    try {
      std::uint64_t base = 0;
      switch (whence) {
      case SEEK_SET:
        break;
      case SEEK_CUR:
        base = ops_->tell(buf_);
        break;
      case SEEK_END:
        base = ops_->size(buf_);
        break;
      default:
        return fail(EINVAL, "bytesio: seek with an unknown origin"), -1;
      }
      constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
      std::uint64_t target;
      if (off >= 0) {
        if (static_cast<std::uint64_t>(off) > max - base)
          return fail(EOVERFLOW, "bytesio: seek beyond INT64_MAX"), -1;
        target = base + static_cast<std::uint64_t>(off);
      } else {
        const std::uint64_t back = static_cast<std::uint64_t>(-(off + 1)) + 1;
        if (back > base)
          return fail(EINVAL, "bytesio: seek before the start"), -1;
        target = base - back;
      }
      ops_->seek(buf_, target);
      off = static_cast<std::int64_t>(target);
      return 0;
    } catch (...) {
      fail_current();
      return -1;
    }
  }

  /** The position. @return it, or -1 with `errno` EBADF (closed). */
  std::int64_t tell() noexcept {
    try {
      return static_cast<std::int64_t>(ops_->tell(buf_));
    } catch (...) {
      fail_current();
      return -1;
    }
  }

  /**
   * Ends this file; the buffer stays open (nothing of it is released).
   * @return 0, or -1 with `errno` EBADF if the buffer was closed meanwhile
   *   (what was written before is gone with it).
   */
  int close() noexcept {
    bool closed = true;
    try {
      closed = ops_->closed(buf_);
    } catch (...) {
    }
    if (closed)
      return fail(EBADF, "bytesio: close of a file whose buffer was closed"), -1;
    return 0;
  }

  /** The `errno` of the last failure (0: none yet). Sticky. */
  int error() const noexcept { return error_; }

  /** The text of the last failure (the exception's `what()`), empty if none. */
  const std::string &message() const noexcept { return message_; }

private:
  static std::size_t clamp(std::size_t n) noexcept {
    constexpr auto max = static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max());
    return n < max ? n : max;
  }

  int fail(int err, const char *what) noexcept {
    try {
      message_.assign(what);
    } catch (...) {
      message_.clear();
    }
    error_ = err;
    errno = err;
    return err;
  }

  int fail_current() noexcept {
    const int err = current_errno(&message_);
    error_ = err;
    errno = err;
    return err;
  }

  // A write past the size limit lands the bytes up to it, as a file at
  // RLIMIT_FSIZE does, so a C library's buffer flush keeps all it can; the
  // rest is reported short with EFBIG.
  std::size_t write_to_limit(const char *in, std::size_t n) noexcept {
    try {
      const std::uint64_t limit = ops_->size_limit(buf_);
      const std::uint64_t size = ops_->size(buf_);
      const std::uint64_t ceiling = limit > size ? limit : size;
      const std::uint64_t pos = ops_->tell(buf_);
      if (pos >= ceiling || ceiling - pos >= n)
        return 0;
      const auto fit = static_cast<std::size_t>(ceiling - pos);
      const std::size_t done = ops_->write(buf_, in, fit);
      errno = EFBIG;
      return done;
    } catch (...) {
      errno = EFBIG;
      return 0;
    }
  }

  void *buf_;
  const buffer_ops *ops_;
  c_mode mode_;
  int error_ = 0;
  std::string message_;
};

/** Deletes a file (or a cookie derived from it), keeping `errno`: what a failed call reports. */
template <class File>
void delete_keeping_errno(File *file) noexcept {
  const int err = errno;
  delete file;
  errno = err;
}

/**
 * Checks a C `mode` against the buffer and allocates the file for it, not
 * yet opened (`c_file::open` does what the mode does to the buffer).
 * @tparam File `c_file` or a class derived from it with its constructor
 *   (the C stream's cookie).
 * @return the file, or `nullptr` with `errno` set: EINVAL (not a C mode,
 *   or a writing mode on a read-only buffer), EEXIST (`"wx"`: the buffer
 *   exists), ENOMEM. Nothing is allocated then.
 */
template <class File = c_file>
File *new_c_file(void *buf, const buffer_ops &ops, const char *mode) noexcept {
  c_mode m;
  if (!parse_c_mode(mode, m) || (m.write && !ops.writable)) {
    errno = EINVAL;
    return nullptr;
  }
  if (m.exclusive) {
    errno = EEXIST;
    return nullptr;
  }
  auto *file = new (std::nothrow) File(buf, ops, m);
  if (file == nullptr)
    errno = ENOMEM;
  return file;
}

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_C_FILE_HPP
