// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_IOSTREAMS_HPP
#define BYTESIO_IOSTREAMS_HPP

#include "bytesio/bytes_buf.hpp"
#include "bytesio/bytes_stream.hpp"
#include "bytesio/span_buf.hpp"
#include "bytesio/spooled_buf.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/positioning.hpp>

#include <exception>
#include <ios>
#include <span>
#include <string>
#include <type_traits>

namespace bytesio {

namespace detail {

/**
 * The Boost.Iostreams device over any buffer of the library, written once:
 * it refers to the buffer (it does not own it) and reads, writes and seeks
 * at the buffer's one position, exactly as the file-like API does. A
 * writable buffer gives a SeekableDevice, a read-only one (`span_buf`) a
 * seekable Source. The devices below name it for each buffer.
 *
 * Errors: `write` is all or nothing and throws what the buffer's `write`
 * throws (`size_limit` stops a decompression bomb at the limit, `closed`,
 * `buffer_exported`, an OS error for a spooled file); reads throw `closed`
 * (or an OS error); a seek to a negative position throws
 * `invalid_argument`. Boost's streams turn these into `badbit`, or rethrow
 * them when `exceptions()` ask. Boost's `flush()` (its `sync()`) swallows
 * the device's exception, and a chain's `close()`/`reset()` flushes the
 * device's buffer that way too; so the device remembers the first failure
 * of its writes and its `close()` throws it (then forgets it): a chain that
 * could not write everything always says so at `close()`/`reset()`/`pop()`,
 * whatever `exceptions()` say, with the failure's code and message.
 * Closing the device never closes the buffer, which stays open and readable.
 */
template <class Buf>
class buffer_device {
public:
  /** Whether the buffer can be written (not a `span_buf`). */
  static constexpr bool writable = requires(Buf & b, std::span<const std::byte> s) { b.write(s); };

  using char_type = char;
  struct seekable_source_tag : boost::iostreams::device_tag, boost::iostreams::input_seekable {};
  struct category
      : std::conditional_t<writable, boost::iostreams::seekable_device_tag, seekable_source_tag>,
        boost::iostreams::closable_tag,
        boost::iostreams::optimally_buffered_tag {};

  /** Refers to `buf`. */
  explicit buffer_device(Buf &buf) noexcept : buf_(&buf) {}

  /**
   * Reads up to `n` bytes at the position.
   * @return the count, or -1 at or past the end. @throws closed
   */
  std::streamsize read(char_type *s, std::streamsize n) {
    if (n <= 0)
      return 0;
    const std::size_t got =
        buf_->readinto(std::as_writable_bytes(std::span(s, static_cast<std::size_t>(n))));
    return got == 0 ? -1 : static_cast<std::streamsize>(got);
  }

  /**
   * Writes `n` bytes at the position, all of them or none.
   * @return `n`. @throws closed, buffer_exported, size_limit, std::bad_alloc
   */
  std::streamsize write(const char_type *s, std::streamsize n) requires writable {
    if (n <= 0)
      return 0;
    try {
      buf_->write(std::as_bytes(std::span(s, static_cast<std::size_t>(n))));
    } catch (...) {
      if (!failure_)
        failure_ = std::current_exception();
      throw;
    }
    return n;
  }

  /**
   * Ends a stream: throws the first failure of `write` since the last
   * `close()`, if there was one, and forgets it. The buffer stays open.
   * @throws what the failed `write` threw
   */
  void close() {
    if (failure_)
      std::rethrow_exception(std::exchange(failure_, nullptr));
  }

  /**
   * Moves the position; any non-negative result is allowed, even past the
   * end (a later write zero-fills the gap).
   * @return the new position. @throws invalid_argument, closed
   */
  std::streampos seek(boost::iostreams::stream_offset off, std::ios_base::seekdir way) {
    if (buf_->closed())
      throw_error(errc::closed, "bytesio: device seek on a closed buffer");
    // The streambuf's seek already refuses negative and overflowing targets.
    const std::streampos pos = buf_->pubseekoff(off, way);
    if (pos == std::streampos(std::streamoff(-1)))
      throw_error(errc::invalid_argument,
                  "bytesio: device seek to a negative or overflowing position");
    return pos;
  }

  /** Boost's stream buffer size for this device: large, since memory is fast. */
  std::streamsize optimal_buffer_size() const noexcept { return 64 * 1024; }

  /** The buffer this device refers to. */
  Buf &buf() const noexcept { return *buf_; }

private:
  Buf *buf_;
  std::exception_ptr failure_; // the first failed write since the last close
};

} // namespace detail

/**
 * A Boost.Iostreams SeekableDevice over a `basic_bytes_buf`, so filter
 * chains (gzip, zlib, bzip2, xz, zstd, base64) write to and read from
 * memory:
 *
 * @code
 * bytesio::bytes_buf buf;
 * boost::iostreams::filtering_ostream out;
 * out.push(boost::iostreams::gzip_compressor());
 * out.push(bytesio::bytes_device(buf));
 * out << report;
 * boost::iostreams::close(out); // writes the gzip trailer into buf
 * @endcode
 *
 * It refers to the buffer, which must outlive every stream that holds the
 * device; the rules and errors are `detail::buffer_device`'s.
 */
template <class Storage>
class basic_bytes_device : public detail::buffer_device<basic_bytes_buf<Storage>> {
public:
  /** Refers to `buf`. */
  explicit basic_bytes_device(basic_bytes_buf<Storage> &buf) noexcept
      : detail::buffer_device<basic_bytes_buf<Storage>>(buf) {}

  /** Refers to `stream`'s buffer. */
  explicit basic_bytes_device(basic_bytes_stream<Storage> &stream) noexcept
      : detail::buffer_device<basic_bytes_buf<Storage>>(stream.buf()) {}
};

/** The device over `bytes_buf`. */
using bytes_device = basic_bytes_device<byte_vector>;

/** Deduces the storage: `basic_bytes_device dev(my_buf);`. */
template <class Storage>
basic_bytes_device(basic_bytes_buf<Storage> &) -> basic_bytes_device<Storage>;
template <class Storage>
basic_bytes_device(basic_bytes_stream<Storage> &) -> basic_bytes_device<Storage>;

/**
 * A SeekableDevice over a `spooled_buf`: a chain's output stays in memory
 * up to the threshold, then spills to the anonymous temporary file. The
 * rules and errors are `detail::buffer_device`'s; a failed rollover or a
 * disk error is the OS error the buffer throws.
 */
class spooled_device : public detail::buffer_device<spooled_buf> {
public:
  /** Refers to `buf`. */
  explicit spooled_device(spooled_buf &buf) noexcept : detail::buffer_device<spooled_buf>(buf) {}

  /** Refers to `stream`'s buffer. */
  explicit spooled_device(spooled_stream &stream) noexcept
      : detail::buffer_device<spooled_buf>(stream.buf()) {}
};

/**
 * A seekable Source over a `span_buf`: a chain reads memory the caller owns
 * (a `mapped_file`, a network payload) with no copy of the input.
 *
 * @code
 * bytesio::mapped_file gz("log.gz");
 * bytesio::span_buf in(gz.bytes());
 * boost::iostreams::filtering_istream chain;
 * chain.push(boost::iostreams::gzip_decompressor());
 * chain.push(bytesio::span_device(in));
 * @endcode
 */
class span_device : public detail::buffer_device<span_buf> {
public:
  /** Refers to `buf`. */
  explicit span_device(span_buf &buf) noexcept : detail::buffer_device<span_buf>(buf) {}

  /** Refers to `stream`'s buffer. */
  explicit span_device(span_stream &stream) noexcept
      : detail::buffer_device<span_buf>(stream.buf()) {}
};

} // namespace bytesio

#endif // BYTESIO_IOSTREAMS_HPP
