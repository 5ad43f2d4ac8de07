// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_MEMORY_HPP
#define BYTESIO_DETAIL_MEMORY_HPP

#include "bytesio/detail/export.hpp"

#include <cstddef>

// The one interface between byte_vector and the operating system's memory.
// Two kinds of request, two policies:
// - allocate_bytes: an exact-size block for a copy (getvalue, read, a copy
//   constructor). Below large_block it comes from malloc, whose free lists
//   hand back memory that is already faulted in; from large_block up it is
//   a cached block of at most twice the size, or a new mapping.
// - reallocate_bytes: growth. Once a growing block reaches large_block it
//   moves to an anonymous mapping that grows in place or moves without a
//   copy (mremap on Linux) and asks for transparent huge pages, so a growing
//   buffer pays only for the pages it touches, once.
// Freed mapped blocks go to one process-wide cache, bounded by
// block_cache_limit() (byte_vector.hpp), and serve the next request whose
// size they fit: their pages are faulted in already (DESIGN.md, "Memory
// reuse"). A request the OS refuses is asked again after the cache gives
// back what it holds. advise_huge_pages gives the same huge pages to large
// blocks that others allocate and the library fills.

namespace bytesio::detail {

/** Growth to this capacity or more moves to mapped memory where the OS offers it. */
inline constexpr std::size_t large_block = std::size_t(1) << 20;

/** A block of raw bytes and its usable size. */
struct memory_block {
  std::byte *data = nullptr;
  std::size_t capacity = 0;
  /// Bytes [fresh_from, capacity) are as the OS gave them, zero and never
  /// touched (fresh mapped pages); capacity when not known (the heap).
  std::size_t fresh_from = 0;
  bool mapped = false; ///< from mmap (else from malloc)
};

/** Allocates at least `min_capacity` (> 0) bytes from the heap. @throws std::bad_alloc */
BYTESIO_API memory_block allocate_bytes(std::size_t min_capacity);

/**
 * Grows or shrinks `block` (which may be empty) to at least `min_capacity`
 * (> 0) bytes, keeping its first `used` bytes (at most `block.fresh_from`);
 * mapped from large_block up. The result's `fresh_from` says which of its
 * bytes are still untouched zeros. On failure throws `std::bad_alloc` and
 * `block` is untouched.
 */
BYTESIO_API memory_block reallocate_bytes(memory_block block, std::size_t used,
                                          std::size_t min_capacity);

/** Frees a block from the two functions above (null is fine); a mapped one may be cached. */
BYTESIO_API void deallocate_bytes(memory_block block) noexcept;

/** The bytes the block cache holds now (for tests and benchmarks). */
BYTESIO_API std::size_t cached_bytes() noexcept;

/** The smallest block advise_huge_pages advises. */
inline constexpr std::size_t huge_pages_from = std::size_t(4) << 20;

/**
 * For a large block from elsewhere (a `std::string`, a Python `bytes`
 * object) about to be filled: asks the OS to back its whole pages with huge
 * pages, from `huge_pages_from` bytes; a hint, nothing on other systems.
 */
BYTESIO_API void advise_huge_pages(void *p, std::size_t n) noexcept;

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_MEMORY_HPP
