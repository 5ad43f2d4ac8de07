// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_SPAN_BUF_HPP
#define BYTESIO_SPAN_BUF_HPP

#include "bytesio/byte_vector.hpp"
#include "bytesio/detail/file_core.hpp"

#include <cstddef>
#include <cstdint>
#include <istream>
#include <span>
#include <string_view>
#include <utility>

namespace bytesio {

class mapped_file;

/**
 * A read-only file over memory the caller owns: a `std::streambuf` that
 * hands bytes you already have (a network payload, a `mapped_file`, a fuzz
 * input) to code that takes `std::istream&` or a Boost.Iostreams chain,
 * without copying them and without allocating.
 *
 * The reading half of `bytes_buf`'s file-like API, with exactly its
 * semantics (detail/file_core.hpp): one position, which may lie past the
 * end (reads there return nothing); `readinto`, `read`, `readline` (with a
 * limit), `readlines` (with a hint), the zero-copy `read_view` and
 * `readline_view`, `seek`, `tell`, `size`, `empty`, `view`, `close`,
 * `closed`. `read`, `readline` and `readlines` return copies as
 * `byte_vector`; `read_view`, `readline_view` and `view` return spans of the
 * caller's memory. There are no writing members.
 *
 * As a `std::streambuf`: reading and seeking as `bytes_buf`. Output fails
 * (`overflow` and `xsputn` write nothing), so a stream on it sets `badbit`
 * and the memory is never changed; `sputbackc` of the byte just read steps
 * back, of a different byte fails.
 *
 * Lifetime: the memory must outlive the buffer and every span it returned,
 * and must not change while the buffer reads it. `span_buf(mapped_file&&)`
 * is deleted, since the mapping would die at the end of the full
 * expression; name the `mapped_file` instead.
 *
 * Errors: the file-like members throw `std::ios_base::failure` with
 * `errc::closed` after `close()`, `errc::invalid_argument` for a bad seek;
 * `read`/`readline`/`readlines` may throw `std::bad_alloc` for their copies.
 * Thread safety: none for one object; distinct objects over the same memory
 * are independent. Movable (the spans stay valid: they point into the
 * caller's memory), not copyable.
 */
class span_buf
    : public detail::file_core<span_buf, byte_vector, /*Contiguous=*/true, /*Writable=*/false> {
  using core = detail::file_core<span_buf, byte_vector, true, false>;
  friend detail::core_access;

public:
  /** A buffer over no bytes. */
  span_buf() noexcept = default;

  /** Reads `bytes`, from position 0; copies nothing. */
  explicit span_buf(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {
    set_file_size(bytes.size());
  }

  /** Reads the characters of `chars` as bytes, from position 0; copies nothing. */
  explicit span_buf(std::string_view chars) noexcept : span_buf(std::as_bytes(std::span(chars))) {}

  /** Deleted: the mapping would be gone before the first read. */
  explicit span_buf(mapped_file &&) = delete;

  /** Takes `other`'s memory, position and closed state; `other` is left over no bytes. */
  span_buf(span_buf &&other) noexcept
      : core(std::move(other)), bytes_(std::exchange(other.bytes_, {})) {}

  /** Replaces everything with `other`'s state, as the move constructor. */
  span_buf &operator=(span_buf &&other) noexcept {
    if (this != &other) {
      core::operator=(std::move(other));
      bytes_ = std::exchange(other.bytes_, {});
    }
    return *this;
  }

  span_buf(const span_buf &) = delete;
  span_buf &operator=(const span_buf &) = delete;
  ~span_buf() override = default;

  /** Exchanges the whole state with `other`. */
  void swap(span_buf &other) noexcept {
    core::swap(other);
    std::swap(bytes_, other.bytes_);
  }

  friend void swap(span_buf &a, span_buf &b) noexcept { a.swap(b); }

private:
  // ---- storage operations for detail::file_core (detail::file_buffer) -----
  static constexpr detail::optional_hooks hooks{};
  const std::byte *memory() const noexcept { return bytes_.data(); }
  byte_vector result_of(const std::byte *p, std::size_t n) const {
    return byte_vector(std::span<const std::byte>(p, n));
  }
  void release() noexcept { bytes_ = {}; }

  std::span<const std::byte> bytes_;
};

static_assert(detail::file_buffer<span_buf>,
              "span_buf supplies the file core's hooks, declaring its optional ones");

/**
 * A `std::istream` over a `span_buf` that it owns: reads memory the caller
 * owns through any `std::istream` code, with no copy.
 *
 * @code
 * bytesio::mapped_file log("/var/log/app.log");
 * bytesio::span_stream in(log.bytes());
 * for (std::string line; std::getline(in, line);)
 *   consume(line);
 * @endcode
 *
 * The same constructors as `span_buf` (the one from `mapped_file&&` is
 * deleted); `rdbuf()` returns `span_buf*`, `buf()` gives the file-like API.
 * Output through the stream's buffer fails. Not copyable; movable and
 * swappable (the buffer moves with the stream).
 */
class span_stream : public std::istream {
public:
  /** A stream over no bytes. */
  span_stream() : std::istream(nullptr) { this->init(&buf_); }

  /** A stream over `bytes`, from position 0. */
  explicit span_stream(std::span<const std::byte> bytes) : std::istream(nullptr), buf_(bytes) {
    this->init(&buf_);
  }

  /** A stream over the characters of `chars`, from position 0. */
  explicit span_stream(std::string_view chars) : std::istream(nullptr), buf_(chars) {
    this->init(&buf_);
  }

  /** Deleted: the mapping would be gone before the first read. */
  explicit span_stream(mapped_file &&) = delete;

  /** Takes `other`'s state and buffer. */
  span_stream(span_stream &&other) : std::istream(std::move(other)), buf_(std::move(other.buf_)) {
    this->set_rdbuf(&buf_);
  }

  /** Takes `other`'s state flags, format and buffer. */
  span_stream &operator=(span_stream &&other) {
    std::istream::operator=(std::move(other));
    buf_ = std::move(other.buf_);
    return *this;
  }

  span_stream(const span_stream &) = delete;
  span_stream &operator=(const span_stream &) = delete;

  /** Exchanges the stream states and the buffers. */
  void swap(span_stream &other) {
    std::istream::swap(other);
    buf_.swap(other.buf_);
  }

  friend void swap(span_stream &a, span_stream &b) { a.swap(b); }

  /** The buffer (hides `std::ios::rdbuf()`). */
  span_buf *rdbuf() const noexcept { return const_cast<span_buf *>(&buf_); }

  /** The buffer, for the file-like API. */
  span_buf &buf() noexcept { return buf_; }
  const span_buf &buf() const noexcept { return buf_; }

  /** The whole memory; see `span_buf::view`. */
  std::span<const std::byte> view() const noexcept { return buf_.view(); }

  /** The length of the memory. */
  std::size_t size() const noexcept { return buf_.size(); }

private:
  span_buf buf_;
};

} // namespace bytesio

#endif // BYTESIO_SPAN_BUF_HPP
