#ifndef BYTESIO_IGZIP_HPP
#define BYTESIO_IGZIP_HPP

/**
 * @file
 * Fast gzip (RFC 1952) filters for Boost.Iostreams on Intel ISA-L.
 *
 * `igzip_compressor` and `igzip_decompressor` are drop-in replacements for
 * Boost's `gzip_compressor` and `gzip_decompressor`: push them into a
 * `filtering_ostream` or a `filtering_istream` (both work for both filters),
 * `compose` them, or pipe them, with any device at the end (a `bytes_device`,
 * a file, a `std::streambuf`) or another filter (base64).
 *
 * Link `bytesio::igzip` (CMake) or `/bytesio//bytesio_igzip` (b2). Only that
 * library sees ISA-L; this header needs Boost.Iostreams' header-only parts.
 */

#include "bytesio/detail/igzip_engine.hpp"
#include "bytesio/error.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/filter/symmetric.hpp>
#include <boost/iostreams/pipeline.hpp>

#include <ios>
#include <string>

namespace bytesio {

/**
 * Boost.Iostreams filter that compresses to gzip with ISA-L.
 *
 * A multichar, closable, dual-use filter: in an output chain it compresses
 * what is written and finishes the member when the chain is closed; in an
 * input chain it compresses what it reads and finishes the member at the end
 * of its source. Each use, from the first byte to `close`, writes exactly one
 * gzip member (RFC 1952) with a minimal 10-byte header (no name, mtime 0), the
 * deflate data, CRC-32 and ISIZE; empty input gives a valid 20-byte member
 * that decompresses to nothing. The output is read by `gzip -d`, zlib and
 * Boost's `gzip_decompressor`.
 *
 * Copies share one compression state, as copies of Boost's filters do (a
 * chain stores a copy of what is pushed); use one copy at a time. After
 * `close` the filter may be used again for a new member. A filter that threw
 * must be closed (a chain does this) before it is used again.
 *
 * Memory: the ISA-L stream (about 100 KiB), the level buffer (up to about
 * 400 KiB at level 3) and one buffer of `buffer_size` bytes.
 */
class igzip_compressor {
public:
  /** The character type of the filter: bytes as `char`. */
  using char_type = char;

  /** Boost.Iostreams category: dual-use multichar filter, closable. */
  struct category : boost::iostreams::dual_use,
                    boost::iostreams::filter_tag,
                    boost::iostreams::multichar_tag,
                    boost::iostreams::closable_tag {};

  /** Size of the internal buffer when none is given: 64 KiB. */
  static constexpr std::streamsize default_buffer_size = 64 * 1024;

  /**
   * Makes a compressor at an ISA-L compression level.
   *
   * Levels are ISA-L's, not zlib's: 0 (fastest, static Huffman tables), 1
   * (the default: dynamic tables, about zlib level 1's ratio at four times
   * its speed), 2 and 3 (slower, smaller).
   *
   * @param level ISA-L level, 0 to 3.
   * @throws std::ios_base::failure with `errc::invalid_argument` if `level` is
   *         outside 0..3; `std::bad_alloc`. Nothing is allocated on failure.
   */
  explicit igzip_compressor(int level = 1) : igzip_compressor(level, default_buffer_size) {}

  /**
   * Makes a compressor with an internal buffer of `buffer_size` bytes.
   *
   * @param level ISA-L level, 0 to 3.
   * @param buffer_size bytes of compressed output (output use) or input (input
   *        use) buffered between calls to ISA-L; must be positive.
   * @throws std::ios_base::failure with `errc::invalid_argument` if `level` is
   *         outside 0..3 or `buffer_size <= 0`; `std::bad_alloc`.
   */
  igzip_compressor(int level, std::streamsize buffer_size)
      : impl_(checked_buffer_size(buffer_size), checked_level(level)), level_(level) {}

  /** The ISA-L level given at construction. */
  int level() const noexcept { return level_; }

  /**
   * Input use: reads from `src` and returns up to `n` bytes of gzip.
   * @return the byte count, or -1 once the member is complete and all of it
   *         was returned.
   * @throws whatever `src` throws; the filter must then be closed.
   */
  template <class Source>
  std::streamsize read(Source &src, char *s, std::streamsize n) {
    return impl_.read(src, s, n);
  }

  /**
   * Output use: compresses `n` bytes from `s`, writing gzip to `snk` as the
   * internal buffer fills.
   * @return the count of bytes of `s` consumed (all of them unless `snk`
   *         stops accepting).
   * @throws whatever `snk` throws; the filter must then be closed.
   */
  template <class Sink>
  std::streamsize write(Sink &snk, const char *s, std::streamsize n) {
    return impl_.write(snk, s, n);
  }

  /**
   * Ends a use. With `which == out`, writes the rest of the member (final
   * block, trailer) to `dev`; in every case the filter is then ready for a
   * new member, even if `dev` threw.
   * @throws whatever `dev` throws.
   */
  template <class Device>
  void close(Device &dev, std::ios_base::openmode which) {
    impl_.close(dev, which);
  }

private:
  static std::streamsize checked_buffer_size(std::streamsize n) {
    if (n <= 0)
      detail::throw_error(errc::invalid_argument, "igzip_compressor: buffer_size must be positive");
    return n;
  }

  static int checked_level(int level) {
    if (level < 0 || level > 3)
      detail::throw_error(errc::invalid_argument, "igzip_compressor: level " +
                                                      std::to_string(level) +
                                                      " is outside ISA-L's 0..3");
    return level;
  }

  boost::iostreams::symmetric_filter<detail::igzip_deflate_engine> impl_;
  int level_;
};

/**
 * Boost.Iostreams filter that decompresses gzip with ISA-L, strictly.
 *
 * A multichar, closable, dual-use filter, like `igzip_compressor`. It reads
 * everything RFC 1952 allows: any number of members back to back (their
 * contents are concatenated, as `gzip -d` does), headers with FTEXT, FEXTRA,
 * FNAME, FCOMMENT and FHCRC (the header CRC is checked), whatever deflate
 * blocks gzip, zlib, Boost or ISA-L write.
 *
 * It is strict where Boost's `gzip_decompressor` is not. Each of these fails
 * with `std::ios_base::failure` whose `code() == bytesio::errc::invalid_gzip`
 * and whose message names the cause and the byte offset in the compressed
 * input:
 * - input that is empty or ends anywhere but right after a member's trailer
 *   (in the header, the deflate data or the trailer);
 * - a magic other than 1f 8b, a method other than 8 (deflate), reserved FLG
 *   bits 5..7 set, a wrong header CRC;
 * - invalid deflate data (as ISA-L reports it);
 * - a trailer whose CRC-32 or ISIZE (length mod 2^32) disagrees with the data;
 * - bytes after a member that do not start another member (trailing garbage,
 *   zero padding included, which `gzip -d` only warns about).
 *
 * Output use reports the end-of-input errors from `close` (the chain's
 * `reset`, `pop` or `boost::iostreams::close`), input use from the `read`
 * that meets the end of the source. Through a `std::istream`/`std::ostream`
 * without `exceptions()`, a failure sets `badbit`. Bytes decompressed before
 * an error was found have already gone downstream.
 *
 * Against decompression bombs, bound the destination: a `bytes_buf` with
 * `set_size_limit` stops the chain at the limit.
 *
 * Copies share one state; after `close` the filter starts over.
 */
class igzip_decompressor {
public:
  /** The character type of the filter: bytes as `char`. */
  using char_type = char;

  /** Boost.Iostreams category: dual-use multichar filter, closable. */
  struct category : boost::iostreams::dual_use,
                    boost::iostreams::filter_tag,
                    boost::iostreams::multichar_tag,
                    boost::iostreams::closable_tag {};

  /** Size of the internal buffer when none is given: 64 KiB. */
  static constexpr std::streamsize default_buffer_size = 64 * 1024;

  /**
   * Makes a decompressor.
   * @throws std::bad_alloc
   */
  igzip_decompressor() : igzip_decompressor(default_buffer_size) {}

  /**
   * Makes a decompressor with an internal buffer of `buffer_size` bytes.
   * @param buffer_size bytes of decompressed output (output use) or
   *        compressed input (input use) buffered; must be positive.
   * @throws std::ios_base::failure with `errc::invalid_argument` if
   *         `buffer_size <= 0`; `std::bad_alloc`.
   */
  explicit igzip_decompressor(std::streamsize buffer_size)
      : impl_(checked_buffer_size(buffer_size)) {}

  /**
   * Input use: reads gzip from `src` and returns up to `n` decompressed bytes.
   * @return the byte count, or -1 at the end of the last member once the
   *         source is exhausted.
   * @throws std::ios_base::failure with `errc::invalid_gzip` (see the class
   *         comment); whatever `src` throws. The filter must then be closed.
   */
  template <class Source>
  std::streamsize read(Source &src, char *s, std::streamsize n) {
    return impl_.read(src, s, n);
  }

  /**
   * Output use: decompresses `n` bytes of gzip from `s` and writes the result
   * to `snk`.
   * @return the count of bytes of `s` consumed.
   * @throws std::ios_base::failure with `errc::invalid_gzip`; whatever `snk`
   *         throws. The filter must then be closed.
   */
  template <class Sink>
  std::streamsize write(Sink &snk, const char *s, std::streamsize n) {
    return impl_.write(snk, s, n);
  }

  /**
   * Ends a use. With `which == out`, writes the remaining output to `dev`
   * and checks that the input ended right after a member; in every case the
   * filter is then ready to start over, even if it threw.
   * @throws std::ios_base::failure with `errc::invalid_gzip` for truncated
   *         input; whatever `dev` throws.
   */
  template <class Device>
  void close(Device &dev, std::ios_base::openmode which) {
    impl_.close(dev, which);
  }

private:
  static std::streamsize checked_buffer_size(std::streamsize n) {
    if (n <= 0)
      detail::throw_error(errc::invalid_argument,
                          "igzip_decompressor: buffer_size must be positive");
    return n;
  }

  boost::iostreams::symmetric_filter<detail::igzip_inflate_engine> impl_;
};

BOOST_IOSTREAMS_PIPABLE(igzip_compressor, 0)
BOOST_IOSTREAMS_PIPABLE(igzip_decompressor, 0)

} // namespace bytesio

#endif // BYTESIO_IGZIP_HPP
