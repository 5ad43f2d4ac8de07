// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_ASIO_HPP
#define BYTESIO_ASIO_HPP

// Boost.Asio and Boost.Beast over a bytes_buf: the buffer a socket reads
// into and a parser then reads from as a file. Header-only; needs the
// Boost.Asio and Boost.Beast headers (Boost 1.74 or later).

#include "bytesio/bytes_buf.hpp"
#include "bytesio/error.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace bytesio {

/**
 * A `basic_bytes_buf` as an Asio dynamic buffer: the socket appends at the
 * end, the parser reads from the position. Meets both DynamicBuffer_v1
 * (`prepare`/`commit`) and DynamicBuffer_v2 (`grow`/`shrink`/`data(pos, n)`)
 * of Boost 1.74, so `asio::read`, `asio::read_until`, their `async_`
 * forms and Beast's `http::read` accept it. Where a type meets both, Asio's
 * algorithms pick the v2 overloads, which take the buffer by value and
 * copy it; Beast's `http::read` takes a v1 buffer by reference, so name one:
 *
 *     bytesio::bytes_buf wire;
 *     auto buffer = bytesio::dynamic_buffer(wire);
 *     http::read(socket, buffer, response);
 *
 * It refers to the buffer (it does not own it) and keeps no state of its
 * own but the size of the last `prepare`, so every copy sees the same bytes;
 * the buffer must outlive every copy and every operation using one.
 *
 * The readable bytes are `[tell(), size())`, what has not been read yet:
 * `size()` counts them, `data()` shows them, `consume(n)` advances the
 * position (consuming is reading), so after
 * `asio::read_until(socket, bytesio::dynamic_buffer(buf), "\r\n\r\n")`,
 * `buf.readline()` returns the first header line. Consumed bytes stay in
 * the buffer (it is a file: seek back to read them again); `clear()` it
 * between messages to reuse its memory.
 *
 * Growth (`prepare`, `grow`) appends at the end and follows the buffer's
 * rules: new bytes are not zero-filled (their values are unspecified; a
 * `byte_vector` leaves them as they are, a standard container zero-fills
 * what it grows by, as its `resize` must); a position past the end first moves
 * the end to it (the gap zero-filled, as a write there does), so appended
 * bytes always follow the position; `max_size()` follows the size limit and
 * growth past it throws `std::length_error`, as Asio requires (Asio's
 * algorithms never ask for more than `max_size() - size()`, so a full buffer
 * ends `asio::read` early, without an error, makes `asio::read_until` fail
 * with `asio::error::not_found` and Beast's `http::read` with
 * `http::error::buffer_overflow`); a live `getbuffer()` view makes growth throw
 * `buffer_exported` and a closed buffer makes every member but the
 * `noexcept` ones throw `closed` (both `std::ios_base::failure`). Asio's
 * asynchronous operations let such an exception escape `io_context::run()`.
 * `commit`, `shrink` and `consume` never move memory, so they work while a
 * view lives.
 *
 * Invalidation: `prepare` and `grow` may reallocate the storage, which
 * invalidates every buffer sequence from `data` or `prepare`, `view()` and
 * `read_view` spans and pointers into the contents (but never a
 * `getbuffer()` view: growth refuses while one lives). `commit`, `shrink`
 * and `consume` move no memory: pointers stay valid, but buffer sequences
 * obtained before them no longer describe the readable bytes.
 *
 * Any use of the buffer through its own API (writes, a stream) between a
 * `prepare` and its `commit` breaks the v1 sequence, as for every Asio
 * dynamic buffer; `commit` then takes no more bytes than are in memory past
 * the new end.
 *
 * Thread safety: that of the buffer, none for one object; an asynchronous
 * operation owns the buffer until its handler runs.
 */
template <class Storage>
class basic_bytes_dynamic_buffer {
public:
  /** The buffer this refers to. */
  using buffer_type = basic_bytes_buf<Storage>;

  /** One buffer: the readable bytes are contiguous. */
  using const_buffers_type = boost::asio::const_buffer;

  /** One buffer: the prepared or readable bytes are contiguous. */
  using mutable_buffers_type = boost::asio::mutable_buffer;

  /** Refers to `buf`, which must outlive this object and its copies. */
  explicit basic_bytes_dynamic_buffer(buffer_type &buf) noexcept : buf_(&buf) {}

  /** The buffer this refers to. */
  buffer_type &buffer() const noexcept { return *buf_; }

  /**
   * The count of readable bytes, `size() - tell()` of the buffer (0 when the
   * position is at or past the end, or the buffer is closed). v1 and v2.
   */
  std::size_t size() const noexcept;

  /**
   * The most `size()` may grow to: from the position up to the buffer's
   * size limit (or its length, if longer), never past INT64_MAX. Always at
   * least `size()`. v1 and v2.
   */
  std::size_t max_size() const noexcept;

  /**
   * What `size()` may grow to without reallocating the storage, at least
   * `size()`, at most `max_size()`. v1 and v2.
   */
  std::size_t capacity() const noexcept;

  /** v1: the readable bytes, as one buffer (empty when there are none). */
  const_buffers_type data() const noexcept;

  /**
   * v2: the readable bytes from `pos` (relative to the position, not to the
   * start of the contents), at most `n` of them; empty if `pos >= size()`.
   * Writable: v2 algorithms read into bytes that `grow` appended.
   */
  mutable_buffers_type data(std::size_t pos, std::size_t n) noexcept;

  /** v2: `data(pos, n)`, read-only. */
  const_buffers_type data(std::size_t pos, std::size_t n) const noexcept;

  /**
   * v1: `n` bytes of memory after the end (the output sequence), not
   * zero-filled; `commit` makes the bytes written there contents. A
   * position past the end first moves the end to it (the gap zero-filled).
   * A new `prepare` replaces the previous output sequence.
   * @throws closed, buffer_exported (`std::ios_base::failure`);
   *   `std::length_error` if `n > max_size() - size()` (the size limit);
   *   `std::bad_alloc`. Strong guarantee.
   * Invalidates buffer sequences and pointers into the buffer if the
   * storage reallocates.
   */
  mutable_buffers_type prepare(std::size_t n);

  /**
   * v1: appends the first `n` bytes of the output sequence to the contents
   * (all of it if `n` is larger; no error) and discards the rest; the
   * position does not move. Moves no memory.
   * @throws closed
   */
  void commit(std::size_t n);

  /**
   * v2: extends the end by `n` bytes (`size()` grows by `n`); they are not
   * zero-filled: their values are unspecified until written through
   * `data(pos, n)`. A position past the end first moves the end to it.
   * @throws closed, buffer_exported (`std::ios_base::failure`);
   *   `std::length_error` if `n > max_size() - size()` (the size limit);
   *   `std::bad_alloc`. Strong guarantee.
   * Invalidates buffer sequences and pointers into the buffer if the
   * storage reallocates.
   */
  void grow(std::size_t n);

  /**
   * v2: cuts `n` bytes from the end, but never below the position (all the
   * readable bytes if `n >= size()`; no error). The memory stays allocated.
   * @throws closed
   */
  void shrink(std::size_t n);

  /**
   * v1 and v2: advances the position by `min(n, size())`, as reading those
   * bytes does; they stay in the buffer. Moves no memory.
   * @throws closed
   */
  void consume(std::size_t n);

private:
  buffer_type *buf_;
  std::size_t prepared_ = 0; // v1: the size of the output sequence
};

/**
 * A dynamic buffer over `buf`: `asio::read(socket, bytesio::dynamic_buffer(buf))`.
 * It refers to `buf`, which must outlive it and its copies.
 */
template <class Storage>
basic_bytes_dynamic_buffer<Storage> dynamic_buffer(basic_bytes_buf<Storage> &buf) noexcept {
  return basic_bytes_dynamic_buffer<Storage>(buf);
}

/**
 * A Beast Body whose `value_type` is a `bytes_buf`: a message body that is
 * an in-memory file, to read with `std::istream`, Boost.Iostreams filters
 * (a gzip decompressor) or the file-like API once the message is in.
 *
 * Reading (`reader`): the body is appended at the buffer's end (a position
 * past the end first zero-fills the gap), without zero-fill of the space
 * and without moving the position, so a fresh message's body reads from 0.
 * A `Content-Length` reserves its size up front. Two limits bound it, and
 * neither keeps a byte past it: Beast's `parser::body_limit()` (the parser
 * checks it before it hands the reader a byte, failing with
 * `http::error::body_limit`; but Boost 1.74 and 1.75 lose that error for a
 * `Content-Length` body when the parser is eager, as `http::read` makes it,
 * boostorg/beast#2087: call `http::read_header` first), and the buffer's
 * own size limit (`set_size_limit` on the body before reading), which the
 * reader checks itself: a `Content-Length` beyond it fails at once, and a
 * chunk or a read that would pass it fails and is not written, with
 * `errc::size_limit`. A closed body, or one with a live
 * `getbuffer()` view, fails with `errc::closed` / `errc::buffer_exported`.
 * These arrive as `boost::system::error_code`s of category "bytesio", which
 * compare equal to the `errc` (`ec == bytesio::errc::size_limit`).
 *
 * Writing (`writer`): sends `view()`, the whole contents, as one buffer
 * that points into the buffer's memory: no copy. `size()` is the length, so
 * `prepare_payload()` sets `Content-Length` (or chunked encoding, if the
 * message asks for it, frames the same buffer). The body must not change
 * while the message is being written. A closed body fails with
 * `errc::closed`.
 *
 * `bytes_buf` is movable but not copyable, so a message with this body is too.
 */
struct http_body {
  /** The type of `message::body()`. */
  using value_type = bytes_buf;

  /** The payload size, for `prepare_payload()`: `body.size()`. */
  static std::uint64_t size(const value_type &body) noexcept { return body.size(); }

  /** Beast's BodyReader: appends the incoming body to the buffer. */
  class reader {
  public:
    /** Refers to the message's body. */
    template <bool isRequest, class Fields>
    explicit reader(boost::beast::http::header<isRequest, Fields> &, value_type &body) noexcept
        : body_(body) {}

    /**
     * Called once the header is parsed: checks the buffer may grow and, with
     * a `Content-Length`, that the body fits the size limit, then reserves
     * it. @param ec `errc::closed`, `errc::buffer_exported`,
     * `errc::size_limit` on failure. @throws std::bad_alloc
     */
    void init(const boost::optional<std::uint64_t> &content_length, boost::beast::error_code &ec);

    /**
     * Appends the bytes of `buffers`, all of them or (on failure) none.
     * @return the count appended.
     * @param ec `errc::size_limit` if they would pass the size limit,
     *   `errc::closed`, `errc::buffer_exported`.
     * @throws std::bad_alloc (nothing appended)
     * Invalidates `view()` spans if the storage reallocates.
     */
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence &buffers, boost::beast::error_code &ec);

    /** Called at the end of the body. Never fails. */
    void finish(boost::beast::error_code &ec) noexcept { ec = {}; }

  private:
    value_type &body_;
  };

  /** Beast's BodyWriter: the body's memory as one buffer, no copy. */
  class writer {
  public:
    /** One buffer: the whole contents. */
    using const_buffers_type = boost::asio::const_buffer;

    /** Refers to the message's body, which must not change until the message is written. */
    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields> &, const value_type &body) noexcept
        : body_(body) {}

    /** @param ec `errc::closed` if the body is closed. */
    void init(boost::beast::error_code &ec) noexcept;

    /** The whole contents, `view()`, and "no more". */
    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code &ec) noexcept;

  private:
    const value_type &body_;
  };
};

/**
 * Whether `ec`, from Asio or Beast (`http_body`), carries bytesio's error
 * `e`: `ec == bytesio::errc::size_limit`. (Boost 1.74's `error_code` cannot
 * hold a `std::error_code`, so bytesio's errors cross into Asio and Beast
 * as codes of a `boost::system` category, also named "bytesio", with the
 * same values and messages.)
 */
inline bool operator==(const boost::system::error_code &ec, errc e) noexcept;

} // namespace bytesio

#include "bytesio/impl/asio.hpp"

#endif // BYTESIO_ASIO_HPP
