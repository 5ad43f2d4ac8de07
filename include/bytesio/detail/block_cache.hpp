// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_BLOCK_CACHE_HPP
#define BYTESIO_DETAIL_BLOCK_CACHE_HPP

#include "bytesio/byte_vector.hpp"
#include "bytesio/detail/file_core.hpp"
#include "bytesio/detail/temp_file.hpp"

#include <cstddef>
#include <cstdint>

namespace bytesio::detail {

/**
 * One block of a file in memory, and which of its bytes the file does not
 * have yet: the cache `spooled_buf` reads and writes through after the
 * rollover. Defined in src/block_cache.cpp.

             block_[0]   dirty_lo_     dirty_hi_   valid_      block_size
             |           |             |           |           |
             [-- clean --[-- not yet in the file --]-- clean --]-- junk --]
             file offset win_                                  win_ + valid_ <= the length

    block_[0, valid_) are the contents at [win_, win_ + valid_). A put area
    opens at or before valid_, never over junk, so after flush() the file
    holds exactly the contents (a gap past the end is a hole, read as
    zeros) and any window can be (re)loaded from it.
 */
class block_cache {
public:
  static constexpr std::size_t block_size = 256 * 1024;

  /** No block: allocates nothing. */
  block_cache() noexcept = default;

  /** A cache with its block allocated, holding nothing, at offset `at`. @throws std::bad_alloc */
  explicit block_cache(std::uint64_t at);

  /** Whether `pos` is one of the bytes held. */
  bool holds(std::uint64_t pos) const noexcept { return pos >= win_ && pos - win_ < valid_; }

  /** The bytes held. */
  file_window window() noexcept { return {data(), win_, valid_}; }

  /** Flushes, then holds the block of the file's `size` bytes that contains `at`. */
  file_window load(const temp_file &file, std::uint64_t at, std::uint64_t size);

  /** Writes what the file does not have yet. */
  void flush(const temp_file &file);

  /**
   * Writes `n > 0` bytes at `pos` of a file whose contents are `size`
   * bytes; whole blocks go straight to the file. On a failure the cache and
   * the file are cut back to `size` bytes, then the error is rethrown.
   */
  void store(const temp_file &file, std::uint64_t pos, std::uint64_t size, const char *p,
             std::size_t n);

  /** The room a put area at `pos` may write into: the block, or nothing if `pos` is outside it. */
  file_window write_window(std::uint64_t pos) noexcept;

  /** A put area wrote the block up to `end`. */
  void written(std::size_t end) noexcept;

  /** Cuts the file and the cache to `size` bytes. */
  void truncate(const temp_file &file, std::uint64_t size);

  /**
   * Copies what the file does not have yet into `out`, which holds the
   * whole contents as the file has them; `put_end` is a live put area's
   * `pptr()` into this block, or null.
   */
  void overlay(std::byte *out, const char *put_end) const noexcept;

private:
  char *data() noexcept { return reinterpret_cast<char *>(block_.data()); }
  void mark_dirty(std::size_t lo, std::size_t hi) noexcept;
  void forget_past(std::uint64_t size) noexcept;

  byte_vector block_;
  std::uint64_t win_ = 0;
  std::size_t valid_ = 0;
  std::size_t dirty_lo_ = 0;
  std::size_t dirty_hi_ = 0;
};

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_BLOCK_CACHE_HPP
