// SPDX-License-Identifier: BSL-1.0
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

#include "bytesio/detail/filter_shell.hpp"
#include "bytesio/detail/igzip_engine.hpp"

#include <boost/iostreams/pipeline.hpp>

#include <cstddef>
#include <ios>
#include <utility>

namespace bytesio {
namespace detail {

/**
 * What igzip_compressor and igzip_decompressor share: the filter shell
 * around an ISA-L engine, and the default size of its buffer.
 *
 * `optimal_buffer_size()`, the buffer a chain gives the filter when `push`
 * names no size (Boost's own default for a filter, 128 bytes, is slow for
 * ISA-L), is what bench/igzip_bench measured fastest: 256 KiB for a
 * one-thread compressor, 64 KiB for a compressor with threads and for the
 * decompressor.
 */
template <class Engine>
class igzip_filter : public filter_shell<Engine> {
public:
  /** Size of the internal buffer when none is given: 64 KiB. */
  static constexpr std::streamsize default_buffer_size = 64 * 1024;

protected:
  using filter_shell<Engine>::filter_shell;
};

/**
 * What igzip_compressor and bgzf_compressor share: the deflate engine, the
 * level and thread count they were made with, the index of what they wrote.
 */
class isal_compressor : public igzip_filter<igzip_deflate_engine> {
public:
  /** The largest thread count accepted. */
  static constexpr unsigned max_threads = igzip_deflate_engine::max_threads;

  /** The ISA-L level given at construction. */
  int level() const noexcept { return level_; }

  /** The thread count in use: as given, or what 0 resolved to. */
  unsigned threads() const noexcept { return engine().threads(); }

protected:
  isal_compressor(igzip_deflate_engine engine, int level, std::streamsize buffer_size,
                  const char *who)
      : igzip_filter(std::move(engine), buffer_size, who), level_(level) {}

  /** The points of the last stream finished (see each compressor's `index()`). */
  gzip_index last_index() const { return engine().index(); }

private:
  int level_;
};

} // namespace detail

/**
 * Boost.Iostreams filter that compresses to gzip with ISA-L, on one thread or
 * several.
 *
 * A multichar, closable, dual-use filter: in an output chain it compresses
 * what is written and finishes the member when the chain is closed; in an
 * input chain it compresses what it reads and finishes the member at the end
 * of its source. Each use, from the first byte to `close`, writes exactly one
 * gzip member (RFC 1952) with a minimal 10-byte header (no name, mtime 0, OS
 * 255), the deflate data, CRC-32 and ISIZE. The output is read by `gzip -d`,
 * zlib and Boost's `gzip_decompressor`.
 *
 * One thread (the default): one ISA-L stream writes the member. Empty input
 * gives a valid member that decompresses to nothing: 20 bytes at levels 1 to
 * 3 (header, an empty fixed-Huffman final block `03 00`, trailer) but 131
 * bytes at level 0, because ISA-L's level 0 always writes its block as a
 * dynamic-Huffman block carrying its built-in code table (113 bytes of
 * deflate here; measured with ISA-L 2.30). Where ISA-L ends its deflate
 * blocks depends on how the input arrives, so the bytes (not what they
 * decompress to) may differ between chunkings.
 *
 * Several threads (`threads > 1`, or 0 for one per hardware thread): pigz's
 * scheme. The input is cut into blocks of `block_size` (256 KiB) at fixed
 * offsets; each is compressed on one of `threads` threads (`threads - 1`
 * workers and the caller's own, which compresses a queued block rather than
 * wait for one) as raw deflate primed with
 * the 32 KiB of input before it and ended byte-aligned by an empty stored
 * block (a sync flush), the last one ending the deflate stream; the CRC-32s
 * of the blocks are combined in order. The member's bytes depend only on the
 * input and the level: **identical for any chunking of the input, either
 * direction and any `threads >= 2`**, in every process (ISA-L alone is not:
 * see `isal_first_call` in src/detail/parallel_deflate.hpp); not the same
 * bytes as one thread writes, but within a fraction of a percent of its
 * size. The README's Performance section gives the speed-up. Threads
 * belong to the filter (to the state its copies share): none until the
 * input passes one block (a smaller member is compressed on the caller's
 * thread), so a copied or unused filter starts none; they are joined by the close that ends the
 * stream and, at the latest, when the last copy is destroyed, whatever threw
 * before (no thread outlives the filter). At most `2 * threads` blocks are
 * in flight: a write that finds all busy compresses one itself, or waits. The sink is only
 * ever called from the caller's thread.
 *
 * Copies share one compression state, as copies of Boost's filters do (a
 * chain stores a copy of what is pushed); use one copy at a time, from one
 * thread at a time. After `close` the filter may be used again for a new
 * member. A failure (the device refused bytes, a worker failed) sticks until
 * the close that ends the stream, as the file comment says; a member cut
 * short by it is never completed, and no input is compressed twice.
 *
 * Memory: one thread: the ISA-L stream (about 80 KiB), the level buffer (up
 * to about 340 KiB at level 3) and one buffer of `buffer_size` bytes. Several
 * threads: that stream and level buffer per thread, plus up to `2 * threads + 1`
 * blocks of about 0.6 MiB (input, history, compressed output).
 */
class igzip_compressor : public detail::isal_compressor {
public:
  /** Input bytes per block with more than one thread (256 KiB). */
  static constexpr std::size_t block_size = detail::igzip_deflate_engine::block_size;

  /**
   * Makes a compressor at an ISA-L compression level, on `threads` threads.
   *
   * Levels are ISA-L's, not zlib's: 0 (fastest, static Huffman tables), 1
   * (the default: dynamic tables, about zlib level 1's ratio, several times
   * its speed: see the README's Performance section), 2 and 3 (slower,
   * smaller).
   *
   * @param level ISA-L level, 0 to 3.
   * @param threads 1 (the default): compress on the caller's thread; more:
   *        on that many threads, pigz's way (the caller's and `threads - 1`
   *        workers: see the class comment); 0:
   *        `std::thread::hardware_concurrency()` (1 where unknown, at most
   *        `max_threads`).
   * @throws std::ios_base::failure with `errc::invalid_argument` if `level` is
   *         outside 0..3 or `threads > max_threads` (checked before anything
   *         is allocated); `std::bad_alloc`.
   */
  explicit igzip_compressor(int level = 1, unsigned threads = 1)
      : igzip_compressor(level, threads, default_buffer_size) {}

  /**
   * Makes a compressor with an internal buffer of `buffer_size` bytes.
   *
   * (Before threads existed this constructor was `(level, buffer_size)`:
   * the second argument is now the thread count, and a count above
   * `max_threads` is refused rather than taken.)
   *
   * @param level ISA-L level, 0 to 3.
   * @param threads as for the other constructor.
   * @param buffer_size bytes of compressed output (output use) or input (input
   *        use) buffered between calls to the engine; must be positive.
   * @throws std::ios_base::failure with `errc::invalid_argument` if `level` is
   *         outside 0..3, `threads > max_threads` or `buffer_size <= 0`;
   *         `std::bad_alloc`. Nothing stays allocated on failure.
   */
  igzip_compressor(int level, unsigned threads, std::streamsize buffer_size)
      : isal_compressor(detail::igzip_deflate_engine(level, threads), level, buffer_size,
                        "igzip_compressor") {}

  /**
   * The restart points of the last member this filter finished, for free:
   * with `threads >= 2` every block ends byte-aligned and the next one
   * starts from the 32 KiB before it, so its start is a point. They are
   * at least `gzip_index::default_spacing` (1 MiB) of output apart, at
   * block starts (multiples of `block_size`), with the member's start and
   * its end: a complete index, as `gunzip_buf` builds while reading, that
   * a `gunzip_buf` over the member takes as it is (no indexing pass), and
   * that `save` writes for `indexed_gzip`. Copies of the filter share it.
   * Empty (no points) before the first member is finished, and always
   * with one thread: ISA-L then ends its blocks where it chooses, unseen.
   */
  gzip_index index() const { return last_index(); }
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
 *   damage depends on how much input it was given at a time). ISA-L reads a
 *   Huffman code that is incomplete (zlib refuses it; RFC 1951 does not
 *   say): damage that makes one decodes to wrong bytes until a symbol
 *   without a code or the trailer's CRC-32 stops it, like damage no decoder
 *   can see;
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
 * downstream: a prefix of what zlib decodes from the input before it meets
 * the damage, never a byte twice. (ISA-L's inflate may write bytes decoded
 * from past the damage in the call that reports it; that call's output is
 * dropped, so the prefix may stop up to one buffer short of zlib's.)
 *
 * Against decompression bombs, bound the destination: a `bytes_buf` with
 * `set_size_limit` stops the chain at the limit.
 *
 * Copies share one state; after `close` the filter starts over. Optimally
 * buffered: a plain `push` gives it 64 KiB.
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

#endif // BYTESIO_IGZIP_HPP
