// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_BYTES_BUF_ACCESS_HPP
#define BYTESIO_DETAIL_BYTES_BUF_ACCESS_HPP

#include "bytesio/bytes_buf.hpp"
#include "bytesio/detail/storage.hpp"

#include <cassert>
#include <cstddef>
#include <cstdint>

namespace bytesio::detail {

/**
 * What adapters that fill a `basic_bytes_buf`'s storage themselves (the
 * Asio dynamic buffer and the Beast body reader of asio.hpp) may do to it,
 * through the core's own checks and rules: `begin`/`begin_change` (closed,
 * buffer_exported), `write_ceiling` (the size limit), `make_room` (growth
 * without zero-fill, the gap zero-filled as a write does).
 *
 * Appending is three steps with no other call on the buffer in between:
 *
 *     begin_change(b, op);          // throws closed, buffer_exported; settles
 *     if (n > room(b)) refuse;      // the size limit
 *     std::byte *p = prepare(b, n); // memory for n bytes at the end
 *     ... write k <= n bytes at p ...
 *     commit(b, k);                 // the end moves by k
 *
 *     0             position        end       end + n          storage_.size()
 *     [---- read ---][-- readable --][ prepared ][---- slack ----]
 *
 * A position past the end moves the end to it first (`prepare` zero-fills
 * the gap, as a write at that position does), so appended bytes always
 * follow the position. Every function settles the buffer (folds a live
 * stream area into the position and the length) before it looks at them.
 */
struct bytes_buf_access {
  /** @throws closed; then settles. */
  template <class S>
  static void begin(basic_bytes_buf<S> &b, const char *op) {
    b.begin(op);
  }

  /** @throws closed, buffer_exported; then settles. */
  template <class S>
  static void begin_change(basic_bytes_buf<S> &b, const char *op) {
    b.begin_change(op);
  }

  /** The position (0 when closed). */
  template <class S>
  static std::uint64_t position(basic_bytes_buf<S> &b) noexcept {
    b.settle();
    return b.file_pos();
  }

  /** The length of the contents (0 when closed). */
  template <class S>
  static std::uint64_t length(basic_bytes_buf<S> &b) noexcept {
    b.settle();
    return b.file_size();
  }

  /** Where appended bytes go: the end, or the position if it lies past the end. */
  template <class S>
  static std::uint64_t append_at(basic_bytes_buf<S> &b) noexcept {
    b.settle();
    return max_of(b.file_pos(), b.file_size());
  }

  /** The offset no growth of the contents may pass: the core's size-limit rule. */
  template <class S>
  static std::uint64_t ceiling(basic_bytes_buf<S> &b) noexcept {
    b.settle();
    return b.write_ceiling();
  }

  /** How many bytes may be appended at `append_at()` within the size limit. */
  template <class S>
  static std::size_t room(basic_bytes_buf<S> &b) noexcept {
    const std::uint64_t at = append_at(b), top = ceiling(b);
    return at >= top ? 0 : to_size(top - at);
  }

  /**
   * Bytes of allocated memory past `append_at()`: what `prepare` gets
   * without reallocating (0 when closed).
   */
  template <class S>
  static std::size_t slack(basic_bytes_buf<S> &b) noexcept {
    const std::uint64_t at = append_at(b), cap = b.capacity();
    return at >= cap ? 0 : to_size(cap - at);
  }

  /**
   * Memory for `n` bytes at `append_at()`, left as it was (no zero-fill);
   * the end first moves to the position if that lies past it (the gap is
   * zero-filled). Precondition: `begin_change` passed and `n <= room(b)`.
   * @throws std::bad_alloc (strong guarantee: nothing changed)
   * Invalidates every pointer into the storage if it reallocates.
   */
  template <class S>
  static std::byte *prepare(basic_bytes_buf<S> &b, std::size_t n) {
    assert(n <= room(b) && "prepare past the size limit");
    const std::uint64_t size = length(b), at = append_at(b);
    char *p = make_room(b.storage_, size, at, n);
    b.set_file_size(at);
    return reinterpret_cast<std::byte *>(p);
  }

  /** Bytes of valid memory past the end: the most `commit` may take. */
  template <class S>
  static std::size_t prepared(basic_bytes_buf<S> &b) noexcept {
    const std::uint64_t size = length(b);
    return size >= b.storage_.size() ? 0 : to_size(b.storage_.size() - size);
  }

  /** The end moves by `n` over prepared bytes. Precondition: `n <= prepared(b)`. */
  template <class S>
  static void commit(basic_bytes_buf<S> &b, std::size_t n) noexcept {
    assert(n <= prepared(b) && "commit of bytes never prepared");
    b.set_file_size(length(b) + n);
  }

  /**
   * Cuts the contents to `n <= length(b)` bytes; the memory stays (the cut
   * bytes become slack), so no pointer is invalidated.
   */
  template <class S>
  static void cut(basic_bytes_buf<S> &b, std::uint64_t n) noexcept {
    assert(n <= length(b) && "cut never extends");
    b.set_file_size(n);
  }

  /** The storage's memory, writable: the contents, then the slack (null when there is none). */
  template <class S>
  static std::byte *memory(basic_bytes_buf<S> &b) noexcept {
    return bytes_of(b.storage_);
  }

  /** A file offset or length as a `size_t`, saturated where `size_t` is narrower. */
  static std::size_t to_size(std::uint64_t n) noexcept {
    return static_cast<std::size_t>(min_of<std::uint64_t>(n, size_max));
  }
};

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_BYTES_BUF_ACCESS_HPP
