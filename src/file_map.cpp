#include "bytesio/detail/file_map.hpp"
#include "bytesio/error.hpp"

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>

#if defined(_WIN32)
#define BYTESIO_MAP_WINDOWS 1
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

#if BYTESIO_MAP_POSIX

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
