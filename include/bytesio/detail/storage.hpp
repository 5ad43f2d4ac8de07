// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_STORAGE_HPP
#define BYTESIO_DETAIL_STORAGE_HPP

#include "bytesio/byte_vector.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>

// The core's headers spell these out rather than include <algorithm>,
// <ranges> and <limits> (20,000 lines that a file including
// bytes_stream.hpp would compile for a handful of names; fmt does the same).

namespace bytesio::detail {

template <class T>
constexpr T min_of(T a, T b) noexcept {
  return b < a ? b : a;
}

template <class T>
constexpr T max_of(T a, T b) noexcept {
  return a < b ? b : a;
}

/** The largest `std::size_t`. */
inline constexpr std::size_t size_max = static_cast<std::size_t>(-1);

/**
 * The element type of a contiguous range, through `std::data` (which
 * `<span>` declares), as `std::ranges::range_value_t` for the containers
 * and arrays the buffers take.
 */
template <class R>
using data_value_t = std::remove_cvref_t<decltype(*std::data(std::declval<R &>()))>;

/** What `basic_bytes_buf` needs of its `Storage`. */
template <class S>
concept byte_storage = requires(S &s, const S &cs, std::size_t n) {
  { s.data() } -> std::same_as<typename S::value_type *>;
  { cs.size() } -> std::convertible_to<std::size_t>;
  { cs.capacity() } -> std::convertible_to<std::size_t>;
  s.resize(n);
  s.reserve(n);
  s.clear();
  s.shrink_to_fit();
}
&&sizeof(typename S::value_type) == 1 && std::is_trivially_copyable_v<typename S::value_type>
                                             &&std::default_initializable<S> &&std::movable<S>;

/** A contiguous range of byte-like elements that is not text. */
template <class R>
concept byte_range = requires(const R &r) {
  { std::size(r) } -> std::convertible_to<std::size_t>;
}
&&(std::same_as<data_value_t<const R>, char> ||
   std::same_as<data_value_t<const R>, unsigned char> ||
   std::same_as<data_value_t<const R>, std::byte>)&&!std::convertible_to<const R &,
                                                                         std::string_view> &&
    !std::convertible_to<const R &, std::span<const std::byte>>;

template <class S>
std::byte *bytes_of(S &s) noexcept {
  return reinterpret_cast<std::byte *>(s.data());
}

template <class S>
const std::byte *bytes_of(const S &s) noexcept {
  return reinterpret_cast<const std::byte *>(s.data());
}

/** Sets the size to `n`, skipping the zero-fill when the storage can. */
template <class S>
void resize_for_overwrite(S &s, std::size_t n) {
  if constexpr (requires { s.resize(n, default_init); })
    s.resize(n, default_init);
  else
    s.resize(n);
}

/** An empty storage that shares `like`'s allocator (pmr containers). */
template <class S>
S empty_like(const S &like) {
  if constexpr (requires { like.get_allocator(); })
    return S(like.get_allocator());
  else
    return S();
}

/** A storage holding a copy of `n` bytes at `p`, with `like`'s allocator. */
template <class S>
S copy_of(const S &like, const std::byte *p, std::size_t n) {
  if constexpr (std::is_constructible_v<S, std::span<const std::byte>>) {
    return S(std::span<const std::byte>(p, n)); // byte_vector: one exact block, no zero-fill
  }
  S out = empty_like(like);
  using T = typename S::value_type;
  if constexpr (requires(const T *t) { out.assign(t, t); }) {
    const T *first = reinterpret_cast<const T *>(p);
    out.assign(first, first + n);
  } else if (n != 0) {
    resize_for_overwrite(out, n);
    std::memcpy(bytes_of(out), p, n);
  }
  return out;
}

/** What the buffers know of a byte_vector beyond its public API. */
struct byte_vector_access {
  /** Bytes [zero_from(v), v.capacity()) are untouched fresh pages: zeros. */
  static std::size_t zero_from(const byte_vector &v) noexcept { return v.block_.fresh_from; }
};

/*  The memory a buffer in memory writes into. The storage's size is the
    extent of memory that holds something: at least the contents' length;
    the bytes past the length are garbage, which a write past the end
    zero-fills. A put area may write beyond the size, up to
    writable_extent(); settle_extent() then takes the size along. A generic
    storage (std::vector, std::string) is sized to its capacity at once,
    since nothing may be written past its size; a byte_vector keeps its size
    at the high-water mark, so the pages past it stay known zeros
    (byte_vector_access::zero_from) and a write far past the end zero-fills
    only what is not zero already: a one-byte write at 4 GiB touches a page. */

/** How far a put area may write into `s`. */
template <class S>
std::size_t writable_extent(const S &s) noexcept {
  if constexpr (std::same_as<S, byte_vector>)
    return s.capacity();
  else
    return s.size();
}

/** Something wrote `s` up to `end` (at most `writable_extent(s)`). */
template <class S>
void settle_extent(S &s, std::size_t end) noexcept {
  if constexpr (std::same_as<S, byte_vector>) {
    if (end > s.size())
      s.resize(end, default_init); // within the capacity: no allocation
  } else {
    (void)s;
    (void)end;
  }
}

/**
 * Makes the memory of a storage that holds `size` bytes of contents reach
 * `at + n`, zero-filling a gap from `size` to `at` (but not the fresh pages
 * of a byte_vector, zeros already), and returns the `n` bytes at `at`,
 * which are left as they were (garbage past the contents: no zero-fill).
 * Growth is geometric, but never past `most` unless the request needs it.
 * Pointers into the storage are invalidated if it reallocates.
 * @throws std::bad_alloc (strong guarantee: the contents are unchanged)
 */
template <class S>
char *make_room(S &s, std::uint64_t size, std::uint64_t at, std::size_t n,
                std::size_t most = size_max) {
  if (at + n > size_max)
    throw std::bad_alloc(); // only where size_t is narrower than a file position
  const auto end = static_cast<std::size_t>(at + n);
  if (end > s.capacity()) {
    const std::size_t cap = s.capacity();
    const std::size_t grown = cap > size_max / 2 ? end : 2 * cap;
    s.reserve(max_of(end, min_of(grown, most)));
  }
  auto zeros_from = static_cast<std::size_t>(at); // where the gap needs no zero-fill
  if constexpr (std::same_as<S, byte_vector>)
    zeros_from = min_of(zeros_from,
                        max_of(byte_vector_access::zero_from(s), static_cast<std::size_t>(size)));
  else if (end > s.size())
    resize_for_overwrite(s, s.capacity()); // the slack a put area writes into
  char *base = reinterpret_cast<char *>(s.data());
  if (zeros_from > size)
    std::memset(base + size, 0, zeros_from - static_cast<std::size_t>(size));
  settle_extent(s, end); // the n bytes will hold something
  return base + at;
}

/**
 * Writes `n > 0` bytes at `pos` into a storage that holds `size` bytes of
 * contents, zero-filling a gap from `size` to `pos`, with `make_room`'s
 * growth.
 * @throws std::bad_alloc (strong guarantee: the contents are unchanged)
 */
template <class S>
void store_bytes(S &s, std::uint64_t size, std::uint64_t pos, const char *p, std::size_t n,
                 std::size_t most = size_max) {
  std::memcpy(make_room(s, size, pos, n, most), p, n);
}

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_STORAGE_HPP
