// SPDX-License-Identifier: BSL-1.0
// igzip_compressor(level, threads > 1): see parallel_deflate.hpp.

#include "parallel_deflate.hpp"

#include <isa-l/crc.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <ios>
#include <string>
#include <system_error>

namespace bytesio::detail {

// --- CRC-32 combination ------------------------------------------------------
//
// zlib 1.2.12's method: CRC(A || B) = CRC(A) * x^(8 * len(B)) + CRC(B) modulo
// the polynomial, with x^(2^k) mod P precomputed. The bits are reflected, so
// x^0 is 0x80000000 and x^1 is 0x40000000.

namespace {

constexpr std::uint32_t crc_poly = 0xEDB88320u;

constexpr std::uint32_t multmodp(std::uint32_t a, std::uint32_t b) noexcept {
  std::uint32_t m = 1u << 31;
  std::uint32_t p = 0;
  for (;;) {
    if ((a & m) != 0) {
      p ^= b;
      if ((a & (m - 1)) == 0)
        break;
    }
    m >>= 1;
    b = (b & 1) != 0 ? (b >> 1) ^ crc_poly : b >> 1;
  }
  return p;
}

// x2n[k] = x^(2^k) mod P.
constexpr std::array<std::uint32_t, 32> x2n_table = [] {
  std::array<std::uint32_t, 32> t{};
  std::uint32_t p = 1u << 30;
  for (auto &v : t) {
    v = p;
    p = multmodp(p, p);
  }
  return t;
}();

// x^(n * 2^k) mod P.
std::uint32_t x2nmodp(std::uint64_t n, unsigned k) noexcept {
  std::uint32_t p = 1u << 31;
  while (n != 0) {
    if ((n & 1) != 0)
      p = multmodp(x2n_table[k & 31], p);
    n >>= 1;
    ++k;
  }
  return p;
}

// The header ISA-L writes for IGZIP_GZIP, so that one thread and many write
// the same first bytes: no name, mtime 0, XFL 0, OS 255 (unknown).
constexpr unsigned char gzip_header[10] = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};

// A BGZF block's header as htslib writes it: FEXTRA, mtime 0, XFL 0, OS 255,
// XLEN 6, the subfield 'B' 'C' of 2 bytes holding the block's size less one
// (the last two bytes, filled per block).
constexpr std::size_t bgzf_header_size = 18;
constexpr unsigned char bgzf_header[bgzf_header_size] = {0x1F, 0x8B, 8, 4,   0,   0, 0, 0, 0,
                                                         0xFF, 6,    0, 'B', 'C', 2, 0, 0, 0};
constexpr std::size_t gzip_trailer_size = 8;
// The largest BGZF block (BGZF_MAX_BLOCK_SIZE): its size must fit BC's 16 bits.
constexpr std::size_t bgzf_max_block = 0x10000;

// htslib's EOF marker: an empty BGZF block (bgzf.c).
constexpr unsigned char bgzf_eof[28] = {0x1F, 0x8B, 8,    4, 0, 0, 0, 0, 0, 0xFF, 6, 0, 'B', 'C',
                                        2,    0,    0x1B, 0, 3, 0, 0, 0, 0, 0,    0, 0, 0,   0};

void put_le32(std::uint8_t *p, std::uint32_t v) noexcept {
  for (unsigned i = 0; i < 4; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Room for a block's deflate data: incompressible input goes out as stored
// blocks (5 bytes per 64 KiB) plus the sync marker; the rest is slack for
// ISA-L's block headers. compress() grows the buffer should it ever not do.
std::size_t output_bound(std::size_t n) noexcept { return n + n / 16 + 4096; }

} // namespace

// Every ISA-L deflate error (INVALID_FLUSH, INVALID_PARAM, ISAL_INVALID_LEVEL,
// ...) means a bug here or in ISA-L, never bad user input: a stream error,
// not invalid_argument.
void isal_failed(const char *what, int ret) {
  throw std::ios_base::failure("igzip_compressor: ISA-L " + std::string(what) +
                                   " failed with code " + std::to_string(ret),
                               std::io_errc::stream);
}

std::uint32_t level_buffer_size(int level) noexcept {
  switch (level) {
  case 1:
    return ISAL_DEF_LVL1_DEFAULT;
  case 2:
    return ISAL_DEF_LVL2_DEFAULT;
  case 3:
    return ISAL_DEF_LVL3_DEFAULT;
  default:
    return 0;
  }
}

std::uint32_t crc32_combine(std::uint32_t crc1, std::uint32_t crc2, std::uint64_t len2) noexcept {
  return multmodp(x2nmodp(len2, 3), crc1) ^ crc2;
}

// --- the ring ----------------------------------------------------------------

// One block in flight. The caller fills `in` (its data) and the flags, then
// submits it under the mutex; the thread that takes it (a worker, or the
// caller in wait_oldest) copies the history into `in`, writes `out`,
// `out_size`, `crc` and `error`, then sets `done` (release); the caller reads
// them after seeing `done` (acquire). So each field has one writer at a time,
// and the mutex or `done` orders the hand-overs.
struct parallel_deflate::slot {
  std::unique_ptr<std::uint8_t[]> in; // [history][block_size]
  std::unique_ptr<std::uint8_t[]> out;
  std::size_t out_capacity = 0;
  // In a member, the block before (null for the first): its last 32 KiB,
  // copied into `in` by the block's thread, prime the block.
  const slot *before = nullptr;
  std::size_t size = 0; // input bytes of the block
  std::size_t out_size = 0;
  std::size_t out_pos = 0; // handed on by the caller
  std::uint32_t crc = 0;
  bool last = false;
  std::exception_ptr error;
  std::atomic<bool> done{false};
};

parallel_deflate::compressor::compressor(int lvl)
    : level(static_cast<std::uint32_t>(lvl)), level_buf_size(level_buffer_size(lvl)) {
  if (level_buf_size != 0)
    level_buf = std::make_unique_for_overwrite<std::uint8_t[]>(level_buf_size);
}

parallel_deflate::parallel_deflate(int level, unsigned threads, std::size_t block_size, framing f)
    : level_(level), threads_(threads), block_size_(block_size),
      // Two blocks per thread: one compressing, one queued while the caller
      // hands on the output of an earlier one and fills the next (and in a
      // member one slot more: see in_flight). BGZF's
      // blocks are a quarter of a member's 256 KiB ones, so four times as
      // many, for the same bytes in flight and fewer wake-ups of the caller
      // per byte: a wake-up is a costly interrupt on a virtual machine (AMD
      // EPYC VM, bgzf_compressor(1, 2) vs (1, 1): 1.54x with 2 slots per
      // thread, 1.71x with 8).
      slots_(f == framing::bgzf ? 8 * std::size_t{threads} : 2 * std::size_t{threads} + 1),
      ring_(std::make_unique<slot[]>(slots_)), framing_(f) {
  assert((threads >= 2 || (f == framing::bgzf && threads == 1)) &&
         "parallel_deflate: use the one-thread engine for one thread");
  assert(block_size >= history && "parallel_deflate: blocks must be at least the history");
  assert((f == framing::member || block_size <= bgzf_block_size) &&
         "parallel_deflate: a BGZF block holds at most 65,280 bytes");
}

parallel_deflate::~parallel_deflate() { stop_workers(); }

// A member's slot is filled again only once the block after it is handed on
// too: that block's thread copies its history out of this slot (compress).
// So a member has one slot more than it has blocks in flight.
std::size_t parallel_deflate::in_flight() const noexcept {
  return framing_ == framing::member ? slots_ - 1 : slots_;
}

parallel_deflate::compressor &parallel_deflate::own() {
  if (!own_)
    own_ = std::make_unique<compressor>(level_);
  return *own_;
}

parallel_deflate::slot &parallel_deflate::at(std::uint64_t seq) const noexcept {
  return ring_[static_cast<std::size_t>(seq % slots_)];
}

void parallel_deflate::compress(slot &s, compressor &c) const {
  if (s.before != nullptr) {
    // The block before keeps its input until this one is handed on (in_flight).
    assert(s.before->size == block_size_ && "parallel_deflate: only the last block may be short");
    std::memcpy(s.in.get(), s.before->in.get() + block_size_, history);
  }
  s.crc = crc32_gzip_refl(0, s.in.get() + history, s.size);
  if (framing_ == framing::member) {
    deflate_block(s, c, 0);
    return;
  }
  deflate_block(s, c, bgzf_header_size);
  frame_bgzf(s);
}

// Deflates the slot's input into its output from `at`, leaving room for a
// trailer; `out_size` ends up past the deflate data.
void parallel_deflate::deflate_block(slot &s, compressor &c, std::size_t at) const {
  // A BGZF block, and the last block of a member, end their deflate stream.
  const bool ends = framing_ == framing::bgzf || s.last;
  isal_zstream &z = c.stream;
  isal_deflate_init(&z);
  z.level = c.level;
  z.level_buf = c.level_buf.get();
  z.level_buf_size = c.level_buf_size;
  z.gzip_flag = IGZIP_DEFLATE;
  if (s.before != nullptr) {
    const int ret = isal_deflate_set_dict(&z, s.in.get(), static_cast<std::uint32_t>(history));
    if (ret != COMP_OK)
      isal_failed("set_dict", ret);
  }
  const std::size_t need = at + output_bound(s.size) + gzip_trailer_size;
  if (s.out_capacity < need) {
    s.out = std::make_unique_for_overwrite<std::uint8_t[]>(need);
    s.out_capacity = need;
  }
  z.next_in = s.in.get() + history;
  z.next_out = s.out.get() + at;
  z.avail_out = static_cast<std::uint32_t>(s.out_capacity - at - gzip_trailer_size);
  // The stream's first bytes alone (isal_needs_first_call); the output
  // bound leaves room for them and their flush many times over.
  const bool first_alone =
      s.before == nullptr && s.size > isal_first_call && isal_needs_first_call(level_);
  if (first_alone) {
    z.avail_in = isal_first_call;
    z.flush = SYNC_FLUSH;
    z.end_of_stream = 0;
    const int ret = isal_deflate(&z);
    if (ret != COMP_OK)
      isal_failed("deflate", ret);
    assert(z.avail_in == 0 && z.avail_out != 0 && "parallel_deflate: the first call completes");
  }
  z.avail_in = static_cast<std::uint32_t>(s.size - (first_alone ? isal_first_call : 0));
  z.flush = ends ? NO_FLUSH : SYNC_FLUSH;
  z.end_of_stream = ends ? 1 : 0;
  for (;;) {
    const int ret = isal_deflate(&z);
    if (ret != COMP_OK)
      isal_failed("deflate", ret);
    // All input is in once ISA-L stops with output room left (its own
    // rule for a flush) or, at the end of a stream, once it has ended.
    const bool complete =
        z.avail_in == 0 && (ends ? z.internal_state.state == ZSTATE_END : z.avail_out != 0);
    if (complete)
      break;
    const std::size_t used = s.out_capacity - gzip_trailer_size - z.avail_out;
    const std::size_t bigger = 2 * s.out_capacity;
    auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(bigger);
    std::memcpy(grown.get(), s.out.get(), used);
    s.out = std::move(grown);
    s.out_capacity = bigger;
    z.next_out = s.out.get() + used;
    z.avail_out = static_cast<std::uint32_t>(bigger - used - gzip_trailer_size);
  }
  s.out_size = s.out_capacity - gzip_trailer_size - z.avail_out;
}

// Makes the slot's deflate data a BGZF block: the header before it, the
// trailer after. Deflate that would make the block larger than BGZF allows
// (input that does not compress) becomes one stored block, as htslib does.
void parallel_deflate::frame_bgzf(slot &s) const {
  std::uint8_t *const out = s.out.get();
  if (s.out_size + gzip_trailer_size > bgzf_max_block) {
    // BFINAL 1, BTYPE 00 (stored), LEN and its complement: 65,280 bytes fit.
    std::uint8_t *p = out + bgzf_header_size;
    const auto len = static_cast<std::uint16_t>(s.size);
    p[0] = 1;
    p[1] = static_cast<std::uint8_t>(len);
    p[2] = static_cast<std::uint8_t>(len >> 8);
    p[3] = static_cast<std::uint8_t>(~len);
    p[4] = static_cast<std::uint8_t>(~len >> 8);
    std::memcpy(p + 5, s.in.get() + history, s.size);
    s.out_size = bgzf_header_size + 5 + s.size;
  }
  put_le32(out + s.out_size, s.crc);
  put_le32(out + s.out_size + 4, static_cast<std::uint32_t>(s.size));
  s.out_size += gzip_trailer_size;
  std::memcpy(out, bgzf_header, bgzf_header_size);
  const auto bsize = static_cast<std::uint16_t>(s.out_size - 1);
  out[16] = static_cast<std::uint8_t>(bsize);
  out[17] = static_cast<std::uint8_t>(bsize >> 8);
}

// Makes at(fill_seq_) the filling slot, pointing at the block before it
// (always a full one) for its history; false if no slot may be filled yet.
bool parallel_deflate::acquire() {
  if (filling_)
    return true;
  if (fill_seq_ - out_seq_ >= in_flight())
    return false;
  slot &s = at(fill_seq_);
  if (!s.in)
    s.in = std::make_unique_for_overwrite<std::uint8_t[]>(history + block_size_);
  s.size = 0;
  s.out_pos = 0;
  s.out_size = 0;
  s.last = false;
  s.error = nullptr;
  s.done.store(false, std::memory_order_relaxed);
  s.before = fill_seq_ != 0 && framing_ == framing::member ? &at(fill_seq_ - 1) : nullptr;
  filling_ = true;
  return true;
}

void parallel_deflate::take(const char *&src, const char *src_end) {
  while (src != src_end) {
    if (!acquire())
      return;
    slot &s = at(fill_seq_);
    if (s.size == block_size_) {
      submit(false); // more input is here, so this full block is not the last
      continue;
    }
    const std::size_t k = std::min(block_size_ - s.size, static_cast<std::size_t>(src_end - src));
    std::memcpy(s.in.get() + history + s.size, src, k);
    s.size += k;
    src += k;
  }
}

void parallel_deflate::submit(bool last) {
  assert(filling_ && "parallel_deflate: nothing to submit");
  slot &s = at(fill_seq_);
  s.last = last;
  if (last && s.size == 0 && framing_ == framing::bgzf) {
    // Empty BGZF: the EOF block alone (a longer input never ends on an empty block).
    filling_ = false;
    finished_ = true;
    return;
  }
  if (threads_ == 1 || (last && fill_seq_ == 0)) {
    // One thread, or a member of one block: no thread is worth starting.
    compress(s, own());
    s.done.store(true, std::memory_order_relaxed);
  } else {
    if (workers_.empty())
      start_workers();
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      submitted_ = fill_seq_ + 1;
    }
    work_ready_.notify_one();
  }
  ++fill_seq_;
  filling_ = false;
  finished_ = last;
}

std::span<const unsigned char> parallel_deflate::head() const noexcept {
  if (framing_ == framing::bgzf)
    return {};
  return gzip_header;
}

std::span<const unsigned char> parallel_deflate::tail() const noexcept {
  if (framing_ == framing::bgzf)
    return bgzf_eof;
  return trailer_;
}

void parallel_deflate::hand_on(char *&dest, char *dest_end) {
  // Copies from `from` (`done` bytes of it handed on already) as much as fits.
  const auto copy = [&](std::span<const unsigned char> from, std::size_t &done) {
    const std::size_t k = std::min(static_cast<std::size_t>(dest_end - dest), from.size() - done);
    std::memcpy(dest, from.data() + done, k);
    dest += k;
    done += k;
    written_ += k;
  };
  while (dest != dest_end) {
    if (head_out_ < head().size()) {
      copy(head(), head_out_);
      continue;
    }
    if (out_seq_ < fill_seq_) {
      slot &s = at(out_seq_);
      if (!s.done.load(std::memory_order_acquire))
        return;
      if (s.error)
        std::rethrow_exception(s.error);
      if (s.out_pos == 0)
        note_block(s);
      copy({s.out.get(), s.out_size}, s.out_pos);
      if (s.out_pos == s.out_size) {
        crc_ = crc32_combine(crc_, s.crc, s.size);
        size_ += s.size;
        if (s.last && framing_ == framing::member) {
          put_le32(trailer_, crc_);
          put_le32(trailer_ + 4, static_cast<std::uint32_t>(size_));
        }
        ++out_seq_; // the slot is free
      }
      continue;
    }
    if (finished_ && tail_out_ < tail().size()) {
      copy(tail(), tail_out_);
      if (tail_out_ == tail().size())
        note_end();
      continue;
    }
    return;
  }
}

// The point where a block starts, as gunzip_buf would find it: at every BGZF
// block; in a member, at the first block start `spacing` or more from the
// last point, with the 32 KiB before it (the block's history).
void parallel_deflate::note_block(const slot &s) {
  using point = gzip_index::point;
  std::vector<point> &points = building_.points_;
  point p;
  p.out = size_;
  if (framing_ == framing::bgzf) {
    p.member_start = written_;
    p.data_start = written_ + bgzf_header_size;
    p.bit = p.data_start * 8;
    p.members = points.size();
  } else {
    if (!points.empty() && size_ - points.back().out < building_.spacing_)
      return;
    p.member_start = 0;
    p.data_start = sizeof gzip_header;
    p.bit = written_ * 8;
    p.member_out = size_;
    p.crc = crc_;
    if (s.before != nullptr) { // the history copied into `in` is the window
      p.window = static_cast<std::uint32_t>(building_.windows_.size());
      const auto *w = reinterpret_cast<const std::byte *>(s.in.get());
      building_.windows_.emplace_back(w, w + history);
    }
  }
  points.push_back(p);
}

// The stream is out: the points at its end (BGZF's EOF block, then the end
// of the input with the 32 KiB before it), as gunzip_buf completes an
// index; then the index is the finished stream's.
void parallel_deflate::note_end() {
  using point = gzip_index::point;
  std::vector<point> &points = building_.points_;
  point end;
  end.out = size_;
  end.bit = written_ * 8;
  if (framing_ == framing::bgzf) {
    point eof;
    eof.out = size_;
    eof.member_start = written_ - sizeof bgzf_eof;
    eof.data_start = eof.member_start + bgzf_header_size;
    eof.bit = eof.data_start * 8;
    eof.members = points.size();
    points.push_back(eof);
    end.member_start = eof.member_start;
    end.data_start = eof.data_start;
    end.members = points.size();
  } else {
    end.member_start = 0;
    end.data_start = sizeof gzip_header;
    end.members = 1;
    end.member_out = size_;
    end.crc = crc_;
  }
  // The window: the last 32 KiB of input, zero-padded in front when there
  // was less; the last two blocks hold it (their slots are not refilled yet).
  std::vector<std::byte> window(history);
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size_, history));
  std::size_t filled = 0; // from the end of the window
  for (std::uint64_t seq = fill_seq_; filled != want && seq-- != 0;) {
    const slot &b = at(seq);
    const std::size_t k = std::min(want - filled, b.size);
    filled += k;
    std::memcpy(window.data() + (history - filled), b.in.get() + history + b.size - k, k);
  }
  assert(filled == want && "parallel_deflate: the last two blocks hold the last 32 KiB");
  end.window = static_cast<std::uint32_t>(building_.windows_.size());
  building_.windows_.push_back(std::move(window));
  points.push_back(end);
  building_.compressed_size_ = written_;
  building_.uncompressed_size_ = size_;
  building_.complete_ = true;
  index_ = std::move(building_);
  building_ = gzip_index();
}

// The caller is one of the compressing threads: rather than sleep while the
// oldest block is compressed, it compresses a queued one itself, and sleeps
// only when none is queued. Waking a thread is a costly interrupt on a
// virtual machine, and `threads` compressing threads on `threads` cores
// leave none waiting for a core.
void parallel_deflate::wait_oldest() {
  assert(out_seq_ < fill_seq_ && "parallel_deflate: waiting with nothing in flight");
  slot &s = at(out_seq_);
  if (s.done.load(std::memory_order_acquire))
    return;
  // Made before a block is taken, so that a block taken is always finished.
  compressor &mine = own();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!s.done.load(std::memory_order_acquire)) {
    if (next_job_ == submitted_) {
      block_done_.wait(lock);
      continue;
    }
    slot &job = at(next_job_++);
    lock.unlock();
    run_job(job, mine);
    lock.lock();
  }
}

bool parallel_deflate::filter(const char *&src_begin, const char *src_end, char *&dest_begin,
                              char *dest_end, bool flush) {
  for (;;) {
    hand_on(dest_begin, dest_end);
    if (!finished_) {
      take(src_begin, src_end);
      if (flush && src_begin == src_end && acquire()) {
        submit(true);
        continue; // a one-block member is done already: hand it on
      }
    }
    if (finished_ && out_seq_ == fill_seq_ && tail_out_ == tail().size())
      return false;
    if (dest_begin == dest_end || (!flush && src_begin == src_end))
      return true;
    // Output room, and input (or the end of it) that no free slot can take:
    // the oldest block, which the last hand_on found unfinished, comes first.
    wait_oldest();
  }
}

// --- workers -----------------------------------------------------------------

// Workers for all but one of the threads: the caller's is the last (wait_oldest).
void parallel_deflate::start_workers() {
  const unsigned workers = threads_ - 1;
  // Kept across close(); completed here if an allocation failed last time.
  compressors_.reserve(workers);
  while (compressors_.size() < workers)
    compressors_.push_back(std::make_unique<compressor>(level_));
  workers_.reserve(workers);
  try {
    for (unsigned i = 0; i < workers; ++i)
      workers_.emplace_back([this, c = compressors_[i].get()] { run(*c); });
  } catch (...) {
    stop_workers();
    throw;
  }
}

void parallel_deflate::run_job(slot &s, compressor &c) const noexcept {
  try {
    compress(s, c);
  } catch (...) {
    s.error = std::current_exception();
  }
  s.done.store(true, std::memory_order_release);
}

void parallel_deflate::run(compressor &c) noexcept {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] { return stop_ || next_job_ < submitted_; });
    if (stop_)
      return;
    slot &s = at(next_job_++);
    lock.unlock();
    run_job(s, c);
    lock.lock();
    // Only the caller waits on block_done_ (done is set before the lock is
    // taken: the caller checks it under the lock, so no wake-up is lost).
    block_done_.notify_one();
  }
}

void parallel_deflate::stop_workers() noexcept {
  if (workers_.empty())
    return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_ready_.notify_all();
  // A worker finishes the block it holds (milliseconds) and leaves; none
  // waits on the caller, so these joins end.
  for (std::thread &t : workers_)
    t.join();
  workers_.clear();
  stop_ = false;
  submitted_ = 0;
  next_job_ = 0;
}

void parallel_deflate::close() noexcept {
  stop_workers();
  fill_seq_ = 0;
  out_seq_ = 0;
  filling_ = false;
  finished_ = false;
  head_out_ = 0;
  tail_out_ = 0;
  crc_ = 0;
  size_ = 0;
  written_ = 0;
  building_ = gzip_index();
}

} // namespace bytesio::detail
