// SPDX-License-Identifier: BSL-1.0
// The gzip member framing shared by igzip_decompressor and gunzip_buf.

#include "gzip_member.hpp"

#include "bytesio/error.hpp"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstring>

namespace bytesio::detail {
namespace {

std::string hex(std::uint32_t v, int digits) {
  static constexpr char xdigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int i = digits - 1; i >= 0; --i)
    s += xdigits[(v >> (4 * i)) & 0xF];
  return s;
}

// RFC 1952 FLG bits.
constexpr std::uint8_t flag_fhcrc = 0x02;
constexpr std::uint8_t flag_fextra = 0x04;
constexpr std::uint8_t flag_fname = 0x08;
constexpr std::uint8_t flag_fcomment = 0x10;
constexpr std::uint8_t flag_reserved = 0xE0;

} // namespace

std::string at_offset(std::uint64_t offset) { return " at offset " + std::to_string(offset); }

std::uint32_t load_le32(const std::uint8_t *p) noexcept {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

void gzip_member::fail(const std::string &what) const {
  throw_error(errc::invalid_gzip, std::string(who) + ": " + what);
}

std::string gzip_member::member_name() const {
  if (!ordinal_known)
    return "the member holding offset " + std::to_string(data_start);
  return "member " + std::to_string(members + 1) + " (starting" + at_offset(member_start) + ")";
}

void gzip_member::fail_truncated(const char *inside) const {
  fail("truncated input: it ends" + at_offset(pos) + " inside the " + inside + " of " +
       member_name());
}

void gzip_member::fail_deflate(int isal_error) const {
  const char *cause = "invalid deflate data";
  switch (isal_error) {
  case ISAL_INVALID_BLOCK:
    cause = "invalid deflate block";
    break;
  case ISAL_INVALID_SYMBOL:
    cause = "invalid deflate symbol";
    break;
  case ISAL_INVALID_LOOKBACK:
    cause = "deflate distance reaching before the start of the data";
    break;
  default:
    break;
  }
  // Where ISA-L stops in bad deflate data depends on how much input each
  // call had (its fast path reads 8 bytes further before it notices), so a
  // precise offset would differ between chunkings. The offset where the
  // member's deflate data starts does not.
  fail(std::string(cause) + " in the deflate data starting" + at_offset(data_start) + " of " +
       member_name());
}

gzip_member::field gzip_member::next_field(field after) const noexcept {
  switch (after) {
  case field::fixed:
    if (flags & flag_fextra)
      return field::xlen;
    [[fallthrough]];
  case field::xlen:
  case field::extra:
    if (flags & flag_fname)
      return field::name;
    [[fallthrough]];
  case field::name:
    if (flags & flag_fcomment)
      return field::comment;
    [[fallthrough]];
  case field::comment:
    if (flags & flag_fhcrc)
      return field::hcrc;
    [[fallthrough]];
  default:
    return field::done;
  }
}

void gzip_member::check_fixed_byte(unsigned i, std::uint8_t b) const {
  const std::uint64_t off = pos;
  if ((i == 0 && b != 0x1F) || (i == 1 && b != 0x8B)) {
    if (members != 0)
      fail("trailing garbage after the last member: byte " + hex(b, 2) + at_offset(off) +
           " does not start another gzip member");
    fail("not gzip: bad magic byte " + hex(b, 2) + at_offset(off) + " (expected " +
         (i == 0 ? "0x1f" : "0x8b") + ")");
  }
  if (i == 2 && b != 8)
    fail("unsupported compression method " + std::to_string(b) + at_offset(off) + " in " +
         member_name() + " (only 8, deflate, exists)");
  if (i == 3 && (b & flag_reserved) != 0)
    fail("reserved flag bits set in FLG " + hex(b, 2) + at_offset(off) + " in " + member_name());
}

void gzip_member::start_member() noexcept {
  where = phase::header;
  step = field::fixed;
  count = 0;
  flags = 0;
  header_crc = 0;
  member_start = pos;
  member_out = 0;
  sums_known = true;
}

bool gzip_member::parse_header(const std::uint8_t *&p, const std::uint8_t *end) {
  while (step != field::done) {
    if (p == end)
      return false;
    const std::uint8_t *const start = p;
    const field current = step;
    switch (current) {
    case field::fixed:
      check_fixed_byte(count, *p);
      fixed[count++] = *p++;
      if (count == sizeof fixed) {
        flags = fixed[3];
        count = 0;
        step = next_field(field::fixed);
      }
      break;
    case field::xlen:
      small[count++] = *p++;
      if (count == 2) {
        count = 0;
        extra_left = std::uint32_t{small[0]} | std::uint32_t{small[1]} << 8;
        step = extra_left != 0 ? field::extra : next_field(field::extra);
      }
      break;
    case field::extra: {
      const auto n = static_cast<std::uint32_t>(
          std::min<std::ptrdiff_t>(end - p, static_cast<std::ptrdiff_t>(extra_left)));
      p += n;
      extra_left -= n;
      if (extra_left == 0)
        step = next_field(field::extra);
      break;
    }
    case field::name:
    case field::comment: {
      const void *nul = std::memchr(p, 0, static_cast<std::size_t>(end - p));
      if (nul == nullptr) {
        p = end;
      } else {
        p = static_cast<const std::uint8_t *>(nul) + 1;
        step = next_field(current);
      }
      break;
    }
    case field::hcrc:
      small[count++] = *p++;
      if (count == 2) {
        count = 0;
        const std::uint32_t stored = std::uint32_t{small[0]} | std::uint32_t{small[1]} << 8;
        if (stored != (header_crc & 0xFFFF))
          fail("header CRC mismatch" + at_offset(pos - 1) + " in " + member_name() + ": stored " +
               hex(stored, 4) + ", header has " + hex(header_crc & 0xFFFF, 4));
        step = field::done;
      }
      break;
    case field::done:
      break;
    }
    // FHCRC covers every header byte before the CRC field itself.
    if (current != field::hcrc)
      header_crc = crc32_gzip_refl(header_crc, start, static_cast<std::uint64_t>(p - start));
    pos += static_cast<std::uint64_t>(p - start);
  }
  data_start = pos;
  where = phase::body;
  return true;
}

void gzip_member::start_trailer(const std::uint8_t *first, unsigned have) noexcept {
  if (have != 0)
    std::memcpy(trailer, first, have);
  count = have;
  trailer_start = pos - have;
  where = phase::trailer;
}

bool gzip_member::parse_trailer(const std::uint8_t *&p, const std::uint8_t *end,
                                std::uint32_t crc) {
  const auto n = static_cast<unsigned>(std::min<std::ptrdiff_t>(end - p, 8 - count));
  std::memcpy(trailer + count, p, n);
  p += n;
  pos += n;
  count += n;
  if (count < 8)
    return false;
  count = 0;
  if (sums_known) {
    const std::uint32_t stored_crc = load_le32(trailer);
    const std::uint32_t stored_size = load_le32(trailer + 4);
    if (stored_crc != crc)
      fail("CRC-32 mismatch in the trailer" + at_offset(trailer_start) + " of " + member_name() +
           ": stored " + hex(stored_crc, 8) + ", data has " + hex(crc, 8));
    const auto size = static_cast<std::uint32_t>(member_out);
    if (stored_size != size)
      fail("ISIZE mismatch in the trailer" + at_offset(trailer_start + 4) + " of " + member_name() +
           ": stored " + std::to_string(stored_size) + ", data has " + std::to_string(size) +
           " (mod 2^32)");
  }
  ++members;
  where = phase::boundary;
  return true;
}

} // namespace bytesio::detail
