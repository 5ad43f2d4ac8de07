// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_GZIP_INDEX_HPP
#define BYTESIO_DETAIL_GZIP_INDEX_HPP

#include "bytesio/detail/export.hpp"

// bytesio::gzip_index, the restart points of a gzip input: public, documented
// with gunzip_buf.hpp (where users include it from); a header of its own so
// that the compressors that make an index (igzip.hpp, bgzf.hpp) need not
// include the file core. Standard library only.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <vector>

namespace bytesio {
namespace detail {
class gunzip_decoder;   // src/gunzip.cpp
class parallel_deflate; // src/detail/parallel_deflate.hpp
} // namespace detail

/**
 * The restart points of one gzip input: where `gunzip_buf` can start
 * decoding without decoding what comes before.
 *
 * A point holds the uncompressed offset, the compressed offset and bit
 * where a deflate block starts, and the 32 KiB of output before it (none
 * where a member starts: there the point is the member's deflate data).
 * There is a point at the start of every member and then one every
 * `spacing()` bytes of output, at the first block boundary from there.
 *
 * Saved and loaded in the GZIDX format (version 1) of Python's
 * `indexed_gzip`, so an index built here is imported there and the other
 * way round (the files are byte-identical to its exports); for BGZF input
 * also as htslib's `.gzi` (`save_gzi`, `load_gzi`).
 *
 * A point built here also holds the member's running CRC-32, so a read
 * that restarts there still checks the member's trailer. GZIDX has no room
 * for it: after `load`, a read that restarts inside a member checks that
 * member's deflate data and framing but not its CRC-32 and ISIZE (every
 * other member, and every read from the start, are checked in full).
 *
 * Copyable, movable; a value (copies are independent).
 */
class BYTESIO_API gzip_index {
public:
  /** The default spacing: a point every 1 MiB of output. */
  static constexpr std::uint64_t default_spacing = std::uint64_t{1} << 20;
  /** The window before each point (deflate's history): 32 KiB. */
  static constexpr std::size_t window_size = std::size_t{32} << 10;

  /** No points, the default spacing, not complete. */
  gzip_index() = default;

  /** The number of points. */
  std::size_t size() const noexcept { return points_.size(); }

  /** The output between points. */
  std::uint64_t spacing() const noexcept { return spacing_; }

  /** Whether the whole input has been indexed (then `uncompressed_size()` is known). */
  bool complete() const noexcept { return complete_; }

  /** The length of the decompressed data; 0 until `complete()`. */
  std::uint64_t uncompressed_size() const noexcept { return complete_ ? uncompressed_size_ : 0; }

  /** The length of the gzip input this index belongs to (0 for an empty index). */
  std::uint64_t compressed_size() const noexcept { return compressed_size_; }

  /** The bytes this index holds (the points and their windows). */
  std::size_t memory() const noexcept;

  /**
   * Writes the index in the GZIDX format, version 1 (little-endian, as
   * `indexed_gzip` writes it on x86): the header, the points (compressed
   * offset rounded up to a byte, the unused bits of the byte before, the
   * uncompressed offset, whether a window follows), the 32 KiB windows; a
   * complete index ends with the point at the end of the input, as
   * `indexed_gzip`'s does.
   * @throws std::ios_base::failure (`std::io_errc::stream`) if the stream fails.
   */
  void save(std::ostream &out) const;

  /**
   * Reads an index written by `save` or by `indexed_gzip` (GZIDX version 0
   * or 1).
   * @throws std::ios_base::failure with `errc::invalid_argument` for a
   *   malformed index (bad magic, unknown version, a window size other than
   *   32 KiB, a spacing below it, points out of order or past the sizes,
   *   a bit count above 7, a truncated file); `std::bad_alloc`.
   */
  static gzip_index load(std::istream &in);

  /**
   * Writes the index of a BGZF input as htslib's `.gzi`, what `bgzip -r`
   * writes: the number of blocks after the first, then each one's compressed
   * and uncompressed offset (little-endian 64-bit). `bgzip -b/-s` reads it.
   * @throws std::ios_base::failure with `errc::invalid_argument` if this is
   *   not the index of a BGZF input (its points are not all block starts),
   *   `std::io_errc::stream` if the stream fails.
   */
  void save_gzi(std::ostream &out) const;

  /**
   * Reads a `.gzi` (from `bgzip -i`/`-r`, or `save_gzi`): points at block
   * starts, without windows or sizes, so `complete()` is false. Given to a
   * `gunzip_buf` over BGZF input, each point must be a block start there.
   * @throws std::ios_base::failure with `errc::invalid_argument` for a
   *   malformed file (truncated, offsets out of order); `std::bad_alloc`.
   */
  static gzip_index load_gzi(std::istream &in);

  /** Equal when every point, window, size and the spacing are. */
  friend bool operator==(const gzip_index &, const gzip_index &) = default;

private:
  friend class detail::gunzip_decoder;
  friend class detail::parallel_deflate; // the index the compressors make as they write

  /** Where decoding can restart. */
  struct point {
    std::uint64_t out = 0;          // uncompressed offset
    std::uint64_t bit = 0;          // compressed offset in bits where the block starts
    std::uint64_t member_start = 0; // the member's header offset (unknown: from GZIDX)
    std::uint64_t data_start = 0;   // its deflate data's offset (unknown: from a .gzi)
    std::uint64_t members = 0;      // members before this one
    std::uint64_t member_out = 0;   // bytes of this member before the point
    std::uint32_t crc = 0;          // CRC-32 of those bytes
    std::uint32_t window = npos;    // index of its window in windows_, npos: none
    bool sums_known = true;         // member_out and crc are known
    bool ordinal_known = true;      // members, member_start and data_start are known
    friend bool operator==(const point &, const point &) = default;
  };
  static constexpr std::uint32_t npos = static_cast<std::uint32_t>(-1);
  static constexpr std::uint64_t unknown = static_cast<std::uint64_t>(-1);

  const std::byte *window_of(const point &p) const noexcept { return windows_[p.window].data(); }

  std::vector<point> points_;
  // window_size bytes for each point with `window`, in order; one block
  // each, so that the index holds what it needs and no growth slack.
  std::vector<std::vector<std::byte>> windows_;
  std::uint64_t spacing_ = default_spacing;
  std::uint64_t compressed_size_ = 0;
  std::uint64_t uncompressed_size_ = 0;
  bool complete_ = false;
};

} // namespace bytesio

#endif // BYTESIO_DETAIL_GZIP_INDEX_HPP
