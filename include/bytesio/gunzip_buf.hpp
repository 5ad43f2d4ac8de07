// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_GUNZIP_BUF_HPP
#define BYTESIO_GUNZIP_BUF_HPP

#include "bytesio/detail/export.hpp"

/**
 * @file
 * Random access into gzip held in memory: `gunzip_buf` reads the
 * decompressed bytes of a `.gz` payload as a read-only file, with `seek`
 * and `tell`, in time bounded by an index's spacing instead of the file's
 * size (the technique of zlib's `examples/zran.c`: restart points with the
 * 32 KiB window of output before each). `gzip_index` holds the points; it
 * is saved and loaded in the GZIDX format of Python's `indexed_gzip`.
 *
 * Link `bytesio::igzip` (CMake) or `/bytesio//bytesio_igzip` (b2): the
 * decoder is ISA-L's inflate, which only that library sees. This header
 * needs the standard library only.
 *
 * How points are found. ISA-L's inflate, unlike zlib's (`Z_BLOCK`), never
 * stops at a deflate block boundary by itself. When a point is due (every
 * `spacing` bytes of output from the last one), the decoder stops its output
 * there and sets the `bfinal` bit of the block in progress in ISA-L's public
 * `inflate_state`: ISA-L then ends at that block's end as if it were the
 * last, and its bit buffer (`read_in`, `read_in_length`, which ISA-L 2.30 to
 * 2.32 leave untouched at the end) gives the exact bit where the next block
 * starts. The decoder records the point there (that bit, the output offset,
 * the 32 KiB before it, the member's running CRC-32) and goes on by
 * restarting from it exactly as a later seek will: a fresh raw inflate with
 * the window as its dictionary and the bits of the first byte primed into
 * the bit buffer. Every point is thus decoded from once while it is built.
 * This keeps ISA-L's speed for the whole pass, at the cost of one restart
 * per point: the indexing pass runs at 1.00-1.06x `igzip_decompressor`,
 * where zlib's `inflate(Z_BLOCK)`, which stops at every block by itself,
 * runs 2.2x slower (bench/gunzip_bench.cpp, AMD EPYC). The trick needs
 * ISA-L's bit buffer intact at the end of a block, as ISA-L 2.30 to 2.32
 * keep it; a point that came out wrong would not decode to the member's
 * CRC-32, so the pass that builds it would fail (`invalid_gzip`, at the
 * member's trailer at the latest).
 */

#include "bytesio/byte_vector.hpp"
#include "bytesio/detail/file_core.hpp"
#include "bytesio/detail/gzip_index.hpp"

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <istream>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace bytesio {

class mapped_file;
class gunzip_buf;

/** How a `gunzip_buf` indexes. */
struct gunzip_options {
  /**
   * Output between index points: a seek decodes at most this much to reach
   * its target; the index holds 32 KiB per point. At least 32 KiB and below
   * 4 GiB (GZIDX stores it in 32 bits). Ignored when an index is given (its
   * own spacing continues it).
   */
  std::uint64_t spacing = gzip_index::default_spacing;

  /**
   * Threads that decode ahead of a sequential reader, where the points
   * ahead are known (a complete index: given, from the compressor, built by
   * `build_index()` or a first read to the end, or BGZF's): 1 (the default)
   * decodes on the reader's thread only; more: that many worker threads; 0:
   * one per hardware thread. At most 256.
   */
  unsigned threads = 1;
};

/**
 * A read-only file whose contents are the **decompressed** bytes of gzip
 * data in memory the caller owns: one or more members, as
 * `igzip_decompressor` reads them (`std::streambuf` for `std::istream` code,
 * and the reading half of `bytes_buf`'s file-like API).
 *
 * @code
 * bytesio::gunzip_buf gz(payload);      // a std::span<const std::byte> of .gz data
 * gz.seek(700'000'000);                 // decodes forward once, indexing as it goes
 * auto record = gz.read(4096);
 * gz.seek(100'000'000);                 // restarts at the point before: <= 1 MiB decoded
 * std::ofstream idx("data.gzidx", std::ios::binary);
 * gz.index().save(idx);                 // Python's indexed_gzip imports it
 * @endcode
 *
 * The API is `span_buf`'s, with its semantics (detail/file_core.hpp):
 * `readinto`, `read`, `readline`, `readlines`, `seek` (every `whence`;
 * from the end it needs the uncompressed size, so it completes the index
 * first), `tell`, `size()` (the same), `close`, `closed`; plus `index()`,
 * the points known so far, and `build_index()`, which completes them in one
 * pass. No `view`: the contents are never in memory at once.
 *
 * Reading forward decodes from where the last read stopped and adds a
 * point every `spacing` bytes of output: at the first deflate block
 * boundary once `spacing` bytes have passed since the last point (as zlib's
 * zran.c and `indexed_gzip` place theirs), so points are at least `spacing`
 * apart and at most that plus one deflate block's output (measured: 64 MiB
 * from `igzip_compressor(1)`, 1 MiB spacing, 55 points, 1.16 MiB apart on
 * average). A seek to a position already indexed restarts at the nearest
 * point at or before it (at most that distance decoded to get there); a
 * seek past what is indexed decodes forward to it, indexing on the way. The bytes around the
 * position are kept, so reads and small seeks near it decode nothing.
 *
 * BGZF (htslib's blocked gzip: every member a block of at most 64 KiB
 * with a `BC` extra field holding its size, as `bgzip` writes it) is
 * recognised in the constructor and indexed by walking the block headers,
 * without decoding but the last 32 KiB (for the window GZIDX keeps at the
 * end): a point at every block start, so the index is complete from the
 * start and a seek decodes at most one block. `gzip_index::save_gzi`
 * writes what `bgzip -r` writes, and a `.gzi` from `bgzip` loads.
 *
 * Errors, strict as `igzip_decompressor`, with the same messages and
 * offsets (under the name `gunzip_buf`): a member read to its end has its
 * CRC-32 and ISIZE checked; a truncated or corrupt input, or trailing
 * garbage, is `errc::invalid_gzip` from the read that reaches it (through a
 * stream: `badbit`), and every byte returned before it was right: a prefix
 * of what zlib decodes before it meets the damage (but see
 * `igzip_decompressor` on incomplete Huffman codes). ISA-L may write bytes
 * decoded from past the damage in the call that reports it, so none of that
 * call's output is kept: reads may fail up to one decoding step (256 KiB)
 * plus what ISA-L decodes ahead into its own buffer (64 KiB) before the
 * damage. Input that does not start with a gzip header fails in the
 * constructor.
 * Closed: `errc::closed`; a bad seek: `errc::invalid_argument`.
 *
 * Threads (`gunzip_options::threads > 1`): once the index is complete, a
 * read that goes on where the last one stopped hands the output ahead of it
 * to worker threads, in stretches from one point to the first point 1 MiB
 * or more after it (a BGZF stretch is 16 or more blocks), up to
 * `2 * threads` stretches ahead, each decoded from its point as a seek
 * would. The bytes and the errors are the same as with one thread: each
 * stretch checks the trailers it passes, and a stretch that ends inside a
 * member checks the member's running CRC-32 and length against the point
 * it ends at (where the index knows them: not after a GZIDX `load`). A
 * read anywhere else (a seek) stops the workers (after the stretches they
 * hold) and decodes on the reader's thread until reads run on again. The
 * workers start with the first such read and end with the buffer.
 *
 * Memory: the index (32 KiB per point) and a 288 KiB decoding buffer (with
 * threads, also up to `2 * threads` stretches of about 1 MiB); a
 * gzip bomb read at random costs the index and the bytes read, never the
 * whole output. Lifetime: the gzip bytes must outlive the buffer and not
 * change; the constructors from `mapped_file&&` are deleted.
 * Thread safety: none for one object. Movable, not copyable.
 */
class BYTESIO_API gunzip_buf
    : public detail::file_core<gunzip_buf, byte_vector, /*Contiguous=*/false, /*Writable=*/false> {
  using core = detail::file_core<gunzip_buf, byte_vector, false, false>;
  friend detail::core_access;

public:
  /**
   * Reads the gzip data `gz`, from position 0, indexing as it reads.
   * @throws std::ios_base::failure with `errc::invalid_gzip` if `gz` does
   *   not start with a gzip member header (the message as
   *   `igzip_decompressor`'s), `errc::invalid_argument` for a spacing
   *   outside 32 KiB..4 GiB or more than 256 threads; `std::bad_alloc`.
   */
  explicit gunzip_buf(std::span<const std::byte> gz, gunzip_options options = {});

  /**
   * Reads `gz` with an index built before (by another `gunzip_buf`, or
   * loaded): seeks use its points at once.
   * @throws as above; and `errc::invalid_argument` if the index belongs to
   *   other data: its compressed size differs from `gz.size()`, or it is
   *   complete and decoding from its last point does not end at its
   *   uncompressed size (at most `spacing` bytes are decoded to check).
   */
  gunzip_buf(std::span<const std::byte> gz, gzip_index index, gunzip_options options = {});

  /** Deleted: the mapping would be gone before the first read. */
  explicit gunzip_buf(mapped_file &&, gunzip_options = {}) = delete;
  gunzip_buf(mapped_file &&, gzip_index, gunzip_options = {}) = delete;

  gunzip_buf(gunzip_buf &&other) noexcept;
  gunzip_buf &operator=(gunzip_buf &&other) noexcept;
  gunzip_buf(const gunzip_buf &) = delete;
  gunzip_buf &operator=(const gunzip_buf &) = delete;
  ~gunzip_buf() override;

  /** Exchanges the whole state with `other`. */
  void swap(gunzip_buf &other) noexcept;
  friend void swap(gunzip_buf &a, gunzip_buf &b) noexcept { a.swap(b); }

  /**
   * The length of the decompressed data: completes the index first (one
   * pass over what is not yet indexed). @throws closed, invalid_gzip
   */
  std::uint64_t size();

  /** Whether the decompressed data is empty (`size() == 0`). @throws as `size()` */
  bool empty() { return size() == 0; }

  /** The points known so far. @throws closed */
  const gzip_index &index() const;

  /**
   * Completes the index: decodes what is not yet indexed, to the end.
   * @return `index()`. @throws closed, invalid_gzip
   */
  const gzip_index &build_index();

private:
  // ---- storage operations for detail::file_core (detail::file_buffer) -----
  static constexpr detail::optional_hooks hooks{.discover_size = true};
  byte_vector result_of(const std::byte *p, std::size_t n) const {
    return byte_vector(std::span<const std::byte>(p, n));
  }
  void release() noexcept;
  detail::file_window read_window(std::uint64_t pos);
  void discover_size(std::uint64_t pos);

  void learned() noexcept; // the core's length := what the decoder knows

  std::unique_ptr<detail::gunzip_decoder> decoder_;
};

static_assert(detail::file_buffer<gunzip_buf>,
              "gunzip_buf supplies the file core's hooks, declaring its optional ones");

/**
 * A `std::istream` over a `gunzip_buf` that it owns: `std::getline`,
 * `seekg` and `tellg` over the decompressed bytes of gzip data in memory.
 * The same constructors as `gunzip_buf` (those from `mapped_file&&` are
 * deleted); `rdbuf()` returns `gunzip_buf*`, `buf()` gives the file-like
 * API. Not copyable; movable and swappable (the buffer moves with the
 * stream).
 */
class gunzip_stream : public std::istream {
public:
  /** See `gunzip_buf(gz, options)`. */
  explicit gunzip_stream(std::span<const std::byte> gz, gunzip_options options = {})
      : std::istream(nullptr), buf_(gz, options) {
    this->init(&buf_);
  }

  /** See `gunzip_buf(gz, index, options)`. */
  gunzip_stream(std::span<const std::byte> gz, gzip_index index, gunzip_options options = {})
      : std::istream(nullptr), buf_(gz, std::move(index), options) {
    this->init(&buf_);
  }

  explicit gunzip_stream(mapped_file &&, gunzip_options = {}) = delete;
  gunzip_stream(mapped_file &&, gzip_index, gunzip_options = {}) = delete;

  /** Takes `other`'s state and buffer. */
  gunzip_stream(gunzip_stream &&other)
      : std::istream(std::move(other)), buf_(std::move(other.buf_)) {
    this->set_rdbuf(&buf_);
  }

  /** Takes `other`'s state flags, format and buffer. */
  gunzip_stream &operator=(gunzip_stream &&other) {
    std::istream::operator=(std::move(other));
    buf_ = std::move(other.buf_);
    return *this;
  }

  gunzip_stream(const gunzip_stream &) = delete;
  gunzip_stream &operator=(const gunzip_stream &) = delete;

  /** Exchanges the stream states and the buffers. */
  void swap(gunzip_stream &other) {
    std::istream::swap(other);
    buf_.swap(other.buf_);
  }
  friend void swap(gunzip_stream &a, gunzip_stream &b) { a.swap(b); }

  /** The buffer (hides `std::ios::rdbuf()`). */
  gunzip_buf *rdbuf() const noexcept { return const_cast<gunzip_buf *>(&buf_); }

  /** The buffer, for the file-like API. */
  gunzip_buf &buf() noexcept { return buf_; }
  const gunzip_buf &buf() const noexcept { return buf_; }

private:
  gunzip_buf buf_;
};

} // namespace bytesio

#endif // BYTESIO_GUNZIP_BUF_HPP
