// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_IMPL_CFILE_HPP
#define BYTESIO_IMPL_CFILE_HPP

// The platform glue of open_file: glibc's fopencookie or the BSDs' funopen
// over detail::c_file. Everything but the four callbacks' signatures is in
// detail/c_file.hpp.

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <new>

#include <sys/types.h> // ssize_t, off64_t

namespace bytesio {
namespace detail {

#if defined(BYTESIO_DETAIL_CFILE_FOPENCOOKIE)

// glibc's cookie streams lose track of the position after a write, and this
// is where bytesio puts that right. glibc caches the file offset in the
// FILE (`_offset`) and computes `ftello` and `fseeko(..., SEEK_CUR)` from
// it. Its write to a real file (`_IO_new_file_write`) advances that cache by
// the bytes written; its cookie write (`_IO_cookie_write`) does not. So once
// a flush has seeked the cookie back to the start of the bytes to write
// (which it does whenever stdio's buffer also holds bytes read ahead: "r+"
// or "w+" after a read, or after a seek that is not block-aligned) and
// recorded that offset, the cache lags by the flushed count: `ftello` is
// short and the next `SEEK_CUR` seek, turned into `SEEK_SET` from the stale
// offset, makes the next write overwrite what was just written (fmemopen
// has the same fault). glibc's own "offset unknown" value, -1, is what it
// sets when it cannot know (append mode, a failed seek): then it asks the
// cookie (`seek(0, SEEK_CUR)`), and the cookie knows, since the position
// is the buffer's. So every write forgets the cached offset. The cost is
// one call to the cookie's seek at the next `ftello` or relative seek.
//
// The cookie is the C file and the FILE over it, which the write needs.
struct c_stream_cookie : c_file {
  using c_file::c_file;
  std::FILE *stream = nullptr; // set once fopencookie returns, before any I/O
};

#elif defined(BYTESIO_DETAIL_CFILE_FUNOPEN)

// BSD stdio (`_swrite`) advances its cached offset by every write's count,
// whatever the callbacks, so the funopen branch has no such trap and its
// cookie is the C file alone.
struct c_stream_cookie : c_file {
  using c_file::c_file;
};

#endif

// Both C libraries' close: ends the stream and frees the cookie, keeping
// the errno of a failed close.
inline int c_stream_close(void *cookie) {
  auto *file = static_cast<c_stream_cookie *>(cookie);
  const int rc = file->close();
  delete_keeping_errno(file);
  return rc;
}

#if defined(BYTESIO_DETAIL_CFILE_FOPENCOOKIE)

// glibc's cookie_io_functions_t: read returns -1 on error; write must
// return a count, never a negative (glibc compares it with the request, so
// a short count is what sets the error indicator); seek writes the new
// offset through its off64_t*.
inline ssize_t c_stream_read(void *cookie, char *out, std::size_t n) {
  return static_cast<c_stream_cookie *>(cookie)->read(out, n);
}

inline ssize_t c_stream_write(void *cookie, const char *in, std::size_t n) {
  auto *file = static_cast<c_stream_cookie *>(cookie);
  const std::size_t done = file->write(in, n);
  file->stream->_offset = -1; // glibc's _IO_pos_BAD: ask the cookie (see c_stream_cookie)
  return static_cast<ssize_t>(done);
}

inline int c_stream_seek(void *cookie, off64_t *off, int whence) {
  std::int64_t pos = *off;
  if (static_cast<c_stream_cookie *>(cookie)->seek(pos, whence) != 0)
    return -1;
  *off = pos;
  return 0;
}

inline std::FILE *make_c_stream(c_stream_cookie *file, const c_mode &mode) noexcept {
  cookie_io_functions_t io{};
  io.read = c_stream_read;
  io.write = c_stream_write;
  io.seek = c_stream_seek;
  io.close = c_stream_close;
  file->stream = ::fopencookie(file, mode.canonical, io);
  return file->stream;
}

#elif defined(BYTESIO_DETAIL_CFILE_FUNOPEN)

// The BSDs' and macOS's funopen: int counts (-1 on error, so a refused
// write is -1, not 0), the stream's direction from which of read/write is
// given, and a seek whose offset type (fpos_t, an off_t there) is deduced
// from funopen's own declaration.
inline int c_stream_read(void *cookie, char *out, int n) {
  return static_cast<int>(
      static_cast<c_stream_cookie *>(cookie)->read(out, n < 0 ? 0 : static_cast<std::size_t>(n)));
}

inline int c_stream_write(void *cookie, const char *in, int n) {
  if (n <= 0)
    return 0;
  const std::size_t done =
      static_cast<c_stream_cookie *>(cookie)->write(in, static_cast<std::size_t>(n));
  return done == 0 ? -1 : static_cast<int>(done);
}

template <class Offset>
Offset c_stream_seek(void *cookie, Offset off, int whence) {
  std::int64_t pos = static_cast<std::int64_t>(off);
  if (static_cast<c_stream_cookie *>(cookie)->seek(pos, whence) != 0)
    return static_cast<Offset>(-1);
  return static_cast<Offset>(pos);
}

inline std::FILE *make_c_stream(c_stream_cookie *file, const c_mode &mode) noexcept {
  using read_fn = int (*)(void *, char *, int);
  using write_fn = int (*)(void *, const char *, int);
  const read_fn read = mode.read ? &c_stream_read : nullptr;
  const write_fn write = mode.write ? &c_stream_write : nullptr;
  return ::funopen(file, read, write, c_stream_seek, c_stream_close);
}

#endif

inline std::FILE *open_c_stream(void *buf, const buffer_ops &ops, const char *mode) noexcept {
  auto *file = new_c_file<c_stream_cookie>(buf, ops, mode);
  if (file == nullptr)
    return nullptr;
  // The buffer is cut ("w") only once the FILE exists, so a failed open
  // changes nothing.
  std::FILE *stream = make_c_stream(file, file->mode());
  if (stream == nullptr) {
    if (errno == 0)
      errno = ENOMEM;
    delete_keeping_errno(file);
    return nullptr;
  }
  if (const int err = file->open(); err != 0) {
    std::fclose(stream); // frees `file`; the buffer is unchanged
    errno = err;
    return nullptr;
  }
  return stream;
}

} // namespace detail

template <class Storage>
std::FILE *open_file(basic_bytes_buf<Storage> &buf, const char *mode) noexcept {
  return detail::open_c_stream(&buf, detail::buffer_ops_of<basic_bytes_buf<Storage>>::table, mode);
}

inline std::FILE *open_file(spooled_buf &buf, const char *mode) noexcept {
  return detail::open_c_stream(&buf, detail::buffer_ops_of<spooled_buf>::table, mode);
}

inline std::FILE *open_file(span_buf &buf, const char *mode) noexcept {
  return detail::open_c_stream(&buf, detail::buffer_ops_of<span_buf>::table, mode);
}

} // namespace bytesio

#endif // BYTESIO_IMPL_CFILE_HPP
