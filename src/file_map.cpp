// SPDX-License-Identifier: BSL-1.0
#include "bytesio/detail/file_map.hpp"
#include "bytesio/error.hpp"

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>

#if defined(_WIN32)
#define BYTESIO_MAP_WINDOWS 1
#include "os/win32_error.hpp"

#include <windows.h>
#elif __has_include(<sys/mman.h>)
#define BYTESIO_MAP_POSIX 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#define BYTESIO_MAP_FALLBACK 1
#include <cstdio>
#include <cstdlib>
#endif

namespace bytesio::detail {
namespace {

[[noreturn]] void fail(int err, const std::filesystem::path &path, const char *what) {
  // throw_system_error adds the errno's text.
  detail::throw_system_error(err, "bytesio: cannot map " + path.string() + " (" + what + ")");
}

} // namespace

#if BYTESIO_MAP_WINDOWS

file_map map_file(const std::filesystem::path &path) {
  // Shared for reading, writing and deletion, as a POSIX open is: others may
  // keep using the file (Windows refuses to truncate it while it is mapped).
  const HANDLE file = ::CreateFileW(path.c_str(), GENERIC_READ,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    const DWORD error = ::GetLastError();
    // Opening a directory without FILE_FLAG_BACKUP_SEMANTICS is "access denied".
    const DWORD attributes = ::GetFileAttributesW(path.c_str());
    if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY))
      fail(EISDIR, path, "a directory");
    fail(errno_of(error), path, "open");
  }
  struct close_on_exit {
    HANDLE h;
    ~close_on_exit() { ::CloseHandle(h); }
  } close_file{file};
  if (::GetFileType(file) != FILE_TYPE_DISK)
    fail(ENODEV, path, "not a regular file");
  LARGE_INTEGER size{};
  if (!::GetFileSizeEx(file, &size))
    fail(last_errno(), path, "size");
  if (static_cast<std::uint64_t>(size.QuadPart) > std::numeric_limits<std::size_t>::max())
    fail(EFBIG, path, "larger than the address space");
  if (size.QuadPart == 0) // CreateFileMapping refuses an empty file
    return {};
  const HANDLE mapping = ::CreateFileMappingW(file, nullptr, PAGE_READONLY, 0, 0, nullptr);
  if (mapping == nullptr)
    fail(last_errno(), path, "CreateFileMapping");
  const void *view = ::MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
  const DWORD error = ::GetLastError();
  ::CloseHandle(mapping); // the view keeps the mapping, and the mapping the file
  if (view == nullptr)
    fail(errno_of(error), path, "MapViewOfFile");
  return {static_cast<const std::byte *>(view), static_cast<std::size_t>(size.QuadPart), nullptr};
}

void unmap_file(file_map map) noexcept {
  if (map.data != nullptr)
    ::UnmapViewOfFile(map.data);
}

#elif BYTESIO_MAP_POSIX

file_map map_file(const std::filesystem::path &path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  int fd;
  do
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    fail(errno, path, "open");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    fail(err, path, "fstat");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    if (S_ISDIR(st.st_mode))
      fail(EISDIR, path, "a directory");
    fail(ENODEV, path, "not a regular file");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > std::numeric_limits<std::size_t>::max()) {
    ::close(fd);
    fail(EFBIG, path, "larger than the address space");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) { // mmap refuses a length of 0; an empty file needs no mapping
    ::close(fd);
    return {};
  }
  void *p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  const int err = errno;
  ::close(fd); // the mapping keeps the file
  if (p == MAP_FAILED)
    fail(err, path, "mmap");
  return {static_cast<const std::byte *>(p), size, nullptr};
}

void unmap_file(file_map map) noexcept {
  if (map.data != nullptr)
    ::munmap(const_cast<std::byte *>(map.data), map.size);
}

#elif BYTESIO_MAP_FALLBACK

// No mapping: the file is read into the heap once.
file_map map_file(const std::filesystem::path &path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec)
    fail(ec.value(), path, "stat");
  if (std::filesystem::is_directory(status))
    fail(EISDIR, path, "a directory");
  if (!std::filesystem::is_regular_file(status))
    fail(ENODEV, path, "not a regular file");
  std::FILE *f = std::fopen(path.string().c_str(), "rb");
  if (f == nullptr)
    fail(errno, path, "open");
  const std::uintmax_t n = std::filesystem::file_size(path, ec);
  if (ec || n > std::numeric_limits<std::size_t>::max()) {
    std::fclose(f);
    fail(ec ? ec.value() : EFBIG, path, "size");
  }
  if (n == 0) {
    std::fclose(f);
    return {};
  }
  auto *p = static_cast<std::byte *>(std::malloc(static_cast<std::size_t>(n)));
  const std::size_t got = p == nullptr ? 0 : std::fread(p, 1, static_cast<std::size_t>(n), f);
  std::fclose(f);
  if (p == nullptr)
    throw std::bad_alloc();
  return {p, got, p};
}

void unmap_file(file_map map) noexcept { std::free(map.handle); }

#endif

} // namespace bytesio::detail
