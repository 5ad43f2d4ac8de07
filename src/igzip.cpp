// The ISA-L side of bytesio::igzip_compressor / igzip_decompressor.
//
// Compression lets ISA-L write the whole member (IGZIP_GZIP: header, deflate,
// trailer). Decompression does not use ISA-L's gzip wrapper: ISA-L inflates
// raw deflate and computes the CRC-32 of what it writes (ISAL_GZIP_NO_HDR),
// and this file parses the header, the trailer and the member boundaries
// itself. That is what gives exact offsets in every message, the ISIZE check,
// the header CRC check, strict rejection of trailing bytes, and truncation
// detection that does not depend on how the input was chunked.

#include "bytesio/detail/igzip_engine.hpp"
#include "bytesio/error.hpp"

#include "detail/parallel_deflate.hpp"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ios>
#include <string>
#include <system_error>
#include <thread>

namespace bytesio::detail {
namespace {

// ISA-L counts bytes in uint32_t; longer spans are fed in pieces.
constexpr std::size_t max_step = std::size_t{1} << 30;

std::uint32_t clamp_step(std::ptrdiff_t n) {
  assert(n >= 0 && "igzip: negative span");
  return static_cast<std::uint32_t>(std::min(static_cast<std::size_t>(n), max_step));
}

std::string hex(std::uint32_t v, int digits) {
  static constexpr char xdigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int i = digits - 1; i >= 0; --i)
    s += xdigits[(v >> (4 * i)) & 0xF];
  return s;
}

std::string at(std::uint64_t offset) { return " at offset " + std::to_string(offset); }

[[noreturn]] void fail(const std::string &what) {
  throw_error(errc::invalid_gzip, "igzip_decompressor: " + what);
}

std::uint32_t load_le32(const std::uint8_t *p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

const char *isal_error_name(int ret) {
  switch (ret) {
  case ISAL_INVALID_BLOCK:
    return "invalid deflate block";
  case ISAL_INVALID_SYMBOL:
    return "invalid deflate symbol";
  case ISAL_INVALID_LOOKBACK:
    return "deflate distance reaching before the start of the data";
  default:
    return "invalid deflate data";
  }
}

// The chain buffers that measured fastest (bench/igzip_bench.cpp,
// gzip_buffer_* rows, 32 MiB of text): one ISA-L stream compresses 4-5%
// faster from 128 KiB calls than from 64 KiB ones (and twice as fast as
// from Boost's 128-byte default); the threads copy every call into their
// blocks, where 16-64 KiB measured best; inflate is flat from 64 KiB on.
constexpr std::size_t serial_optimal_buffer = 256 * 1024;
constexpr std::size_t parallel_optimal_buffer = 64 * 1024;
constexpr std::size_t inflate_optimal_buffer = 64 * 1024;

// RFC 1952 FLG bits.
constexpr std::uint8_t flag_fhcrc = 0x02;
constexpr std::uint8_t flag_fextra = 0x04;
constexpr std::uint8_t flag_fname = 0x08;
constexpr std::uint8_t flag_fcomment = 0x10;
constexpr std::uint8_t flag_reserved = 0xE0;

} // namespace

// --- compression ------------------------------------------------------------

struct igzip_deflate_engine::state {
  isal_zstream stream;
  std::uint32_t level = 0;
  std::uint32_t level_buf_size = 0;
  std::unique_ptr<std::uint8_t[]> level_buf;

  // A full init for every member: isal_deflate_reset() keeps the "gzip
  // header written" flag, so a reused stream would start without a header.
  void start() noexcept {
    isal_deflate_init(&stream);
    stream.level = level;
    stream.level_buf = level_buf.get();
    stream.level_buf_size = level_buf_size;
    stream.gzip_flag = IGZIP_GZIP;
    stream.flush = NO_FLUSH;
  }
};

igzip_deflate_engine::igzip_deflate_engine(int level, unsigned threads, std::size_t blocks) {
  if (level < ISAL_DEF_MIN_LEVEL || level > ISAL_DEF_MAX_LEVEL)
    throw_error(errc::invalid_argument,
                "igzip_compressor: level " + std::to_string(level) + " is outside ISA-L's 0..3");
  if (threads > max_threads)
    throw_error(errc::invalid_argument, "igzip_compressor: " + std::to_string(threads) +
                                            " threads is more than " + std::to_string(max_threads));
  if (blocks < min_block_size || blocks > max_step)
    throw_error(errc::invalid_argument, "igzip_compressor: block size " + std::to_string(blocks) +
                                            " is outside 32 KiB..1 GiB");
  if (threads == 0)
    threads = std::clamp(std::thread::hardware_concurrency(), 1u, max_threads);
  threads_ = threads;
  if (threads > 1) {
    parallel_ = std::make_unique<parallel_deflate>(level, threads, blocks);
    return;
  }
  auto s = std::make_unique<state>();
  s->level = static_cast<std::uint32_t>(level);
  s->level_buf_size = level_buffer_size(level);
  if (s->level_buf_size != 0)
    s->level_buf = std::make_unique_for_overwrite<std::uint8_t[]>(s->level_buf_size);
  s->start();
  state_ = std::move(s);
}

igzip_deflate_engine::~igzip_deflate_engine() = default;
igzip_deflate_engine::igzip_deflate_engine(igzip_deflate_engine &&) noexcept = default;

bool igzip_deflate_engine::filter(const char *&src_begin, const char *src_end, char *&dest_begin,
                                  char *dest_end, bool flush) {
  if (parallel_)
    return parallel_->filter(src_begin, src_end, dest_begin, dest_end, flush);
  isal_zstream &z = state_->stream;
  for (;;) {
    if (z.internal_state.state == ZSTATE_END)
      return false;
    const std::ptrdiff_t in_left = src_end - src_begin;
    const std::uint32_t in_n = clamp_step(in_left);
    const std::uint32_t out_n = clamp_step(dest_end - dest_begin);
    if (out_n == 0)
      return true;
    // ISA-L never writes through next_in; the cast only meets its C signature.
    z.next_in = reinterpret_cast<std::uint8_t *>(const_cast<char *>(src_begin));
    z.avail_in = in_n;
    z.next_out = reinterpret_cast<std::uint8_t *>(dest_begin);
    z.avail_out = out_n;
    z.end_of_stream = flush && in_n == static_cast<std::size_t>(in_left) ? 1 : 0;
    const int ret = isal_deflate(&z);
    src_begin += in_n - z.avail_in;
    dest_begin += out_n - z.avail_out;
    // Every ISA-L deflate error (INVALID_FLUSH, INVALID_PARAM, ISAL_INVALID_LEVEL,
    // ...) means a bug here or in ISA-L, never bad user input: a stream error,
    // not invalid_argument.
    if (ret != COMP_OK)
      throw std::ios_base::failure("igzip_compressor: ISA-L deflate failed with code " +
                                       std::to_string(ret),
                                   std::io_errc::stream);
    if (dest_begin == dest_end)
      return !flush || z.internal_state.state != ZSTATE_END;
    if (!flush && src_begin == src_end)
      return true;
  }
}

void igzip_deflate_engine::close() noexcept {
  if (parallel_)
    parallel_->close();
  else
    state_->start();
}

std::size_t igzip_deflate_engine::optimal_buffer_size() const noexcept {
  return parallel_ ? parallel_optimal_buffer : serial_optimal_buffer;
}

// --- decompression ----------------------------------------------------------

/*
 * One member, as the input walks through it:
 *
 *   member_start                      trailer_start
 *   |                                 |
 *   1f 8b 08 FLG MTIME XFL OS [extra] [name] [comment] [hcrc] deflate... CRC32 ISIZE
 *   '---------------- phase::header ------------------------' '-body--' '-trailer-'
 *
 * Between members (and before the first) the phase is `boundary`: the end of
 * input is legal only there, and only after at least one member.
 */
struct igzip_inflate_engine::state {
  enum class phase : std::uint8_t { boundary, header, body, trailer };
  enum class field : std::uint8_t { fixed, xlen, extra, name, comment, hcrc, done };

  inflate_state inflate;
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
  std::uint64_t member_out = 0;
  std::uint64_t members = 0; // members completed, trailer checked

  void reset_inflate() noexcept {
    isal_inflate_reset(&inflate);
    inflate.crc_flag = ISAL_GZIP_NO_HDR;
    inflate.hist_bits = 0;
  }

  std::string member_name() const {
    return "member " + std::to_string(members + 1) + " (starting" + at(member_start) + ")";
  }

  [[noreturn]] void fail_truncated(const char *inside) const {
    fail("truncated input: it ends" + at(pos) + " inside the " + inside + " of " + member_name());
  }

  field next_field(field after) const {
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

  void check_fixed_byte(unsigned i, std::uint8_t b) const {
    const std::uint64_t off = pos;
    if ((i == 0 && b != 0x1F) || (i == 1 && b != 0x8B)) {
      if (members != 0)
        fail("trailing garbage after the last member: byte " + hex(b, 2) + at(off) +
             " does not start another gzip member");
      fail("not gzip: bad magic byte " + hex(b, 2) + at(off) + " (expected " +
           (i == 0 ? "0x1f" : "0x8b") + ")");
    }
    if (i == 2 && b != 8)
      fail("unsupported compression method " + std::to_string(b) + at(off) + " in " +
           member_name() + " (only 8, deflate, exists)");
    if (i == 3 && (b & flag_reserved) != 0)
      fail("reserved flag bits set in FLG " + hex(b, 2) + at(off) + " in " + member_name());
  }

  // Consumes header bytes from [p, end); true once the header is complete.
  // Works a field (or, in the fixed part, a byte) at a time so that every
  // error names the offset of the byte at fault.
  bool parse_header(const std::uint8_t *&p, const std::uint8_t *end) {
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
            fail("header CRC mismatch" + at(pos - 1) + " in " + member_name() + ": stored " +
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
    return true;
  }

  void start_member() noexcept {
    where = phase::header;
    step = field::fixed;
    count = 0;
    flags = 0;
    header_crc = 0;
    member_start = pos;
    member_out = 0;
  }

  void check_trailer() const {
    const std::uint32_t stored_crc = load_le32(trailer);
    const std::uint32_t stored_size = load_le32(trailer + 4);
    if (stored_crc != inflate.crc)
      fail("CRC-32 mismatch in the trailer" + at(trailer_start) + " of " + member_name() +
           ": stored " + hex(stored_crc, 8) + ", data has " + hex(inflate.crc, 8));
    const auto size = static_cast<std::uint32_t>(member_out);
    if (stored_size != size)
      fail("ISIZE mismatch in the trailer" + at(trailer_start + 4) + " of " + member_name() +
           ": stored " + std::to_string(stored_size) + ", data has " + std::to_string(size) +
           " (mod 2^32)");
  }
};

igzip_inflate_engine::igzip_inflate_engine() : state_(std::make_unique<state>()) {
  isal_inflate_init(&state_->inflate);
  state_->reset_inflate();
}

igzip_inflate_engine::~igzip_inflate_engine() = default;
igzip_inflate_engine::igzip_inflate_engine(igzip_inflate_engine &&) noexcept = default;

bool igzip_inflate_engine::filter(const char *&src_begin, const char *src_end, char *&dest_begin,
                                  char *dest_end, bool flush) {
  state &s = *state_;
  const auto *p = reinterpret_cast<const std::uint8_t *>(src_begin);
  const auto *const end = reinterpret_cast<const std::uint8_t *>(src_end);
  auto *out = reinterpret_cast<std::uint8_t *>(dest_begin);
  auto *const out_end = reinterpret_cast<std::uint8_t *>(dest_end);
  // Publish progress however this call leaves (return or throw).
  struct publish {
    const std::uint8_t *&p;
    std::uint8_t *&out;
    const char *&src;
    char *&dest;
    ~publish() {
      src = reinterpret_cast<const char *>(p);
      dest = reinterpret_cast<char *>(out);
    }
  } publish_on_exit{p, out, src_begin, dest_begin};

  for (;;) {
    switch (s.where) {
    case state::phase::boundary:
      if (p == end) {
        if (!flush)
          return true;
        if (s.members == 0)
          fail("truncated input: it ends" + at(s.pos) + " before the first member" +
               (s.pos == 0 ? " (the input is empty)" : ""));
        return false;
      }
      s.start_member();
      break;

    case state::phase::header:
      if (!s.parse_header(p, end)) {
        if (flush)
          s.fail_truncated("header");
        return true;
      }
      s.reset_inflate();
      s.data_start = s.pos;
      s.where = state::phase::body;
      break;

    case state::phase::body: {
      if (out == out_end)
        return true;
      inflate_state &z = s.inflate;
      const std::uint32_t in_n = clamp_step(end - p);
      const std::uint32_t out_n = clamp_step(out_end - out);
      // ISA-L never writes through next_in; the cast only meets its C signature.
      z.next_in = const_cast<std::uint8_t *>(p);
      z.avail_in = in_n;
      z.next_out = out;
      z.avail_out = out_n;
      const int ret = isal_inflate(&z);
      const std::uint32_t consumed = in_n - z.avail_in;
      const std::uint32_t produced = out_n - z.avail_out;
      p += consumed;
      s.pos += consumed;
      out += produced;
      s.member_out += produced;
      if (ret < 0) {
        // Where ISA-L stops in bad deflate data depends on how much input
        // each call had (its fast path reads 8 bytes further before it
        // notices), so a precise offset would differ between chunkings. The
        // offset where the member's deflate data starts does not.
        fail(std::string(isal_error_name(ret)) + " in the deflate data starting" +
             at(s.data_start) + " of " + s.member_name());
      }
      if (z.block_state == ISAL_BLOCK_FINISH) {
        // ISA-L reads ahead into a 64-bit bit buffer: the whole bytes left in
        // it after the final block are the first bytes of the trailer (never
        // more than its 8), whatever call they arrived in.
        const int bits = z.read_in_length;
        assert(bits >= 0 && bits <= 64 && "igzip: ISA-L bit buffer out of range");
        const auto whole = static_cast<unsigned>(bits / 8);
        const std::uint64_t ahead = bits % 8 == 0 ? z.read_in : z.read_in >> (bits % 8);
        for (unsigned i = 0; i < whole; ++i)
          s.trailer[i] = static_cast<std::uint8_t>(ahead >> (8 * i));
        s.count = whole;
        s.trailer_start = s.pos - whole;
        z.read_in = 0;
        z.read_in_length = 0;
        s.where = state::phase::trailer;
        break;
      }
      if (consumed == 0 && produced == 0) {
        if (p == end) {
          if (flush)
            s.fail_truncated("deflate data");
          return true;
        }
        fail("deflate decoder made no progress in the deflate data starting" + at(s.data_start) +
             " of " + s.member_name());
      }
      break;
    }

    case state::phase::trailer: {
      const auto n = static_cast<unsigned>(std::min<std::ptrdiff_t>(end - p, 8 - s.count));
      std::memcpy(s.trailer + s.count, p, n);
      p += n;
      s.pos += n;
      s.count += n;
      if (s.count < 8) {
        if (flush)
          s.fail_truncated("trailer");
        return true;
      }
      s.count = 0;
      s.check_trailer();
      ++s.members;
      s.where = state::phase::boundary;
      break;
    }
    }
  }
}

std::size_t igzip_inflate_engine::optimal_buffer_size() const noexcept {
  return inflate_optimal_buffer;
}

void igzip_inflate_engine::close() noexcept {
  state &s = *state_;
  s.reset_inflate();
  s.where = state::phase::boundary;
  s.step = state::field::fixed;
  s.count = 0;
  s.pos = 0;
  s.member_start = 0;
  s.data_start = 0;
  s.trailer_start = 0;
  s.member_out = 0;
  s.members = 0;
}

} // namespace bytesio::detail
