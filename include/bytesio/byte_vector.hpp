// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BYTE_VECTOR_HPP
#define BYTESIO_BYTE_VECTOR_HPP

#include "bytesio/detail/export.hpp"
#include "bytesio/detail/memory.hpp"

#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>

namespace bytesio {

namespace detail {
struct byte_vector_access;
} // namespace detail

/** Tag that asks `byte_vector::resize` to leave new bytes uninitialized. */
struct default_init_t {
  explicit default_init_t() = default;
};

/** The value of `default_init_t`, as in Boost.Container. */
inline constexpr default_init_t default_init{};

/**
 * The most freed memory the process keeps for reuse by `byte_vector`s, in
 * bytes: the block cache's limit (default 64 MiB; 0 means no cache).
 *
 * A vector's blocks of 1 MiB and more are anonymous mappings; when one is
 * freed (a vector destroyed, a `take()`n result dropped, in any thread) it
 * goes to one process-wide cache instead of back to the OS, and the next
 * allocation or growth it fits takes it with its pages faulted in already,
 * so a server that builds a response per request writes into warm memory
 * instead of mapping, faulting in and unmapping it every time. Growth takes
 * the smallest cached block that fits and is at most 16 times its request,
 * whole (its extra capacity was resident in the cache anyway); a copy
 * (`getvalue`, `read`, the copy constructor) takes one of at most twice its
 * size. The oldest blocks go back to the OS when the cache would pass its
 * limit or hold more than 64 blocks, and a request the OS refuses is asked
 * again after the cache gives back everything. Reused
 * memory is not known to be zero; the zero-fill of a gap past the end
 * accounts for that. Thread-safe. Under AddressSanitizer cached blocks are
 * poisoned, so a use after free is still reported.
 */
BYTESIO_API std::size_t block_cache_limit() noexcept;

/**
 * Sets `block_cache_limit()` for the whole process; lowering it gives what
 * is over back to the OS at once (0 releases everything and turns the cache
 * off). Thread-safe.
 */
BYTESIO_API void set_block_cache_limit(std::size_t bytes);

/**
 * A growable, contiguous vector of bytes that owns its memory: the default
 * storage of `basic_bytes_buf`.
 *
 * It behaves like `std::vector<std::byte>` with two differences that make
 * a growing in-memory stream fast:
 * - `resize(n, default_init)` grows without zero-filling bytes that the
 *   caller is about to overwrite;
 * - a vector that grows past 1 MiB moves to an anonymous mapping that grows
 *   without copying (`mremap`) and uses transparent huge pages, so growth
 *   costs only the pages actually written; the vector remembers which of
 *   those pages it never touched (they are zeros), so `resize(n)` and a
 *   `bytes_buf` write far past the end do not zero-fill them again: a
 *   one-byte write at 4 GiB touches one page. Copies (the copy constructor,
 *   construction from a span) get an exact block from the heap, or from
 *   1 MiB a block from the block cache (`block_cache_limit()`): memory
 *   already faulted in. Freed blocks of 1 MiB and more go to that cache.
 *   Small vectors stay on the heap, so a 100-byte vector holds ~100 bytes.
 *
 * Growth through `resize` is geometric (amortized O(1)); `reserve(n)`
 * allocates about `n` bytes (rounded to 16 bytes, or to pages when large),
 * unless a cached block of up to 16 times `n` serves it whole.
 *
 * It converts implicitly to `std::span<std::byte>` and
 * `std::span<const std::byte>` through `std::span`'s constructor for
 * contiguous sized ranges (a conversion operator of our own would compete
 * with it and draw -Wconversion warnings in users' code).
 *
 * Pointers, iterators and spans into the vector are invalidated by every
 * call that changes the capacity (`reserve`, `resize` past the capacity,
 * `shrink_to_fit`, assignment) and by `swap` (they then refer to the other
 * vector's elements).
 */
class BYTESIO_API byte_vector {
public:
  using value_type = std::byte;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = std::byte &;
  using const_reference = const std::byte &;
  using pointer = std::byte *;
  using const_pointer = const std::byte *;
  using iterator = std::byte *;
  using const_iterator = const std::byte *;

  /** An empty vector; allocates nothing. */
  byte_vector() noexcept = default;

  /** A copy of `bytes`. @throws std::bad_alloc */
  explicit byte_vector(std::span<const std::byte> bytes) {
    append_copy(bytes.data(), bytes.size());
  }

  /** A copy of the characters of `chars`, as bytes. @throws std::bad_alloc */
  explicit byte_vector(std::string_view chars) {
    append_copy(reinterpret_cast<const std::byte *>(chars.data()), chars.size());
  }

  /** A deep copy: the same bytes, a capacity of about `other.size()`. */
  byte_vector(const byte_vector &other) { append_copy(other.block_.data, other.size_); }

  /** Takes `other`'s memory in O(1); `other` is left empty. */
  byte_vector(byte_vector &&other) noexcept
      : block_(std::exchange(other.block_, {})), size_(std::exchange(other.size_, 0)) {}

  /** Deep copy; strong guarantee. */
  byte_vector &operator=(const byte_vector &other) {
    if (this != &other)
      byte_vector(other).swap(*this);
    return *this;
  }

  /** Takes `other`'s memory in O(1), frees ours; `other` is left empty. */
  byte_vector &operator=(byte_vector &&other) noexcept {
    byte_vector(std::move(other)).swap(*this);
    return *this;
  }

  ~byte_vector() { detail::deallocate_bytes(block_); }

  std::byte *data() noexcept { return block_.data; }
  const std::byte *data() const noexcept { return block_.data; }
  size_type size() const noexcept { return size_; }
  size_type capacity() const noexcept { return block_.capacity; }
  bool empty() const noexcept { return size_ == 0; }
  static constexpr size_type max_size() noexcept { return static_cast<size_type>(-1) / 2; }

  iterator begin() noexcept { return block_.data; }
  iterator end() noexcept { return block_.data + size_; }
  const_iterator begin() const noexcept { return block_.data; }
  const_iterator end() const noexcept { return block_.data + size_; }
  const_iterator cbegin() const noexcept { return block_.data; }
  const_iterator cend() const noexcept { return block_.data + size_; }

  /** The byte at `i`; `i < size()` is a precondition. */
  std::byte &operator[](size_type i) noexcept { return block_.data[i]; }
  const std::byte &operator[](size_type i) const noexcept { return block_.data[i]; }

  /**
   * Makes the capacity at least `n` (never shrinks). Strong guarantee.
   * @throws std::bad_alloc
   */
  void reserve(size_type n) {
    if (n > capacity())
      reallocate(n);
  }

  /**
   * Sets the size to `n`; new bytes are zero. Growth is geometric.
   * @throws std::bad_alloc (strong guarantee)
   */
  void resize(size_type n) {
    const size_type old = size_;
    if (n > capacity())
      reallocate(grown_capacity(n));
    // Bytes from fresh_from on are untouched pages: zero already.
    const size_type zeros_from = n < block_.fresh_from ? n : block_.fresh_from;
    if (zeros_from > old)
      std::memset(block_.data + old, 0, zeros_from - old);
    size_ = n;
    if (block_.fresh_from < n)
      block_.fresh_from = n;
  }

  /**
   * Sets the size to `n`, leaving new bytes uninitialized: for callers that
   * overwrite them at once. Growth is geometric.
   * @throws std::bad_alloc (strong guarantee)
   */
  void resize(size_type n, default_init_t) {
    if (n > capacity())
      reallocate(grown_capacity(n));
    size_ = n;
    if (block_.fresh_from < n) // callers may write anything below the size
      block_.fresh_from = n;
  }

  /** Size 0; the capacity is kept. */
  void clear() noexcept { size_ = 0; }

  /** Frees unused capacity (all of it when empty). @throws std::bad_alloc */
  void shrink_to_fit() {
    if (size_ == 0) {
      byte_vector().swap(*this);
    } else if (size_ < capacity()) {
      block_ = detail::reallocate_bytes(block_, size_, size_);
    }
  }

  void swap(byte_vector &other) noexcept {
    std::swap(block_, other.block_);
    std::swap(size_, other.size_);
  }

  friend void swap(byte_vector &a, byte_vector &b) noexcept { a.swap(b); }

  /** Equal sizes and equal bytes. */
  friend bool operator==(const byte_vector &a, const byte_vector &b) noexcept {
    return a.size_ == b.size_ &&
           (a.size_ == 0 || std::memcmp(a.block_.data, b.block_.data, a.size_) == 0);
  }

private:
  friend struct detail::byte_vector_access;

  size_type grown_capacity(size_type n) const noexcept {
    const size_type doubled = capacity() > max_size() / 2 ? max_size() : capacity() * 2;
    return n > doubled ? n : doubled;
  }

  void reallocate(size_type n) {
    if (n > max_size())
      throw std::bad_alloc();
    block_ = detail::reallocate_bytes(block_, size_, n);
  }

  // Copies get an exact heap block: see detail/memory.hpp for why.
  void append_copy(const std::byte *p, size_type n) {
    if (n == 0)
      return;
    block_ = detail::allocate_bytes(n);
    std::memcpy(block_.data, p, n);
    size_ = n;
  }

  detail::memory_block block_; // data, capacity, and where it came from
  size_type size_ = 0;
};

} // namespace bytesio

#endif // BYTESIO_BYTE_VECTOR_HPP
