// SPDX-License-Identifier: BSL-1.0
#include "bytesio/detail/memory.hpp"
#include "bytesio/byte_vector.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
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

#if defined(__SANITIZE_ADDRESS__)
#define BYTESIO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BYTESIO_ASAN 1
#endif
#endif
#if defined(BYTESIO_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace bytesio::detail {
namespace {

constexpr std::size_t small_granule = 16;
constexpr std::uintptr_t page = 4096;

// How much larger than a request a cached block may be and still serve it.
// Growth takes a block of up to 16 times its request whole: a stream that
// ends at 16 MiB asks for 1 MiB first, and growing into a warm block costs
// neither faults nor copies (its extra capacity was resident in the cache
// anyway). A copy takes at most twice its size, so it keeps about its size.
// The bound keeps a small request from taking a large block that a large
// one will miss, which would then push the small blocks out past the limit.
constexpr std::size_t growth_slack = 16;
constexpr std::size_t copy_slack = 2;

std::size_t times(std::size_t n, std::size_t factor) {
  return n > static_cast<std::size_t>(-1) / factor ? static_cast<std::size_t>(-1) : n * factor;
}

std::size_t round_up(std::size_t n, std::size_t granule) {
  if (n > static_cast<std::size_t>(-1) - granule)
    throw std::bad_alloc();
  return (n + granule - 1) / granule * granule;
}

// A cached block is memory nobody owns: ASan reports any touch of it, as it
// would of freed memory. Unpoisoned before it goes back to its owner or to
// the OS (the next mapping at that address must not start poisoned).
void poison(const memory_block &b) noexcept {
#if defined(BYTESIO_ASAN)
  ASAN_POISON_MEMORY_REGION(b.data, b.capacity);
#else
  (void)b;
#endif
}

void unpoison(const memory_block &b) noexcept {
#if defined(BYTESIO_ASAN)
  ASAN_UNPOISON_MEMORY_REGION(b.data, b.capacity);
#else
  (void)b;
#endif
}

/** Gives a mapped block back to the OS. */
void unmap(const memory_block &b) noexcept {
  unpoison(b);
#if BYTESIO_HAS_MREMAP
  ::munmap(b.data, b.capacity);
#elif defined(_WIN32)
  ::VirtualFree(b.data, 0, MEM_RELEASE);
#else
  std::free(b.data);
#endif
}

/*  The process's cache of freed mapped blocks (DESIGN.md, "Memory reuse").
    A block's pages are faulted in already, and on VMs where a page fault
    is costly that, not copying, is what a response built per request pays:
    mapping, faulting in and unmapping 4 MiB cost 90x a memcpy into warm
    memory (issue 27). Blocks are of 1 MiB (large_block) and up, so a
    request takes or gives a block at most once per MiB written: one mutex
    over one store costs nothing measurable to two threads (bench/
    reuse_bench's two-thread rows), and per-thread fronts would add state
    that has to be given back when threads end. The block mutex is never
    held while the OS unmaps. */
class block_store {
public:
  /** The newest of the smallest blocks of [least, most] bytes, or none. */
  memory_block take(std::size_t least, std::size_t most) noexcept {
    memory_block found;
    {
      const std::lock_guard lock(mutex_);
      std::size_t best = count_;
      for (std::size_t i = count_; i-- > 0;) {
        const std::size_t c = blocks_[i].capacity;
        if (c >= least && c <= most && (best == count_ || c < blocks_[best].capacity))
          best = i;
      }
      if (best == count_)
        return {};
      found = blocks_[best];
      erase(best);
    }
    unpoison(found);
    found.fresh_from = found.capacity; // it held someone's bytes: not zeros
    return found;
  }

  /** Keeps `b` (mapped) for reuse, or unmaps it; the oldest go past the limit. */
  void put(memory_block b) noexcept {
    std::array<memory_block, max_blocks + 1> out;
    std::size_t n_out = 0;
    {
      const std::lock_guard lock(mutex_);
      if (b.capacity > limit_) {
        out[n_out++] = b;
      } else {
        if (count_ == max_blocks)
          out[n_out++] = pop_oldest();
        poison(b);
        blocks_[count_++] = b;
        bytes_ += b.capacity;
        while (bytes_ > limit_)
          out[n_out++] = pop_oldest();
      }
    }
    for (std::size_t i = 0; i < n_out; ++i)
      unmap(out[i]);
  }

  /** Sets the limit and unmaps what is over it. */
  void set_limit(std::size_t bytes) noexcept {
    std::array<memory_block, max_blocks> out;
    std::size_t n_out = 0;
    {
      const std::lock_guard lock(mutex_);
      limit_ = bytes;
      while (bytes_ > limit_)
        out[n_out++] = pop_oldest();
    }
    for (std::size_t i = 0; i < n_out; ++i)
      unmap(out[i]);
  }

  /** Unmaps every cached block; false if there was none. */
  bool drain() noexcept {
    std::array<memory_block, max_blocks> out;
    std::size_t n_out = 0;
    {
      const std::lock_guard lock(mutex_);
      while (count_ != 0)
        out[n_out++] = pop_oldest();
    }
    for (std::size_t i = 0; i < n_out; ++i)
      unmap(out[i]);
    return n_out != 0;
  }

  std::size_t limit() noexcept {
    const std::lock_guard lock(mutex_);
    return limit_;
  }

  std::size_t bytes() noexcept {
    const std::lock_guard lock(mutex_);
    return bytes_;
  }

private:
  // 64 blocks of 1 MiB fill the default limit; past that count the oldest go.
  static constexpr std::size_t max_blocks = 64;

  void erase(std::size_t i) noexcept {
    bytes_ -= blocks_[i].capacity;
    for (--count_; i < count_; ++i)
      blocks_[i] = blocks_[i + 1];
  }

  memory_block pop_oldest() noexcept {
    const memory_block b = blocks_[0];
    erase(0);
    return b;
  }

  std::mutex mutex_;
  std::array<memory_block, max_blocks> blocks_{}; // oldest first
  std::size_t count_ = 0;
  std::size_t bytes_ = 0;
  std::size_t limit_ = std::size_t(64) << 20;
};

// Never destroyed: vectors in static objects free into it during exit.
block_store &cache() {
  static block_store &store = *new block_store;
  return store;
}

/**
 * Asks the OS through `request` (a result of `refused` means no); a refusal
 * gives back what the cache holds and asks once more. Never fails where a
 * cached block could have served. @throws std::bad_alloc
 */
template <class Request>
void *ask_os(Request request, void *refused) {
  void *p = request();
  if (p == refused && cache().drain())
    p = request();
  if (p == refused)
    throw std::bad_alloc();
  return p;
}

memory_block heap_block(std::size_t min_capacity) {
  const std::size_t capacity = round_up(min_capacity, small_granule);
  void *p = ask_os([&] { return std::malloc(capacity); }, nullptr);
  return {static_cast<std::byte *>(p), capacity, capacity, false};
}

#if BYTESIO_HAS_MREMAP
bool wants_mapping(std::size_t capacity) { return capacity >= large_block; }

/** A new mapping of at least `min_capacity` bytes. */
memory_block map_fresh(std::size_t min_capacity) {
  const std::size_t capacity = round_up(min_capacity, page);
  void *p = ask_os(
      [&] {
        return ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                      0);
      },
      MAP_FAILED);
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

memory_block map_fresh(std::size_t min_capacity) {
  const std::size_t capacity = round_up(min_capacity, 64 * 1024); // the allocation granularity
  void *p = ask_os(
      [&] { return ::VirtualAlloc(nullptr, capacity, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE); },
      nullptr);
  return {static_cast<std::byte *>(p), capacity, 0, true};
}
#else
bool wants_mapping(std::size_t) { return false; }
memory_block map_fresh(std::size_t min_capacity) { return heap_block(min_capacity); }
#endif

/** A cached block of [min_capacity, most] bytes, or a fresh mapping. */
memory_block mapped_block(std::size_t min_capacity, std::size_t most) {
  if (memory_block warm = cache().take(min_capacity, most); warm.data != nullptr)
    return warm;
  return map_fresh(min_capacity);
}

/** `to` with the first `used` bytes of `from`, which is freed. */
memory_block moved(memory_block from, std::size_t used, memory_block to) noexcept {
  const std::size_t copied = used < to.capacity ? used : to.capacity;
  if (copied != 0)
    std::memcpy(to.data, from.data, copied);
  if (to.fresh_from < copied)
    to.fresh_from = copied;
  deallocate_bytes(from);
  return to;
}

} // namespace

std::size_t cached_bytes() noexcept { return cache().bytes(); }

memory_block allocate_bytes(std::size_t min_capacity) {
  if (!wants_mapping(min_capacity))
    return heap_block(min_capacity);
  memory_block b = mapped_block(min_capacity, times(min_capacity, copy_slack));
  if (b.fresh_from < min_capacity)
    b.fresh_from = min_capacity; // the caller writes all of it
  return b;
}

memory_block reallocate_bytes(memory_block block, std::size_t used, std::size_t min_capacity) {
  const bool to_map = wants_mapping(min_capacity);
  const std::size_t most = times(min_capacity, growth_slack);
  if (block.data == nullptr)
    return to_map ? mapped_block(min_capacity, most) : heap_block(min_capacity);
  if (block.mapped && to_map) {
    // Copying into a warm block beats faulting in the new pages.
    if (min_capacity > block.capacity)
      if (memory_block warm = cache().take(min_capacity, most); warm.data != nullptr)
        return moved(block, used, warm);
#if BYTESIO_HAS_MREMAP
    // Page tables move; the bytes are never copied.
    const std::size_t capacity = round_up(min_capacity, page);
    void *p = ask_os([&] { return ::mremap(block.data, block.capacity, capacity, MREMAP_MAYMOVE); },
                     MAP_FAILED);
    if (capacity > block.capacity)
      ::madvise(p, capacity, MADV_HUGEPAGE);
    // The old pages keep what they held; the new ones are fresh zeros.
    return {static_cast<std::byte *>(p), capacity,
            block.fresh_from < capacity ? block.fresh_from : capacity, true};
#else
    // No mremap: growth found no warm block above, so it maps a fresh one;
    // a shrink moves into a smaller block, cached or fresh.
    if (min_capacity > block.capacity)
      return moved(block, used, map_fresh(min_capacity));
    const std::size_t copy_most = times(min_capacity, copy_slack);
    return moved(
        block, used,
        mapped_block(min_capacity, copy_most < block.capacity ? copy_most : block.capacity - 1));
#endif
  }
  if (!block.mapped && !to_map) {
    const std::size_t capacity = round_up(min_capacity, small_granule);
    void *p = ask_os([&] { return std::realloc(block.data, capacity); }, nullptr);
    return {static_cast<std::byte *>(p), capacity, capacity, false};
  }
  // Crossing between heap and mapping: one copy, the only one growth makes.
  return moved(block, used, to_map ? mapped_block(min_capacity, most) : heap_block(min_capacity));
}

// For blocks from elsewhere (a large std::string or Python bytes object is a
// fresh mapping on every call): faulting 85 MiB in 4 KiB pages took 88 ms against 18 ms in huge
// pages on the reference machine. Only the whole pages inside the block are advised;
// failure only costs speed. Other systems: nothing.
void advise_huge_pages(void *p, std::size_t n) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (n < huge_pages_from)
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
  if (block.mapped)
    cache().put(block);
  else
    std::free(block.data);
}

} // namespace bytesio::detail

namespace bytesio {

std::size_t block_cache_limit() noexcept { return detail::cache().limit(); }

void set_block_cache_limit(std::size_t bytes) { detail::cache().set_limit(bytes); }

} // namespace bytesio
