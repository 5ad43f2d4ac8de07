#ifndef BYTESIO_IOSTREAMS_HPP
#define BYTESIO_IOSTREAMS_HPP

#include "bytesio/bytes_buf.hpp"
#include "bytesio/bytes_stream.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/positioning.hpp>

#include <ios>
#include <span>
#include <string>

namespace bytesio {

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
 * The device refers to the buffer; it does not own it, so the buffer must
 * outlive every stream that holds the device. Reads, writes and seeks act
 * at the buffer's one position, exactly as the file-like API does. The
 * device is not closable: closing a chain leaves the buffer open and
 * readable.
 *
 * Errors: `write` is all or nothing and throws what `basic_bytes_buf::write`
 * throws (`size_limit` stops a decompression bomb at the limit, `closed`,
 * `buffer_exported`); reads throw `closed`; a seek to a negative position
 * throws `invalid_argument`. Boost's streams turn these into `badbit`, or
 * rethrow them when `exceptions()` ask, with two Boost quirks to know:
 * `flush()` (Boost's `sync()`) swallows the device's exception, so only the
 * failure, not its code, reaches the stream; and `close()`/`reset()` of a
 * `filtering_ostream` rethrow a device failure whatever `exceptions()` say.
 */
template <class Storage>
class basic_bytes_device {
public:
  using char_type = char;
  struct category : boost::iostreams::seekable_device_tag,
                    boost::iostreams::optimally_buffered_tag {};

  /** Refers to `buf`. */
  explicit basic_bytes_device(basic_bytes_buf<Storage> &buf) noexcept : buf_(&buf) {}

  /** Refers to `stream`'s buffer. */
  explicit basic_bytes_device(basic_bytes_stream<Storage> &stream) noexcept : buf_(&stream.buf()) {}

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
  std::streamsize write(const char_type *s, std::streamsize n) {
    if (n <= 0)
      return 0;
    buf_->write(std::as_bytes(std::span(s, static_cast<std::size_t>(n))));
    return n;
  }

  /**
   * Moves the position; any non-negative result is allowed, even past the
   * end (a later write zero-fills the gap).
   * @return the new position. @throws invalid_argument, closed
   */
  std::streampos seek(boost::iostreams::stream_offset off, std::ios_base::seekdir way) {
    if (buf_->closed())
      detail::throw_error(errc::closed, "bytesio: bytes_device seek on a closed buffer");
    // The streambuf's seek already refuses negative and overflowing targets.
    const std::streampos pos = buf_->pubseekoff(off, way);
    if (pos == std::streampos(std::streamoff(-1)))
      detail::throw_error(errc::invalid_argument,
                          "bytesio: bytes_device seek to a negative or overflowing position");
    return pos;
  }

  /** Boost's stream buffer size for this device: large, since memory is fast. */
  std::streamsize optimal_buffer_size() const noexcept { return 64 * 1024; }

  /** The buffer this device refers to. */
  basic_bytes_buf<Storage> &buf() const noexcept { return *buf_; }

private:
  basic_bytes_buf<Storage> *buf_;
};

/** The device over `bytes_buf`. */
using bytes_device = basic_bytes_device<byte_vector>;

/** Deduces the storage: `basic_bytes_device dev(my_buf);`. */
template <class Storage>
basic_bytes_device(basic_bytes_buf<Storage> &) -> basic_bytes_device<Storage>;
template <class Storage>
basic_bytes_device(basic_bytes_stream<Storage> &) -> basic_bytes_device<Storage>;

} // namespace bytesio

#endif // BYTESIO_IOSTREAMS_HPP
