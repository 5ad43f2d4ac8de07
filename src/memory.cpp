// SPDX-License-Identifier: BSL-1.0
#include "bytesio/detail/memory.hpp"
#include "os/huge_pages.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#define BYTESIO_HAS_MREMAP 1
#else
#define BYTESIO_HAS_MREMAP 0
#endif
#if defined(_WIN32)
#include <windows.h>
#endif

namespace bytesio::detail {
namespace {

constexpr std::size_t small_granule = 16;
constexpr std::uintptr_t page = 4096;

std::size_t round_up(std::size_t n, std::size_t granule) {
  if (n > static_cast<std::size_t>(-1) - granule)
    throw std::bad_alloc();
  return (n + granule - 1) / granule * granule;
}

memory_block heap_block(std::size_t min_capacity) {
  const std::size_t capacity = round_up(min_capacity, small_granule);
  void *p = std::malloc(capacity);
  if (p == nullptr)
    throw std::bad_alloc();
  return {static_cast<std::byte *>(p), capacity, capacity, false};
}

#if BYTESIO_HAS_MREMAP
bool wants_mapping(std::size_t capacity) { return capacity >= large_block; }

memory_block mapped_block(std::size_t min_capacity) {
  const std::size_t capacity = round_up(min_capacity, page);
  void *p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc();
  // Huge pages turn 512 page faults into one; the kernel may run THP in
  // madvise mode, so it only does so when asked. Failure only costs speed.
  ::madvise(p, capacity, MADV_HUGEPAGE);
  return {static_cast<std::byte *>(p), capacity, 0, true};
}
#elif defined(_WIN32)
// Windows: committed pages from VirtualAlloc are zeros, so large blocks keep
// the "fresh pages" knowledge (a write far past the end touches a page);
// growth copies (there is no mremap), which geometric growth amortizes.
bool wants_mapping(std::size_t capacity) { return capacity >= large_block; }

memory_block mapped_block(std::size_t min_capacity) {
  const std::size_t capacity = round_up(min_capacity, 64 * 1024); // the allocation granularity
  void *p = ::VirtualAlloc(nullptr, capacity, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (p == nullptr)
    throw std::bad_alloc();
  return {static_cast<std::byte *>(p), capacity, 0, true};
}
#else
bool wants_mapping(std::size_t) { return false; }
memory_block mapped_block(std::size_t min_capacity) { return heap_block(min_capacity); }
#endif

} // namespace

memory_block allocate_bytes(std::size_t min_capacity) { return heap_block(min_capacity); }

memory_block reallocate_bytes(memory_block block, std::size_t used, std::size_t min_capacity) {
  const bool to_map = wants_mapping(min_capacity);
  if (block.data == nullptr)
    return to_map ? mapped_block(min_capacity) : heap_block(min_capacity);
#if BYTESIO_HAS_MREMAP
  if (block.mapped && to_map) {
    // Page tables move; the bytes are never copied.
    const std::size_t capacity = round_up(min_capacity, page);
    void *p = ::mremap(block.data, block.capacity, capacity, MREMAP_MAYMOVE);
    if (p == MAP_FAILED)
      throw std::bad_alloc();
    if (capacity > block.capacity)
      ::madvise(p, capacity, MADV_HUGEPAGE);
    // The old pages keep what they held; the new ones are fresh zeros.
    return {static_cast<std::byte *>(p), capacity,
            block.fresh_from < capacity ? block.fresh_from : capacity, true};
  }
#endif
  if (!block.mapped && !to_map) {
    const std::size_t capacity = round_up(min_capacity, small_granule);
    void *p = std::realloc(block.data, capacity);
    if (p == nullptr)
      throw std::bad_alloc();
    return {static_cast<std::byte *>(p), capacity, capacity, false};
  }
  // Crossing between heap and mapping: one copy, the only one growth makes.
  memory_block fresh = to_map ? mapped_block(min_capacity) : heap_block(min_capacity);
  const std::size_t copied = used < fresh.capacity ? used : fresh.capacity;
  if (copied != 0)
    std::memcpy(fresh.data, block.data, copied);
  if (fresh.fresh_from < copied)
    fresh.fresh_from = copied;
  deallocate_bytes(block);
  return fresh;
}

// For blocks from elsewhere (a large std::string is a fresh mapping on every
// call): faulting 85 MiB in 4 KiB pages took 88 ms against 18 ms in huge
// pages on the reference machine. Only the whole pages inside the block are advised;
// failure only costs speed. Other systems: nothing.
void advise_huge_pages(void *p, std::size_t n) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (n < (std::size_t(4) << 20))
    return;
  const auto first = (reinterpret_cast<std::uintptr_t>(p) + page - 1) & ~(page - 1);
  const auto last = (reinterpret_cast<std::uintptr_t>(p) + n) & ~(page - 1);
  if (last > first)
    ::madvise(reinterpret_cast<void *>(first), last - first, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

void deallocate_bytes(memory_block block) noexcept {
  if (block.data == nullptr)
    return;
#if BYTESIO_HAS_MREMAP
  if (block.mapped) {
    ::munmap(block.data, block.capacity);
    return;
  }
#elif defined(_WIN32)
  if (block.mapped) {
    ::VirtualFree(block.data, 0, MEM_RELEASE);
    return;
  }
#endif
  std::free(block.data);
}

} // namespace bytesio::detail
