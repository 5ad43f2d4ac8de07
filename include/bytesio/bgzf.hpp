// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BGZF_HPP
#define BYTESIO_BGZF_HPP

/**
 * @file
 * `bgzf_compressor`: a Boost.Iostreams filter writing BGZF, the blocked
 * gzip of the SAM/BAM specification that htslib, `bgzip`, `samtools` and
 * `tabix` read with random access, on ISA-L and on as many threads as asked.
 *
 * Link `bytesio::igzip` (CMake) or `/bytesio//bytesio_igzip` (b2), as for
 * `igzip.hpp`, whose filter conventions (sticky failures, copies sharing one
 * state, the close that ends a stream) hold here too. Read BGZF back with
 * random access through `gunzip_buf` (gunzip_buf.hpp), or as plain gzip with
 * `igzip_decompressor`.
 */

#include "bytesio/igzip.hpp"

#include <cstddef>

namespace bytesio {

/**
 * Boost.Iostreams filter that compresses to BGZF with ISA-L.
 *
 * A multichar, closable, dual-use filter, like `igzip_compressor`. Each use,
 * from the first byte to `close`, writes one BGZF file: the input cut into
 * blocks of 65,280 bytes (htslib's `BGZF_BLOCK_SIZE`, the last one shorter),
 * each a gzip member of its own with the `BC` extra subfield giving its
 * compressed size, at most 64 KiB (a block that does not compress is
 * stored, as htslib stores it), then the 28-byte empty EOF block htslib
 * checks for. Every gzip reader reads it as multi-member gzip (`gzip -d`,
 * zlib, `igzip_decompressor`); htslib (`bgzip -d`, `bgzip -b/-s` with the
 * `.gzi` below) and `gunzip_buf` read it with random access. Empty input
 * gives the EOF block alone, as `bgzip` does.
 *
 * Blocks are independent, so they are compressed on `threads` threads at
 * no cost in size: the output is **identical for any chunking of the input,
 * either direction and any thread count**, in every process (ISA-L alone
 * is not: see `isal_first_call` in src/detail/parallel_deflate.hpp). With
 * one thread (the default) the blocks are compressed on the caller's
 * thread; with more, `threads - 1` workers start with the second block and
 * the caller's thread compresses a queued block rather than wait, at most
 * `8 * threads` blocks are in flight (512 KiB of input per thread, as
 * `igzip_compressor`'s two 256 KiB blocks),
 * and the threads are joined by the close that ends the stream and, at the
 * latest, when the last copy is destroyed (as `igzip_compressor`'s).
 *
 * `index()` gives the block starts of the last output finished, the index
 * `gunzip_buf` would find by walking the blocks: `save_gzi` writes it as the
 * `.gzi` that `bgzip -r` builds, and a `gunzip_buf` takes it as it is.
 *
 * Memory: about 0.2 MiB per block in flight (input, output) and an ISA-L
 * stream and level buffer per thread.
 */
class bgzf_compressor : public detail::isal_compressor {
public:
  /** Input bytes per block: 65,280, as htslib cuts them. */
  static constexpr std::size_t block_size = 0xFF00;

  /**
   * Makes a compressor at an ISA-L level (0 to 3, see `igzip_compressor`),
   * on `threads` threads (1: the caller's; 0: one per hardware thread).
   * @throws std::ios_base::failure with `errc::invalid_argument` if `level`
   *         is outside 0..3 or `threads > max_threads`; `std::bad_alloc`.
   */
  explicit bgzf_compressor(int level = 1, unsigned threads = 1)
      : bgzf_compressor(level, threads, default_buffer_size) {}

  /**
   * Makes a compressor with an internal buffer of `buffer_size` bytes.
   * @throws as the other constructor, and `errc::invalid_argument` if
   *         `buffer_size <= 0`.
   */
  bgzf_compressor(int level, unsigned threads, std::streamsize buffer_size)
      : isal_compressor(
            detail::igzip_deflate_engine(detail::igzip_deflate_engine::bgzf_t{}, level, threads),
            level, buffer_size, "bgzf_compressor") {}

  /**
   * The block starts of the last output this filter finished (empty before
   * the first), with the end of the output: a complete index. Copies of
   * the filter share it.
   */
  gzip_index index() const { return last_index(); }
};

BOOST_IOSTREAMS_PIPABLE(bgzf_compressor, 0)

} // namespace bytesio

#endif // BYTESIO_BGZF_HPP
