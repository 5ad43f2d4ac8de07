// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BYTES_STREAM_HPP
#define BYTESIO_BYTES_STREAM_HPP

#include "bytesio/detail/export.hpp"

#include "bytesio/bytes_buf.hpp"

#include <istream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bytesio {

/**
 * A `std::iostream` over a `basic_bytes_buf` that it owns: a drop-in for
 * `std::stringstream` when the data are bytes.
 *
 * Unlike `std::stringstream`, reading and writing share one position
 * (`seekg` and `seekp` move the same one, `tellg() == tellp()`), the bytes
 * come out without a copy (`take()`, `view()`), and output after seeking
 * past the end zero-fills the gap. Failures follow the iostream rules: the
 * buffer reports them by return value and the stream sets `badbit` or
 * `failbit`, throwing only as `exceptions()` asks. The file-like API
 * (`read`, `readline`, `seek`, `getbuffer`, `set_size_limit`, ...) is on
 * `buf()`.
 *
 * Not copyable; movable and swappable (the buffer moves with the stream).
 */
template <class Storage = byte_vector>
class BYTESIO_API basic_bytes_stream : public std::iostream {
public:
  using buf_type = basic_bytes_buf<Storage>;
  using storage_type = Storage;

  /** An empty stream. */
  basic_bytes_stream() : std::iostream(nullptr) { this->init(&buf_); }

  /** A stream over a copy of `initial`, at position 0. */
  explicit basic_bytes_stream(std::span<const std::byte> initial)
      : std::iostream(nullptr), buf_(initial) {
    this->init(&buf_);
  }

  /** A stream over a copy of the characters of `initial`, at position 0. */
  explicit basic_bytes_stream(std::string_view initial) : std::iostream(nullptr), buf_(initial) {
    this->init(&buf_);
  }

  /** A stream over `adopted`, taken without a copy, at position 0. */
  template <class S>
  requires std::same_as<S, Storage>
  explicit basic_bytes_stream(S &&adopted)
      : std::iostream(nullptr), buf_(std::forward<S>(adopted)) {
    this->init(&buf_);
  }

  /** Takes `other`'s state and buffer; `other` is left empty. */
  basic_bytes_stream(basic_bytes_stream &&other)
      : std::iostream(std::move(other)), buf_(std::move(other.buf_)) {
    this->set_rdbuf(&buf_);
  }

  /** Takes `other`'s state flags, format and buffer. */
  basic_bytes_stream &operator=(basic_bytes_stream &&other) {
    std::iostream::operator=(std::move(other));
    buf_ = std::move(other.buf_);
    return *this;
  }

  basic_bytes_stream(const basic_bytes_stream &) = delete;
  basic_bytes_stream &operator=(const basic_bytes_stream &) = delete;

  /** Exchanges the stream states and the buffers. */
  void swap(basic_bytes_stream &other) {
    std::iostream::swap(other);
    buf_.swap(other.buf_);
  }

  friend void swap(basic_bytes_stream &a, basic_bytes_stream &b) { a.swap(b); }

  /** The buffer (hides `std::ios::rdbuf()`, as `std::stringstream` does). */
  buf_type *rdbuf() const noexcept { return const_cast<buf_type *>(&buf_); }

  /** The buffer, for the file-like API. */
  buf_type &buf() noexcept { return buf_; }
  const buf_type &buf() const noexcept { return buf_; }

  /** A copy of the contents; see `basic_bytes_buf::getvalue`. */
  Storage getvalue() const { return buf_.getvalue(); }

  /** The contents without a copy; see `basic_bytes_buf::view`. */
  std::span<const std::byte> view() const noexcept { return buf_.view(); }

  /** Moves the contents out; see `basic_bytes_buf::take`. */
  Storage take() { return buf_.take(); }

  /** The length of the contents. */
  std::size_t size() const noexcept { return buf_.size(); }

private:
  buf_type buf_;
};

/** The stream over `byte_vector`, bytesio's default storage. */
using bytes_stream = basic_bytes_stream<>;

// Compiled once, in src/bytes_stream.cpp, as the buffers are.
extern template class basic_bytes_stream<byte_vector>;
extern template class basic_bytes_stream<std::vector<char>>;
extern template class basic_bytes_stream<std::string>;

} // namespace bytesio

#endif // BYTESIO_BYTES_STREAM_HPP
