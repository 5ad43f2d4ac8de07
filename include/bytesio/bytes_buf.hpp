// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BYTES_BUF_HPP
#define BYTESIO_BYTES_BUF_HPP

#include "bytesio/detail/export.hpp"

#include "bytesio/byte_vector.hpp"
#include "bytesio/detail/file_core.hpp"
#include "bytesio/detail/storage.hpp"
#include "bytesio/error.hpp"

#include <cstddef>
#include <cstdint>
#include <ios>
#include <span>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace bytesio {

namespace detail {
struct bytes_buf_access;
} // namespace detail

/**
 * An in-memory binary file: a `std::streambuf` over a growable byte
 * container, with one position shared by reading and writing and the API of
 * Python's `io.BytesIO`.
 *
 * The buffer holds `size()` bytes of contents and one position, which may
 * lie past the end (like a file's). Reading, writing and seeking through the
 * file-like members or through a `std::istream`/`std::ostream` on it all
 * move that one position, unlike `std::stringbuf`, which keeps two.
 *
 * `Storage` is any contiguous container of 1-byte trivially copyable
 * elements with `data()`, `size()`, `resize()`, `reserve()`, `capacity()`:
 * `byte_vector` (the default and fastest: it grows without zero-filling or
 * copying), `std::vector<char|unsigned char|std::byte>`, `std::string`, and
 * their `pmr` versions. The storage may be adopted without a copy
 * (constructor) and moved out without a copy (`take()`).
 *
 * Errors: file-like members throw `std::ios_base::failure` whose `code()`
 * equals a `bytesio::errc` (`closed`, `buffer_exported`, `size_limit`,
 * `invalid_argument`); `std::bad_alloc` propagates. Every failing member
 * leaves the buffer as it was (strong guarantee). The `std::streambuf`
 * virtuals report failure by return value (`eof`, `pos_type(-1)`, a short
 * count), so a stream on the buffer sets `badbit`/`failbit` and throws only
 * when its `exceptions()` ask.
 *
 * Invalidation: `view()` spans and pointers from `data()` of a `take()`n or
 * copied storage are independent; a `view()` is valid until the next call
 * that writes, truncates, reserves, shrinks, clears, takes or closes. Views
 * from `getbuffer()` stay valid until released, because the buffer refuses
 * every change of its contents' location while they live.
 *
 * Thread safety: none for one object, as for every standard stream buffer;
 * distinct objects are independent.
 *
 * Not copyable; movable and swappable (with no `getbuffer()` view alive).
 */
template <class Storage = byte_vector>
class BYTESIO_API basic_bytes_buf
    : public detail::file_core<basic_bytes_buf<Storage>, Storage, /*Contiguous=*/true,
                               /*Writable=*/true> {
  static_assert(detail::byte_storage<Storage>,
                "Storage must be a contiguous, resizable container of 1-byte elements");
  using core = detail::file_core<basic_bytes_buf<Storage>, Storage, true, true>;
  friend detail::core_access;
  friend struct detail::bytes_buf_access; // adapters that fill the storage (asio.hpp)

public:
  using storage_type = Storage;

  class exported_view;

  /** An empty, open buffer at position 0, with no size limit. */
  basic_bytes_buf() = default;

  /** A buffer holding a copy of `initial`, at position 0. @throws std::bad_alloc */
  explicit basic_bytes_buf(std::span<const std::byte> initial);

  /** A buffer holding a copy of the characters of `initial`, at position 0. */
  explicit basic_bytes_buf(std::string_view initial);

  /**
   * Adopts `adopted` without copying its bytes; position 0.
   *
   * Only an rvalue of exactly `Storage` is adopted (an lvalue or another type
   * is copied through the other constructors), so a copy never hides here.
   */
  template <class S>
  requires std::same_as<S, Storage>
  explicit basic_bytes_buf(S &&adopted) noexcept(std::is_nothrow_move_constructible_v<Storage>);

  /**
   * Takes `other`'s contents, position, size limit and closed state in O(1)
   * (no byte is copied for `byte_vector` and the standard containers).
   * `other` is left empty and open at position 0, with no limit.
   * Precondition: no `getbuffer()` view of `other` is alive.
   */
  basic_bytes_buf(basic_bytes_buf &&other) noexcept(std::is_nothrow_move_constructible_v<Storage>);

  /**
   * Replaces everything with `other`'s state, as the move constructor.
   * Precondition: no `getbuffer()` view of either buffer is alive.
   * Invalidates all views and pointers into this buffer.
   */
  basic_bytes_buf &operator=(basic_bytes_buf &&other);

  basic_bytes_buf(const basic_bytes_buf &) = delete;
  basic_bytes_buf &operator=(const basic_bytes_buf &) = delete;

  /** Frees the storage. Precondition: no `getbuffer()` view is alive. */
  ~basic_bytes_buf() override = default;

  /**
   * Exchanges the whole state (contents, position, limit, closed flag and
   * locale) with `other`. Precondition: no `getbuffer()` view of either is
   * alive. Stream pointers into either buffer must be re-read afterwards.
   */
  void swap(basic_bytes_buf &other) noexcept(std::is_nothrow_swappable_v<Storage>);

  friend void swap(basic_bytes_buf &a, basic_bytes_buf &b) noexcept(noexcept(a.swap(b))) {
    a.swap(b);
  }

  // ---- file-like API (io.BytesIO) ------------------------------------------
  // write, readinto, read, readline, readlines, read_view, readline_view,
  // seek, tell, truncate, getvalue, view, close, closed, size, empty,
  // capacity, reserve, shrink_to_fit, clear, set_size_limit, size_limit:
  // detail::file_core's, documented there (detail/file_core.hpp). `read`,
  // `readline` and `readlines` return `Storage`. What is bytes_buf's own:

  /**
   * A guarded, writable view of the whole contents, as
   * `io.BytesIO.getbuffer()`. While any exported view lives, `write` (any),
   * `truncate`, `close`, `take`, `clear`, `reserve`, `shrink_to_fit` and the
   * stream's writes fail with `buffer_exported` and change nothing, so the
   * view can never dangle; reads, seeks, `getvalue`, `view` and further
   * `getbuffer` calls work. Writes through the view show in the contents.
   * @throws closed
   */
  exported_view getbuffer();

  /**
   * Moves the contents out without copying; the buffer is left empty at
   * position 0, open, with its size limit.
   * @throws closed, buffer_exported.
   * Invalidates `view()` spans (the taken storage keeps the bytes).
   */
  Storage take();

private:
  // ---- storage operations for detail::file_core (detail::file_buffer) -----
  static constexpr detail::optional_hooks hooks{.put_settled = true};
  const std::byte *memory() const noexcept { return detail::bytes_of(storage_); }
  detail::file_window write_window(std::uint64_t) noexcept {
    return {reinterpret_cast<char *>(storage_.data()), 0, detail::writable_extent(storage_)};
  }
  void put_settled(std::size_t end) noexcept { detail::settle_extent(storage_, end); }
  void store(std::uint64_t pos, const char *p, std::size_t n) {
    detail::store_bytes(storage_, this->file_size(), pos, p, n);
  }
  Storage result_of(const std::byte *p, std::size_t n) const {
    return detail::copy_of(storage_, p, n);
  }
  void release() {
    storage_.clear();
    storage_.shrink_to_fit();
  }
  void reserve_storage(std::size_t n) { storage_.reserve(n); }
  void shrink_storage(std::uint64_t length) {
    storage_.resize(static_cast<std::size_t>(length));
    storage_.shrink_to_fit();
  }
  std::size_t storage_capacity() const noexcept { return storage_.capacity(); }

  // The extent rules of detail/storage.hpp: storage_.size() is at least the
  // contents' length; the bytes past the length are garbage.
  Storage storage_{};
};

/**
 * A guarded, writable view of a `basic_bytes_buf`'s contents, from
 * `getbuffer()`. While it lives, the buffer refuses every change that could
 * move or shrink the bytes, so `span()` stays valid. Movable, not copyable;
 * `release()` or destruction ends the guard. It must not outlive its buffer.
 */
template <class Storage>
class BYTESIO_API basic_bytes_buf<Storage>::exported_view {
public:
  /** A released view: empty, guarding nothing. */
  exported_view() noexcept = default;

  /** Takes over `other`'s guard; `other` is left released. */
  exported_view(exported_view &&other) noexcept
      : owner_(std::exchange(other.owner_, nullptr)), bytes_(std::exchange(other.bytes_, {})) {}

  /** Releases this view, then takes over `other`'s guard. */
  exported_view &operator=(exported_view &&other) noexcept {
    if (this != &other) {
      release();
      owner_ = std::exchange(other.owner_, nullptr);
      bytes_ = std::exchange(other.bytes_, {});
    }
    return *this;
  }

  exported_view(const exported_view &) = delete;
  exported_view &operator=(const exported_view &) = delete;

  ~exported_view() { release(); }

  /** The contents as they were at `getbuffer()`; empty once released. */
  std::span<std::byte> span() const noexcept { return bytes_; }
  std::byte *data() const noexcept { return bytes_.data(); }
  std::size_t size() const noexcept { return bytes_.size(); }

  /** Ends the guard (idempotent); the view becomes empty. */
  void release() noexcept {
    if (owner_ != nullptr) {
      owner_->unpin();
      owner_ = nullptr;
      bytes_ = {};
    }
  }

private:
  friend class basic_bytes_buf;
  exported_view(basic_bytes_buf *owner, std::span<std::byte> bytes) noexcept
      : owner_(owner), bytes_(bytes) {
    owner_->pin();
  }

  basic_bytes_buf *owner_ = nullptr;
  std::span<std::byte> bytes_;
};

/** The buffer over `byte_vector`, bytesio's default storage. */
using bytes_buf = basic_bytes_buf<>;

static_assert(detail::file_buffer<bytes_buf>,
              "basic_bytes_buf supplies the file core's hooks, declaring its optional ones");

// The buffers over byte_vector and the standard Storages are compiled once,
// in src/bytes_buf.cpp, so their users do not recompile the core in every
// translation unit.
extern template class detail::file_core<basic_bytes_buf<byte_vector>, byte_vector, true, true>;
extern template class basic_bytes_buf<byte_vector>;
extern template class detail::file_core<basic_bytes_buf<std::vector<char>>, std::vector<char>, true,
                                        true>;
extern template class basic_bytes_buf<std::vector<char>>;
extern template class detail::file_core<basic_bytes_buf<std::string>, std::string, true, true>;
extern template class basic_bytes_buf<std::string>;

} // namespace bytesio

#include "bytesio/impl/bytes_buf.hpp"

#endif // BYTESIO_BYTES_BUF_HPP
