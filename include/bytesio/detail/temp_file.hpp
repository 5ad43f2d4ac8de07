// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_TEMP_FILE_HPP
#define BYTESIO_DETAIL_TEMP_FILE_HPP

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace bytesio::detail {

/**
 * An anonymous temporary file: an open descriptor with no name on disk, so
 * nothing remains after the descriptor is closed or the process dies.
 *
 * Created with `O_TMPFILE | O_CLOEXEC` (mode 0600) where the kernel and the
 * filesystem support it; otherwise with `mkostemp` (`mkstemp` creates mode
 * 0600) followed by an immediate `unlink`, with `FD_CLOEXEC` set. All I/O is
 * positional (`pread`/`pwrite`), so the descriptor's own offset is unused.
 *
 * Errors are thrown as `std::ios_base::failure` carrying the `errno` value
 * in `std::generic_category()` (`e.code() == std::errc::file_too_large`).
 * Every call retries `EINTR`; writes retry short counts.
 *
 * Movable, not copyable; the destructor closes the descriptor and ignores
 * a failing `close(2)` (call `close()` to see it).
 */
class temp_file {
public:
  /** No file. */
  temp_file() noexcept = default;

  /**
   * Creates an anonymous file in `dir`.
   * @throws std::ios_base::failure with the `errno` of the failing call
   *   (ENOENT, ENOTDIR, EACCES, EROFS, ENOSPC, EMFILE, ...).
   */
  static temp_file create(const std::filesystem::path &dir);

  temp_file(temp_file &&other) noexcept;
  temp_file &operator=(temp_file &&other) noexcept;
  temp_file(const temp_file &) = delete;
  temp_file &operator=(const temp_file &) = delete;
  ~temp_file();

  /** The descriptor, -1 when there is no file. */
  int fd() const noexcept { return fd_; }

  /** Whether a file is open. */
  bool is_open() const noexcept { return fd_ >= 0; }

  /**
   * Writes all `n` bytes at `offset`, retrying EINTR and short writes.
   * @throws std::ios_base::failure (EFBIG, ENOSPC, EIO, ...); bytes before the
   *   failing call may have landed.
   */
  void pwrite_all(const void *p, std::size_t n, std::uint64_t offset) const;

  /**
   * Reads up to `n` bytes at `offset`, retrying EINTR and short reads until
   * `n` bytes or the end of the file.
   * @return the count read (less than `n` only at the end of the file).
   * @throws std::ios_base::failure (EIO, ...)
   */
  std::size_t pread_all(void *p, std::size_t n, std::uint64_t offset) const;

  /** Sets the file's length (`ftruncate`). @throws std::ios_base::failure */
  void truncate(std::uint64_t size) const;

  /**
   * Closes the descriptor; does nothing without a file. The descriptor is
   * released even when `close(2)` reports an error.
   * @throws std::ios_base::failure with the error of `close(2)` (EIO).
   */
  void close();

private:
  explicit temp_file(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_TEMP_FILE_HPP
