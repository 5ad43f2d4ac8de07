// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_SRC_DETAIL_GZIP_MEMBER_HPP
#define BYTESIO_SRC_DETAIL_GZIP_MEMBER_HPP

// The bytes around each gzip member's deflate data (RFC 1952): the header,
// the trailer and the boundaries between members, parsed and checked the one
// way igzip_decompressor and gunzip_buf share, so that both give the same
// errors at the same offsets. Internal to the bytesio_igzip library.

#include <cstddef>
#include <cstdint>
#include <string>

namespace bytesio::detail {

/** `" at offset N"`, the tail of every message. */
std::string at_offset(std::uint64_t offset);

/** Reads 4 bytes little-endian. */
std::uint32_t load_le32(const std::uint8_t *p) noexcept;

/**
 * Where the input stands between, before and inside members, and everything
 * known about the member in progress.
 *
 *   member_start                      trailer_start
 *   |                                 |
 *   1f 8b 08 FLG MTIME XFL OS [extra] [name] [comment] [hcrc] deflate... CRC32 ISIZE
 *   '---------------- phase::header ------------------------' '-body--' '-trailer-'
 *
 * Between members (and before the first) the phase is `boundary`: the end of
 * input is legal only there, and only after at least one member. The body
 * (the deflate data) is the caller's: it moves `pos`, `member_out` and the
 * phase itself.
 */
struct gzip_member {
  enum class phase : std::uint8_t { boundary, header, body, trailer };
  enum class field : std::uint8_t { fixed, xlen, extra, name, comment, hcrc, done };

  /** The component named at the start of every message ("igzip_decompressor"). */
  const char *who;
  phase where = phase::boundary;
  field step = field::fixed;
  std::uint8_t flags = 0;
  std::uint8_t fixed[10] = {};
  std::uint8_t small[2] = {};
  std::uint8_t trailer[8] = {};
  unsigned count = 0; // bytes of `fixed`, `small` or `trailer` filled
  std::uint32_t extra_left = 0;
  std::uint32_t header_crc = 0;
  std::uint64_t pos = 0;          // offset of the next input byte
  std::uint64_t member_start = 0; // offset of the current member's magic
  std::uint64_t data_start = 0;   // offset of the current member's deflate data
  std::uint64_t trailer_start = 0;
  std::uint64_t member_out = 0; // bytes the current member has produced
  std::uint64_t members = 0;    // members completed, trailer checked
  // False after a restart inside a member at an index point that holds no
  // running CRC (one loaded from a file): that member's trailer cannot be
  // checked, only read.
  bool sums_known = true;
  // False after a restart at such a point: the member's number and header
  // offset are not known, and messages name the member by `data_start`.
  bool ordinal_known = true;

  explicit gzip_member(const char *component) noexcept : who(component) {}

  /** Back to before the first member, at offset 0. */
  void reset() noexcept { *this = gzip_member(who); }

  /** @throws std::ios_base::failure with `errc::invalid_gzip`: "<who>: <what>". */
  [[noreturn]] void fail(const std::string &what) const;

  /** "member N (starting at offset X)", or "the member holding offset D" when not `ordinal_known`.
   */
  std::string member_name() const;

  /** The input ends inside the `inside` ("header", "deflate data", "trailer") of this member. */
  [[noreturn]] void fail_truncated(const char *inside) const;

  /**
   * ISA-L's inflate failed (`isal_error`) in the deflate data starting at
   * `data_start`. Call it before handing on any output of the failing call:
   * ISA-L's fast loop runs ahead of its checks, so that call may have written
   * bytes decoded from past the damage (measured: up to 927 in 25,200
   * randomly damaged streams and output rooms; every time a distance reached
   * before the data and the call had room to spare). Every call that
   * succeeded wrote only bytes zlib also gives (but past an incomplete
   * Huffman code, which ISA-L reads and zlib refuses), so dropping the
   * failing call's output keeps every byte handed on right, at the cost of
   * the right ones among them.
   */
  [[noreturn]] void fail_deflate(int isal_error) const;

  /** Enters the header of a member starting at `pos`. */
  void start_member() noexcept;

  /**
   * Consumes header bytes from `[p, end)`, advancing `p` and `pos`; true once
   * the header is complete (then `data_start` is set and the phase is
   * `body`). Works a field (or, in the fixed part, a byte) at a time so that
   * every error names the offset of the byte at fault.
   * @throws std::ios_base::failure with `errc::invalid_gzip`.
   */
  bool parse_header(const std::uint8_t *&p, const std::uint8_t *end);

  /** Enters the trailer at `pos`, with its first `have` bytes (`have <= 8`) taken from `first`. */
  void start_trailer(const std::uint8_t *first, unsigned have) noexcept;

  /**
   * Consumes trailer bytes from `[p, end)`; true once all 8 are there and
   * match `crc` (the CRC-32 of the member's output) and `member_out` (when
   * `sums_known`); then the member is counted and the phase is `boundary`.
   * @throws std::ios_base::failure with `errc::invalid_gzip` on a mismatch.
   */
  bool parse_trailer(const std::uint8_t *&p, const std::uint8_t *end, std::uint32_t crc);

private:
  field next_field(field after) const noexcept;
  void check_fixed_byte(unsigned i, std::uint8_t b) const;
};

} // namespace bytesio::detail

#endif // BYTESIO_SRC_DETAIL_GZIP_MEMBER_HPP
