// SPDX-License-Identifier: BSL-1.0
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

#include "detail/gzip_member.hpp"
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

// ISA-L reads ahead into a 64-bit bit buffer: the whole bytes left in it
// after the final block are the first bytes of the trailer (never more than
// its 8), whatever call they arrived in.
void enter_trailer(gzip_member &m, inflate_state &z) {
  const int bits = z.read_in_length;
  assert(bits >= 0 && bits <= 64 && "igzip: ISA-L bit buffer out of range");
  const auto whole = std::min(static_cast<unsigned>(bits / 8), 8u);
  const std::uint64_t ahead = bits % 8 == 0 ? z.read_in : z.read_in >> (bits % 8);
  std::uint8_t first[8];
  for (unsigned i = 0; i < whole; ++i)
    first[i] = static_cast<std::uint8_t>(ahead >> (8 * i));
  m.start_trailer(first, whole);
  z.read_in = 0;
  z.read_in_length = 0;
}

// The chain buffers that measured fastest (bench/igzip_bench.cpp,
// gzip_buffer_* rows, 32 MiB of text): one ISA-L stream compresses 4-5%
// faster from 128 KiB calls than from 64 KiB ones (and twice as fast as
// from Boost's 128-byte default); the threads copy every call into their
// blocks, where 16-64 KiB measured best; inflate is flat from 64 KiB on.
constexpr std::size_t serial_optimal_buffer = 256 * 1024;
constexpr std::size_t parallel_optimal_buffer = 64 * 1024;
constexpr std::size_t inflate_optimal_buffer = 64 * 1024;

} // namespace

// --- compression ------------------------------------------------------------

struct igzip_deflate_engine::state {
  isal_zstream stream;
  std::uint32_t level = 0;
  std::uint32_t level_buf_size = 0;
  std::unique_ptr<std::uint8_t[]> level_buf;
  // The member's first bytes, deflated alone (isal_needs_first_call) into
  // `first_out`, which then goes on as the output has room: ISA-L itself
  // would begin a new sync flush on each call that finds one done.
  bool first_pending = false;
  bool first_done = false; // deflated; first_out is being handed on
  std::uint32_t first_size = 0;
  std::uint32_t first_out_size = 0;
  std::uint32_t first_out_pos = 0;
  std::uint8_t first[isal_first_call];
  // Ample for the gzip header, a block of 16 bytes with its Huffman
  // header (ISAL_DEF_MAX_HDR_SIZE at most), the flush, and the trailer of
  // a member that ends there.
  std::uint8_t first_out[512];

  // A full init for every member: isal_deflate_reset() keeps the "gzip
  // header written" flag, so a reused stream would start without a header.
  void start() noexcept {
    isal_deflate_init(&stream);
    stream.level = level;
    stream.level_buf = level_buf.get();
    stream.level_buf_size = level_buf_size;
    stream.gzip_flag = IGZIP_GZIP;
    stream.flush = NO_FLUSH;
    first_pending = isal_needs_first_call(static_cast<int>(level));
    first_done = false;
    first_size = 0;
    first_out_pos = 0;
  }

  // Gathers the member's first `isal_first_call` bytes (fewer if it ends
  // sooner), deflates them alone with a sync flush (or as the whole member)
  // and hands the result on; true once all of it is out.
  bool first_call(const char *&src, const char *src_end, char *&dest, char *dest_end, bool flush) {
    if (!first_done) {
      const std::size_t k = std::min<std::size_t>(isal_first_call - first_size,
                                                  static_cast<std::size_t>(src_end - src));
      std::memcpy(first + first_size, src, k);
      first_size += static_cast<std::uint32_t>(k);
      src += k;
      const bool ends = flush && src == src_end;
      if (first_size < isal_first_call && !ends)
        return false;
      isal_zstream &z = stream;
      z.next_in = first;
      z.avail_in = first_size;
      z.next_out = first_out;
      z.avail_out = sizeof first_out;
      z.flush = ends ? NO_FLUSH : SYNC_FLUSH;
      z.end_of_stream = ends ? 1 : 0;
      const int ret = isal_deflate(&z);
      if (ret != COMP_OK)
        isal_failed("deflate", ret);
      assert(z.avail_in == 0 && z.avail_out != 0 &&
             (!ends || z.internal_state.state == ZSTATE_END) && "igzip: the first call completes");
      z.flush = NO_FLUSH;
      first_out_size = static_cast<std::uint32_t>(sizeof first_out - z.avail_out);
      first_done = true;
    }
    const std::size_t k = std::min<std::size_t>(first_out_size - first_out_pos,
                                                static_cast<std::size_t>(dest_end - dest));
    std::memcpy(dest, first_out + first_out_pos, k);
    first_out_pos += static_cast<std::uint32_t>(k);
    dest += k;
    first_pending = first_out_pos != first_out_size;
    return !first_pending;
  }
};

namespace {

// The compressors' arguments, checked before anything is allocated; the
// thread count with 0 resolved.
unsigned checked_threads(const char *who, int level, unsigned threads) {
  constexpr unsigned max_threads = igzip_deflate_engine::max_threads;
  if (level < ISAL_DEF_MIN_LEVEL || level > ISAL_DEF_MAX_LEVEL)
    throw_error(errc::invalid_argument,
                std::string(who) + ": level " + std::to_string(level) + " is outside ISA-L's 0..3");
  if (threads > max_threads)
    throw_error(errc::invalid_argument, std::string(who) + ": " + std::to_string(threads) +
                                            " threads is more than " + std::to_string(max_threads));
  return threads != 0 ? threads : std::clamp(std::thread::hardware_concurrency(), 1u, max_threads);
}

const gzip_index no_points;

} // namespace

igzip_deflate_engine::igzip_deflate_engine(int level, unsigned threads, std::size_t blocks) {
  threads = checked_threads("igzip_compressor", level, threads);
  if (blocks < min_block_size || blocks > max_step)
    throw_error(errc::invalid_argument, "igzip_compressor: block size " + std::to_string(blocks) +
                                            " is outside 32 KiB..1 GiB");
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

igzip_deflate_engine::igzip_deflate_engine(bgzf_t, int level, unsigned threads)
    : threads_(checked_threads("bgzf_compressor", level, threads)) {
  parallel_ = std::make_unique<parallel_deflate>(level, threads_, parallel_deflate::bgzf_block_size,
                                                 parallel_deflate::framing::bgzf);
}

igzip_deflate_engine::~igzip_deflate_engine() = default;
igzip_deflate_engine::igzip_deflate_engine(igzip_deflate_engine &&) noexcept = default;

bool igzip_deflate_engine::filter(const char *&src_begin, const char *src_end, char *&dest_begin,
                                  char *dest_end, bool flush) {
  if (parallel_)
    return parallel_->filter(src_begin, src_end, dest_begin, dest_end, flush);
  if (state_->first_pending && !state_->first_call(src_begin, src_end, dest_begin, dest_end, flush))
    return true;
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
    if (ret != COMP_OK)
      isal_failed("deflate", ret);
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

const gzip_index &igzip_deflate_engine::index() const noexcept {
  return parallel_ ? parallel_->index() : no_points;
}

// --- decompression ----------------------------------------------------------

// The member framing is gzip_member's; ISA-L inflates the body, raw deflate,
// and computes the CRC-32 of what it writes (ISAL_GZIP_NO_HDR).
struct igzip_inflate_engine::state {
  inflate_state inflate;
  gzip_member member{"igzip_decompressor"};

  void reset_inflate() noexcept {
    isal_inflate_reset(&inflate);
    inflate.crc_flag = ISAL_GZIP_NO_HDR;
    inflate.hist_bits = 0;
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
  using phase = gzip_member::phase;
  gzip_member &m = state_->member;
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
    switch (m.where) {
    case phase::boundary:
      if (p == end) {
        if (!flush)
          return true;
        if (m.members == 0)
          m.fail("truncated input: it ends" + at_offset(m.pos) + " before the first member" +
                 (m.pos == 0 ? " (the input is empty)" : ""));
        return false;
      }
      m.start_member();
      break;

    case phase::header:
      if (!m.parse_header(p, end)) {
        if (flush)
          m.fail_truncated("header");
        return true;
      }
      state_->reset_inflate();
      break;

    case phase::body: {
      if (out == out_end)
        return true;
      inflate_state &z = state_->inflate;
      const std::uint32_t in_n = clamp_step(end - p);
      const std::uint32_t out_n = clamp_step(out_end - out);
      // ISA-L never writes through next_in; the cast only meets its C signature.
      z.next_in = const_cast<std::uint8_t *>(p);
      z.avail_in = in_n;
      z.next_out = out;
      z.avail_out = out_n;
      const int ret = isal_inflate(&z);
      if (ret < 0)
        m.fail_deflate(ret); // before `out` moves: see gzip_member::fail_deflate
      const std::uint32_t consumed = in_n - z.avail_in;
      const std::uint32_t produced = out_n - z.avail_out;
      p += consumed;
      m.pos += consumed;
      out += produced;
      m.member_out += produced;
      if (z.block_state == ISAL_BLOCK_FINISH) {
        enter_trailer(m, z);
        break;
      }
      if (consumed == 0 && produced == 0) {
        if (p == end) {
          if (flush)
            m.fail_truncated("deflate data");
          return true;
        }
        m.fail("deflate decoder made no progress in the deflate data starting" +
               at_offset(m.data_start) + " of " + m.member_name());
      }
      break;
    }

    case phase::trailer:
      if (!m.parse_trailer(p, end, state_->inflate.crc)) {
        if (flush)
          m.fail_truncated("trailer");
        return true;
      }
      break;
    }
  }
}

std::size_t igzip_inflate_engine::optimal_buffer_size() const noexcept {
  return inflate_optimal_buffer;
}

void igzip_inflate_engine::close() noexcept {
  state_->reset_inflate();
  state_->member.reset();
}

} // namespace bytesio::detail
