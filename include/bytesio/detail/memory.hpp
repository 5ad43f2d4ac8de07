#ifndef BYTESIO_DETAIL_MEMORY_HPP
#define BYTESIO_DETAIL_MEMORY_HPP

#include <cstddef>

// The one interface between byte_vector and the operating system's memory.
// Small blocks come from malloc/realloc; large ones (capacity at or above
// large_block) from anonymous mappings that grow in place or move without
// copying (mremap on Linux) and ask for transparent huge pages, so a growing
// buffer pays only for the pages it touches. Whether a block is mapped is a
// function of its capacity alone, so no flag travels with the pointer.

namespace bytesio::detail {

/** Capacities at or above this are mapped memory where the OS offers it. */
inline constexpr std::size_t large_block = std::size_t(1) << 20;

/** A block of raw bytes and its usable size. */
struct memory_block {
  std::byte *data = nullptr;
  std::size_t capacity = 0;
};

/** Allocates at least `min_capacity` (> 0) bytes. @throws std::bad_alloc */
memory_block allocate_bytes(std::size_t min_capacity);

/**
 * Moves a block to one of at least `min_capacity` (> 0) bytes, keeping its
 * first `used` bytes. On failure throws `std::bad_alloc` and `block` is
 * untouched.
 */
memory_block reallocate_bytes(memory_block block, std::size_t used, std::size_t min_capacity);

/** Frees a block from the two functions above (null is fine). */
void deallocate_bytes(memory_block block) noexcept;

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_MEMORY_HPP
