// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_SRC_OS_WIN32_ERROR_HPP
#define BYTESIO_SRC_OS_WIN32_ERROR_HPP

// Windows only, inside src/: the one mapping from GetLastError() to the
// errno values the library reports (std::generic_category, as on POSIX), so
// `e.code() == std::errc::no_such_file_or_directory` holds on both.

#include <cerrno>

#include <windows.h>

namespace bytesio::detail {

inline int errno_of(DWORD error) noexcept {
  switch (error) {
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND:
  case ERROR_INVALID_DRIVE:
  case ERROR_BAD_NETPATH:
    return ENOENT;
  case ERROR_ACCESS_DENIED:
  case ERROR_SHARING_VIOLATION:
  case ERROR_LOCK_VIOLATION:
    return EACCES;
  case ERROR_DIRECTORY:
    return ENOTDIR;
  case ERROR_FILE_EXISTS:
  case ERROR_ALREADY_EXISTS:
    return EEXIST;
  case ERROR_DISK_FULL:
  case ERROR_HANDLE_DISK_FULL:
    return ENOSPC;
  case ERROR_FILE_TOO_LARGE:
    return EFBIG;
  case ERROR_WRITE_PROTECT:
    return EROFS;
  case ERROR_TOO_MANY_OPEN_FILES:
    return EMFILE;
  case ERROR_NOT_ENOUGH_MEMORY:
  case ERROR_OUTOFMEMORY:
    return ENOMEM;
  case ERROR_INVALID_PARAMETER:
  case ERROR_INVALID_NAME:
  case ERROR_FILENAME_EXCED_RANGE:
    return EINVAL;
  case ERROR_NEGATIVE_SEEK:
    return EINVAL;
  default:
    return EIO;
  }
}

/** errno_of(GetLastError()), read at once. */
inline int last_errno() noexcept { return errno_of(::GetLastError()); }

} // namespace bytesio::detail

#endif // BYTESIO_SRC_OS_WIN32_ERROR_HPP
