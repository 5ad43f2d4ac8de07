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
 *
 * Failures stick (DESIGN.md, "Sticky filter failures"), in both filters and
 * both directions. The first exception a filter meets in a stream, whether
 * it found bad input (`invalid_gzip`), or the device after it refused bytes
 * (a `bytes_device` over a buffer at its size limit: `size_limit`), or an
 * allocation failed, is remembered: every later `read`, `write` and `close`
 * throws that same exception object again, and the filter neither consumes
 * another input byte nor hands the device another output byte. Boost's
 * chain swallows what a filter throws from `write` during `sync()` and then
 * offers the same bytes again; the filter does not decompress (or compress)
 * them twice. The close that ends the stream, `close(out)` after writes and
 * `close(in)` after reads, which a chain's `close()`, `reset()` and `pop()`
 * make once per stream, throws the failure one last time and returns the
 * filter to its fresh state ("reset for a new stream"). So through a
 * `filtering_ostream` an error reaches the user from `reset()`, `pop()` or
 * `close()` at the latest, with the same code and message (the same
 * offset) as through a `filtering_istream`.
 *
 * One failure no filter can keep: a device pushed with a buffer (Boost's
 * default) receives the chain's last bytes in the `sync()` of Boost's
 * close, which swallows what the device throws, so that error never reaches
 * a filter or the user. For a device that may refuse bytes (a `bytes_device`
 * over a buffer with a size limit), push it unbuffered (`push(dev, 1)`), or
 * check the device's own state afterwards.
 */

#include "bytesio/detail/igzip_engine.hpp"
#include "bytesio/detail/sticky_failure.hpp"
#include "bytesio/error.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/pipeline.hpp>

#include <cstddef>
#include <ios>
#include <memory>

namespace bytesio {
namespace detail {

/**
 * What igzip_compressor and igzip_decompressor share: the Boost.Iostreams
 * category, the one internal buffer, `read`/`write`/`close` around an ISA-L
 * engine (a SymmetricFilter: see igzip_engine.hpp), the dual-use close
 * protocol and the sticky failure.
 *
 * Copies share one state (a chain keeps a copy of what is pushed, as with
 * Boost's own filters); use one copy at a time.
 *
 * The buffer holds, in output use, engine output not yet handed on; in
 * input use, input not yet given to the engine:
 *
 *     buf            begin          end              buf + size
 *     |  handed on   |  pending     |  free           |
 *
 * In output use `begin` is always 0 (a partial write moves the rest down).
 */
template <class Engine>
class igzip_filter {
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
   * Input use: reads from `src` and returns up to `n` converted bytes.
   * @return the byte count (0 only if a non-blocking `src` has nothing now),
   *         or -1 at the end of the output.
   * @throws what the engine throws for bad input; whatever `src` throws;
   *         the stored failure (see the file comment).
   */
  template <class Source>
  std::streamsize read(Source &src, char *s, std::streamsize n);

  /**
   * Output use: converts `s[0, n)`, writing to `snk` as the buffer fills.
   * @return the count of bytes of `s` consumed (all of them unless a
   *         non-blocking `snk` stops accepting).
   * @throws what the engine throws for bad input; whatever `snk` throws;
   *         the stored failure.
   */
  template <class Sink>
  std::streamsize write(Sink &snk, const char *s, std::streamsize n);

  /**
   * Ends a use. The close of the direction in use ends the stream: with
   * `out` (after writes, or on a filter never used) it finishes the output
   * and writes the rest to `dev`; then, even if it threw, the filter is
   * fresh. A close of the other direction changes nothing.
   * @throws the stored failure (the closing call clears it); what the
   *         engine throws at the end of input; whatever `dev` throws.
   */
  template <class Device>
  void close(Device &dev, std::ios_base::openmode which);

protected:
  /**
   * A filter around `engine` with a buffer of `buffer_size` bytes.
   * @throws std::ios_base::failure with `errc::invalid_argument` if
   *         `buffer_size <= 0` (the message names `who`); std::bad_alloc.
   */
  igzip_filter(Engine engine, std::streamsize buffer_size, const char *who);

private:
  enum class mode : unsigned char { idle, reading, writing };

  struct state {
    state(Engine &&e, std::size_t n);
    void reset() noexcept;

    Engine engine;
    std::unique_ptr<char[]> buf;
    std::size_t size;
    std::size_t begin = 0;
    std::size_t end = 0;
    mode use = mode::idle;
    bool eof = false; // input use: the source reported its end
    sticky_failure failure;
  };

  template <class Sink>
  static bool flush(state &st, Sink &snk);
  template <class Sink>
  static void finish(state &st, Sink &snk);

  std::shared_ptr<state> state_;
};

} // namespace detail

/**
 * Boost.Iostreams filter that compresses to gzip with ISA-L.
 *
 * A multichar, closable, dual-use filter: in an output chain it compresses
 * what is written and finishes the member when the chain is closed; in an
 * input chain it compresses what it reads and finishes the member at the end
 * of its source. Each use, from the first byte to `close`, writes exactly one
 * gzip member (RFC 1952) with a minimal 10-byte header (no name, mtime 0), the
 * deflate data, CRC-32 and ISIZE. Empty input gives a valid member that
 * decompresses to nothing: 20 bytes at levels 1 to 3 (header, an empty
 * fixed-Huffman final block `03 00`, trailer) but 131 bytes at level 0,
 * because ISA-L's level 0 always writes its block as a dynamic-Huffman block
 * carrying its built-in code table (113 bytes of deflate here; measured with
 * ISA-L 2.30). The output is read by `gzip -d`, zlib and Boost's
 * `gzip_decompressor`.
 *
 * Copies share one compression state, as copies of Boost's filters do (a
 * chain stores a copy of what is pushed); use one copy at a time. After
 * `close` the filter may be used again for a new member. A failure (the
 * device refused bytes) sticks until the close that ends the stream, as the
 * file comment says; a member cut short by it is never completed, and no
 * input is compressed twice.
 *
 * Memory: the ISA-L stream (about 100 KiB), the level buffer (up to about
 * 400 KiB at level 3) and one buffer of `buffer_size` bytes.
 */
class igzip_compressor : public detail::igzip_filter<detail::igzip_deflate_engine> {
public:
  /**
   * Makes a compressor at an ISA-L compression level.
   *
   * Levels are ISA-L's, not zlib's: 0 (fastest, static Huffman tables), 1
   * (the default: dynamic tables, about zlib level 1's ratio at four times
   * its speed), 2 and 3 (slower, smaller).
   *
   * @param level ISA-L level, 0 to 3.
   * @throws std::ios_base::failure with `errc::invalid_argument` if `level` is
   *         outside 0..3 (checked before anything is allocated);
   *         `std::bad_alloc`.
   */
  explicit igzip_compressor(int level = 1) : igzip_compressor(level, default_buffer_size) {}

  /**
   * Makes a compressor with an internal buffer of `buffer_size` bytes.
   *
   * @param level ISA-L level, 0 to 3.
   * @param buffer_size bytes of compressed output (output use) or input (input
   *        use) buffered between calls to ISA-L; must be positive.
   * @throws std::ios_base::failure with `errc::invalid_argument` if `level` is
   *         outside 0..3 or `buffer_size <= 0`; `std::bad_alloc`. Nothing
   *         stays allocated on failure.
   */
  igzip_compressor(int level, std::streamsize buffer_size)
      : igzip_filter(detail::igzip_deflate_engine(level), buffer_size, "igzip_compressor"),
        level_(level) {}

  /** The ISA-L level given at construction. */
  int level() const noexcept { return level_; }

private:
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
 * - invalid deflate data (as ISA-L reports it; the offset is where the
 *   member's deflate data starts, because the point where ISA-L notices the
 *   damage depends on how much input it was given at a time);
 * - a trailer whose CRC-32 or ISIZE (length mod 2^32) disagrees with the data;
 * - bytes after a member that do not start another member (trailing garbage,
 *   zero padding included, which `gzip -d` only warns about).
 *
 * Output use reports the end-of-input errors from `close` (the chain's
 * `reset`, `pop` or `boost::iostreams::close`), input use from the `read`
 * that meets the end of the source. Through a `std::istream`/`std::ostream`
 * without `exceptions()`, a failure sets `badbit`. Every failure sticks
 * until the close that ends the stream (see the file comment), so the
 * message is the same in both directions and for any chunking and buffer
 * size. Bytes decompressed before an error was found may have gone
 * downstream: a prefix of what the input decompresses to up to the error,
 * never a byte twice.
 *
 * Against decompression bombs, bound the destination: a `bytes_buf` with
 * `set_size_limit` stops the chain at the limit.
 *
 * Copies share one state; after `close` the filter starts over.
 */
class igzip_decompressor : public detail::igzip_filter<detail::igzip_inflate_engine> {
public:
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
      : igzip_filter(detail::igzip_inflate_engine(), buffer_size, "igzip_decompressor") {}
};

BOOST_IOSTREAMS_PIPABLE(igzip_compressor, 0)
BOOST_IOSTREAMS_PIPABLE(igzip_decompressor, 0)

} // namespace bytesio

#include "bytesio/impl/igzip.hpp"

#endif // BYTESIO_IGZIP_HPP
