// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_MAPPED_FILE_HPP
#define BYTESIO_MAPPED_FILE_HPP

#include "bytesio/detail/file_map.hpp"

#include <cstddef>
#include <filesystem>
#include <span>
#include <utility>

namespace bytesio {

/**
 * A whole file mapped read-only into memory: its bytes without a copy, for
 * `span_buf`/`span_stream`, `span_device` or any code that takes a span.
 *
 * @code
 * bytesio::mapped_file m("data.csv");
 * bytesio::span_stream in(m.bytes()); // reads the file, copies nothing
 * @endcode
 *
 * The pages are read from the file when first touched, so mapping a large
 * file costs almost nothing until it is read, and only the pages read take
 * memory (files over 4 GiB work). An empty file gives an empty span.
 *
 * Errors: the constructor throws `std::ios_base::failure` whose `code()` is
 * the `errno` value (`std::generic_category()`, so
 * `e.code() == std::errc::no_such_file_or_directory`) with the path in the
 * message: a missing file, a directory (`EISDIR`), something that is not a
 * regular file such as a FIFO or a device (`ENODEV`), no permission
 * (`EACCES`), a file larger than the address space (`EFBIG`).
 *
 * The bytes are the file's as it changes: the map is shared with the file,
 * not a snapshot. If another process truncates the file while it is
 * mapped, touching a page past the new end raises `SIGBUS` (the operating
 * system's rule for mappings, on Linux and the BSDs; Windows refuses to
 * truncate a mapped file instead); do not map files that others may cut.
 *
 * Move-only; unmapped on destruction; the spans from `bytes()` live as long
 * as the object (a moved-to object keeps them valid). Thread safety: reading
 * the bytes from any number of threads is fine.
 */
class mapped_file {
public:
  /** No file: an empty span. */
  mapped_file() noexcept = default;

  /**
   * Maps the whole file at `path`.
   * @throws std::ios_base::failure (see the class comment), std::bad_alloc.
   */
  explicit mapped_file(const std::filesystem::path &path) : map_(detail::map_file(path)) {}

  /** Takes `other`'s mapping; `other` is left empty. */
  mapped_file(mapped_file &&other) noexcept : map_(std::exchange(other.map_, {})) {}

  /** Unmaps this mapping, then takes `other`'s. */
  mapped_file &operator=(mapped_file &&other) noexcept {
    if (this != &other) {
      detail::unmap_file(map_);
      map_ = std::exchange(other.map_, {});
    }
    return *this;
  }

  mapped_file(const mapped_file &) = delete;
  mapped_file &operator=(const mapped_file &) = delete;

  /** Unmaps; every span of it dangles from here on. */
  ~mapped_file() { detail::unmap_file(map_); }

  /** The file's bytes. */
  std::span<const std::byte> bytes() const noexcept { return {map_.data, map_.size}; }
  const std::byte *data() const noexcept { return map_.data; }
  std::size_t size() const noexcept { return map_.size; }
  bool empty() const noexcept { return map_.size == 0; }

  /** The file's bytes, so a `mapped_file` goes wherever a span does. */
  operator std::span<const std::byte>() const noexcept { return bytes(); }

  friend void swap(mapped_file &a, mapped_file &b) noexcept { std::swap(a.map_, b.map_); }

private:
  detail::file_map map_;
};

} // namespace bytesio

#endif // BYTESIO_MAPPED_FILE_HPP
