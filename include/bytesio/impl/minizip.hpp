// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_IMPL_MINIZIP_HPP
#define BYTESIO_IMPL_MINIZIP_HPP

// minizip's callbacks over detail::c_file. Only zopen64_file is made per
// buffer type (it needs the buffer's table); the stream it returns is the
// c_file, which every other callback works on.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace bytesio {
namespace detail {

inline std::string &minizip_error_slot() noexcept {
  thread_local std::string message;
  return message;
}

inline void minizip_record(std::string_view message) noexcept {
  const int err = errno;
  try {
    minizip_error_slot().assign(message);
  } catch (...) {
    minizip_error_slot().clear();
  }
  errno = err;
}

// minizip's own fopen table ("rb", "r+b", "wb"), with reading allowed on
// a new archive too.
inline const char *minizip_c_mode(int mode) noexcept {
  if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) == ZLIB_FILEFUNC_MODE_READ)
    return "rb";
  if ((mode & ZLIB_FILEFUNC_MODE_EXISTING) != 0)
    return "r+b";
  if ((mode & ZLIB_FILEFUNC_MODE_CREATE) != 0)
    return "w+b";
  return nullptr;
}

inline voidpf minizip_open(void *buf, const buffer_ops &ops, int mode) noexcept {
  c_file *file = new_c_file(buf, ops, minizip_c_mode(mode));
  if (file == nullptr) {
    minizip_record(errno == ENOMEM ? "bytesio: out of memory opening a minizip stream"
                   : ops.writable  ? "bytesio: minizip asked for an unknown open mode"
                                   : "bytesio: a span_buf is read-only; minizip can only unzip it");
    return nullptr;
  }
  if (file->open() != 0) {
    minizip_record(file->message());
    delete_keeping_errno(file);
    return nullptr;
  }
  return file;
}

template <class Buf>
voidpf ZCALLBACK minizip_open_of(voidpf opaque, const void * /*filename*/, int mode) {
  return minizip_open(opaque, buffer_ops_of<Buf>::table, mode);
}

inline uLong ZCALLBACK minizip_read(voidpf, voidpf stream, void *out, uLong size) {
  auto *file = static_cast<c_file *>(stream);
  const std::ptrdiff_t n = file->read(static_cast<char *>(out), size);
  if (n < 0) {
    minizip_record(file->message());
    return 0;
  }
  return static_cast<uLong>(n);
}

inline uLong ZCALLBACK minizip_write(voidpf, voidpf stream, const void *in, uLong size) {
  auto *file = static_cast<c_file *>(stream);
  const std::size_t n = file->write(static_cast<const char *>(in), size);
  if (n != size)
    minizip_record(file->message());
  return static_cast<uLong>(n);
}

inline ZPOS64_T ZCALLBACK minizip_tell(voidpf, voidpf stream) {
  auto *file = static_cast<c_file *>(stream);
  const std::int64_t pos = file->tell();
  if (pos < 0) {
    minizip_record(file->message());
    return static_cast<ZPOS64_T>(-1);
  }
  return static_cast<ZPOS64_T>(pos);
}

inline long ZCALLBACK minizip_seek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto *file = static_cast<c_file *>(stream);
  int whence;
  switch (origin) {
  case ZLIB_FILEFUNC_SEEK_SET:
    whence = SEEK_SET;
    break;
  case ZLIB_FILEFUNC_SEEK_CUR:
    whence = SEEK_CUR;
    break;
  case ZLIB_FILEFUNC_SEEK_END:
    whence = SEEK_END;
    break;
  default:
    whence = -1; // c_file refuses it with EINVAL
    break;
  }
  // Two's complement: minizip passes a relative seek back as a huge unsigned value.
  auto off = static_cast<std::int64_t>(offset);
  if (file->seek(off, whence) != 0) {
    minizip_record(file->message());
    return -1;
  }
  return 0;
}

inline int ZCALLBACK minizip_close(voidpf, voidpf stream) {
  auto *file = static_cast<c_file *>(stream);
  const int rc = file->close();
  if (rc != 0)
    minizip_record(file->message());
  delete_keeping_errno(file);
  return rc;
}

inline int ZCALLBACK minizip_error(voidpf, voidpf stream) {
  return static_cast<const c_file *>(stream)->error();
}

template <class Buf>
zlib_filefunc64_def minizip_table(Buf &buf) noexcept {
  zlib_filefunc64_def def{};
  def.zopen64_file = &minizip_open_of<Buf>;
  def.zread_file = &minizip_read;
  def.zwrite_file = &minizip_write;
  def.ztell64_file = &minizip_tell;
  def.zseek64_file = &minizip_seek;
  def.zclose_file = &minizip_close;
  def.zerror_file = &minizip_error;
  def.opaque = &buf;
  return def;
}

} // namespace detail

template <class Storage>
zlib_filefunc64_def minizip_io(basic_bytes_buf<Storage> &buf) noexcept {
  return detail::minizip_table(buf);
}

inline zlib_filefunc64_def minizip_io(spooled_buf &buf) noexcept {
  return detail::minizip_table(buf);
}

inline zlib_filefunc64_def minizip_io(span_buf &buf) noexcept { return detail::minizip_table(buf); }

inline const std::string &minizip_error_message() noexcept { return detail::minizip_error_slot(); }

} // namespace bytesio

#endif // BYTESIO_IMPL_MINIZIP_HPP
