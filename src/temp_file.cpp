// SPDX-License-Identifier: BSL-1.0
#include "bytesio/detail/temp_file.hpp"

#include "bytesio/error.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#if defined(_WIN32)
#include "os/win32_error.hpp"

#include <fcntl.h>
#include <io.h>
#include <random>
#include <windows.h>

#include <sddl.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

// The anonymous temporary file on POSIX (O_TMPFILE, else mkostemp + unlink)
// and on Windows (FILE_FLAG_DELETE_ON_CLOSE): the one place the library
// creates, reads and writes files of its own.

namespace bytesio::detail {
namespace {

[[noreturn]] void fail(int err, const std::string &what) {
  throw_system_error(err, "bytesio: " + what);
}

/** Closes a descriptor (the CRT's on Windows), reporting nothing. */
void release_fd(int fd) noexcept {
#if defined(_WIN32)
  ::_close(fd);
#else
  ::close(fd);
#endif
}

} // namespace

temp_file::temp_file(temp_file &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

temp_file &temp_file::operator=(temp_file &&other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      release_fd(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

temp_file::~temp_file() {
  if (fd_ >= 0)
    release_fd(fd_); // nothing to report to from a destructor; close() reports
}

#if defined(_WIN32)

namespace {

HANDLE handle_of(int fd) noexcept { return reinterpret_cast<HANDLE>(::_get_osfhandle(fd)); }

OVERLAPPED at_offset(std::uint64_t offset) noexcept {
  OVERLAPPED o{};
  o.Offset = static_cast<DWORD>(offset & 0xffffffffu);
  o.OffsetHigh = static_cast<DWORD>(offset >> 32);
  return o;
}

// ReadFile/WriteFile move at most a DWORD per call; 1 GiB keeps it simple.
constexpr std::size_t max_chunk = std::size_t(1) << 30;

} // namespace

temp_file temp_file::create(const std::filesystem::path &dir) {
  // A fresh random name in `dir`, deleted by the system when the last handle
  // closes, also when the process dies: nothing stays on disk. Opened
  // without sharing, so no other process opens it while it lives.
  // Owner-only: a protected DACL that grants the file's owner all access
  // and nobody else anything, whatever the directory would pass on.
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;FA;;;OW)", SDDL_REVISION_1,
                                                              &descriptor, nullptr))
    fail(last_errno(), "cannot make an owner-only security descriptor");
  struct release_descriptor {
    PSECURITY_DESCRIPTOR d;
    ~release_descriptor() { ::LocalFree(d); }
  } release{descriptor};
  SECURITY_ATTRIBUTES owner_only{sizeof(SECURITY_ATTRIBUTES), descriptor, FALSE};
  std::random_device seed;
  std::mt19937_64 rng(seed());
  for (int attempt = 0;; ++attempt) {
    const std::filesystem::path name = dir / ("bytesio-spool-" + std::to_string(rng()) + ".tmp");
    const HANDLE h =
        ::CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, &owner_only, CREATE_NEW,
                      FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
      const DWORD error = ::GetLastError();
      if ((error == ERROR_FILE_EXISTS || error == ERROR_ALREADY_EXISTS) && attempt < 100)
        continue;
      fail(errno_of(error), "cannot create a temporary file in " + dir.string());
    }
    // A CRT descriptor owns the handle from here: fileno() hands it out.
    const int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(h), _O_RDWR | _O_BINARY);
    if (fd < 0) {
      ::CloseHandle(h);
      fail(EMFILE, "cannot get a descriptor for a temporary file in " + dir.string());
    }
    return temp_file(fd);
  }
}

void temp_file::pwrite_all(const void *p, std::size_t n, std::uint64_t offset) const {
  const char *s = static_cast<const char *>(p);
  while (n != 0) {
    const std::size_t chunk = n < max_chunk ? n : max_chunk;
    OVERLAPPED o = at_offset(offset);
    DWORD done = 0;
    if (!::WriteFile(handle_of(fd_), s, static_cast<DWORD>(chunk), &done, &o))
      fail(last_errno(), "write of " + std::to_string(chunk) +
                             " bytes to a temporary file at offset " + std::to_string(offset));
    if (done == 0)
      fail(ENOSPC, "temporary file write made no progress");
    s += done;
    n -= done;
    offset += done;
  }
}

std::size_t temp_file::pread_all(void *p, std::size_t n, std::uint64_t offset) const {
  char *s = static_cast<char *>(p);
  std::size_t done = 0;
  while (done < n) {
    const std::size_t chunk = n - done < max_chunk ? n - done : max_chunk;
    OVERLAPPED o = at_offset(offset);
    DWORD got = 0;
    if (!::ReadFile(handle_of(fd_), s + done, static_cast<DWORD>(chunk), &got, &o)) {
      const DWORD error = ::GetLastError();
      if (error == ERROR_HANDLE_EOF)
        break;
      fail(errno_of(error), "read of " + std::to_string(chunk) +
                                " bytes from a temporary file at offset " + std::to_string(offset));
    }
    if (got == 0)
      break;
    done += got;
    offset += got;
  }
  return done;
}

void temp_file::truncate(std::uint64_t size) const {
  FILE_END_OF_FILE_INFO end{};
  end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  if (!::SetFileInformationByHandle(handle_of(fd_), FileEndOfFileInfo, &end, sizeof end))
    fail(last_errno(), "cannot truncate a temporary file to " + std::to_string(size) + " bytes");
}

void temp_file::close() {
  if (fd_ < 0)
    return;
  const int fd = std::exchange(fd_, -1);
  if (::_close(fd) != 0)
    fail(errno, "closing a temporary file failed");
}

#else // POSIX

namespace {

// One syscall moves at most this much (Linux caps at 0x7ffff000 anyway), so
// the count always fits ssize_t and off_t arithmetic stays in range.
constexpr std::size_t max_chunk = std::size_t(1) << 30;

off_t to_off(std::uint64_t offset, const char *op) {
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()))
    fail(EOVERFLOW, std::string(op) + " at an offset beyond off_t");
  return static_cast<off_t>(offset);
}

#ifdef O_TMPFILE
// -1 with errno set: a real failure; -2: this filesystem cannot do O_TMPFILE.
int open_tmpfile(const std::filesystem::path &dir) {
  int fd;
  do
    fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR);
  while (fd < 0 && errno == EINTR);
  // Kernels before 3.11 see O_DIRECTORY|O_RDWR (EISDIR); filesystems without
  // support say EOPNOTSUPP; both fall back to a named file.
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
    return -2;
  return fd;
}
#endif

int open_named_then_unlink(const std::filesystem::path &dir) {
  std::string name = (dir / "bytesio-spool-XXXXXX").string();
  std::vector<char> templ(name.begin(), name.end());
  templ.push_back('\0');
  int fd;
#if defined(__GLIBC__) || defined(__APPLE__) || defined(__FreeBSD__)
  do
    fd = ::mkostemp(templ.data(), O_CLOEXEC); // mode 0600, as mkstemp
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return -1;
#else
  do
    fd = ::mkstemp(templ.data()); // mode 0600
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return -1;
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    const int err = errno;
    ::unlink(templ.data());
    ::close(fd);
    errno = err;
    return -1;
  }
#endif
  if (::unlink(templ.data()) != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

} // namespace

temp_file temp_file::create(const std::filesystem::path &dir) {
  int fd = -1;
#ifdef O_TMPFILE
  fd = open_tmpfile(dir);
  if (fd == -1)
    fail(errno, "cannot create a temporary file in " + dir.string());
  if (fd >= 0)
    return temp_file(fd);
#endif
  fd = open_named_then_unlink(dir);
  if (fd < 0)
    fail(errno, "cannot create a temporary file in " + dir.string());
  return temp_file(fd);
}

void temp_file::pwrite_all(const void *p, std::size_t n, std::uint64_t offset) const {
  const char *s = static_cast<const char *>(p);
  while (n != 0) {
    const std::size_t chunk = n < max_chunk ? n : max_chunk;
    const ssize_t k = ::pwrite(fd_, s, chunk, to_off(offset, "write"));
    if (k < 0) {
      if (errno == EINTR)
        continue;
      fail(errno, "write of " + std::to_string(chunk) + " bytes to a temporary file at offset " +
                      std::to_string(offset));
    }
    if (k == 0) // not an error by POSIX, but no progress: report it as ENOSPC
      fail(ENOSPC, "temporary file write made no progress");
    s += k;
    n -= static_cast<std::size_t>(k);
    offset += static_cast<std::uint64_t>(k);
  }
}

std::size_t temp_file::pread_all(void *p, std::size_t n, std::uint64_t offset) const {
  char *s = static_cast<char *>(p);
  std::size_t done = 0;
  while (done < n) {
    const std::size_t chunk = n - done < max_chunk ? n - done : max_chunk;
    const ssize_t k = ::pread(fd_, s + done, chunk, to_off(offset, "read"));
    if (k < 0) {
      if (errno == EINTR)
        continue;
      fail(errno, "read of " + std::to_string(chunk) + " bytes from a temporary file at offset " +
                      std::to_string(offset));
    }
    if (k == 0)
      break;
    done += static_cast<std::size_t>(k);
    offset += static_cast<std::uint64_t>(k);
  }
  return done;
}

void temp_file::truncate(std::uint64_t size) const {
  const off_t len = to_off(size, "truncate");
  int r;
  do
    r = ::ftruncate(fd_, len);
  while (r != 0 && errno == EINTR);
  if (r != 0)
    fail(errno, "cannot truncate a temporary file to " + std::to_string(size) + " bytes");
}

void temp_file::close() {
  if (fd_ < 0)
    return;
  const int fd = std::exchange(fd_, -1);
  // Linux releases the descriptor even when close fails (also on EINTR), so
  // it is never retried.
  if (::close(fd) != 0 && errno != EINTR)
    fail(errno, "closing a temporary file failed");
}

#endif

} // namespace bytesio::detail
