// igzip_compressor(level, threads > 1): see parallel_deflate.hpp.

#include "parallel_deflate.hpp"

#include <isa-l/crc.h>

#include <algorithm>
#include <array>
#include <cassert>
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

[[noreturn]] void isal_failed(const char *what, int ret) {
  throw std::ios_base::failure("igzip_compressor: ISA-L " + std::string(what) +
                                   " failed with code " + std::to_string(ret),
                               std::io_errc::stream);
}

// Room for a block's deflate data: incompressible input goes out as stored
// blocks (5 bytes per 64 KiB) plus the sync marker; the rest is slack for
// ISA-L's block headers. compress() grows the buffer should it ever not do.
std::size_t output_bound(std::size_t n) noexcept { return n + n / 16 + 4096; }

} // namespace

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

// One block in flight. The caller fills `in` (history, then data) and the
// flags, then submits it under the mutex; a worker writes `out`, `out_size`,
// `crc` and `error`, then sets `done` (release, under the mutex); the caller
// reads them after seeing `done` (acquire). So each field has one writer at a
// time, and the mutex or `done` orders the hand-overs.
struct parallel_deflate::slot {
  std::unique_ptr<std::uint8_t[]> in; // [history][block_size]
  std::unique_ptr<std::uint8_t[]> out;
  std::size_t out_capacity = 0;
  std::size_t dict = 0; // history bytes that prime the block (0 for the first)
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

parallel_deflate::parallel_deflate(int level, unsigned threads, std::size_t block_size)
    : level_(level), threads_(threads), block_size_(block_size),
      // Two blocks per worker: one compressing, one queued while the caller
      // hands on the output of an earlier one and fills the next.
      slots_(2 * std::size_t{threads}), ring_(std::make_unique<slot[]>(slots_)) {
  assert(threads >= 2 && "parallel_deflate: use the one-thread engine for one thread");
  assert(block_size >= history && "parallel_deflate: blocks must be at least the history");
}

parallel_deflate::~parallel_deflate() { stop_workers(); }

parallel_deflate::slot &parallel_deflate::at(std::uint64_t seq) const noexcept {
  return ring_[static_cast<std::size_t>(seq % slots_)];
}

void parallel_deflate::compress(slot &s, compressor &c) const {
  isal_zstream &z = c.stream;
  isal_deflate_init(&z);
  z.level = c.level;
  z.level_buf = c.level_buf.get();
  z.level_buf_size = c.level_buf_size;
  z.gzip_flag = IGZIP_DEFLATE;
  if (s.dict != 0) {
    const int ret = isal_deflate_set_dict(&z, s.in.get() + history - s.dict,
                                          static_cast<std::uint32_t>(s.dict));
    if (ret != COMP_OK)
      isal_failed("set_dict", ret);
  }
  z.flush = s.last ? NO_FLUSH : SYNC_FLUSH;
  z.end_of_stream = s.last ? 1 : 0;
  const std::size_t need = output_bound(s.size);
  if (s.out_capacity < need) {
    s.out = std::make_unique_for_overwrite<std::uint8_t[]>(need);
    s.out_capacity = need;
  }
  z.next_in = s.in.get() + history;
  z.avail_in = static_cast<std::uint32_t>(s.size);
  z.next_out = s.out.get();
  z.avail_out = static_cast<std::uint32_t>(s.out_capacity);
  for (;;) {
    const int ret = isal_deflate(&z);
    if (ret != COMP_OK)
      isal_failed("deflate", ret);
    // All input is in once ISA-L stops with output room left (its own
    // rule for a flush) or, for the last block, once the stream has ended.
    const bool complete =
        z.avail_in == 0 && (s.last ? z.internal_state.state == ZSTATE_END : z.avail_out != 0);
    if (complete)
      break;
    const std::size_t used = s.out_capacity - z.avail_out;
    const std::size_t bigger = 2 * s.out_capacity;
    auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(bigger);
    std::memcpy(grown.get(), s.out.get(), used);
    s.out = std::move(grown);
    s.out_capacity = bigger;
    z.next_out = s.out.get() + used;
    z.avail_out = static_cast<std::uint32_t>(bigger - used);
  }
  s.out_size = s.out_capacity - z.avail_out;
  s.crc = crc32_gzip_refl(0, s.in.get() + history, s.size);
}

// Makes at(fill_seq_) the filling slot, primed with the end of the block
// before it (always a full one); false if every slot is still in flight.
bool parallel_deflate::acquire() {
  if (filling_)
    return true;
  if (fill_seq_ - out_seq_ >= slots_)
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
  s.dict = 0;
  if (fill_seq_ != 0) {
    // The previous slot keeps its input until it is filled again, `slots_`
    // blocks later; a worker may be reading it now, which is fine.
    const slot &prev = at(fill_seq_ - 1);
    assert(prev.size == block_size_ && "parallel_deflate: only the last block may be short");
    std::memcpy(s.in.get(), prev.in.get() + block_size_, history);
    s.dict = history;
  }
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
  if (last && fill_seq_ == 0) {
    // A member of one block: no thread is worth starting.
    if (!own_)
      own_ = std::make_unique<compressor>(level_);
    compress(s, *own_);
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

void parallel_deflate::hand_on(char *&dest, char *dest_end) {
  while (dest != dest_end) {
    const auto room = static_cast<std::size_t>(dest_end - dest);
    if (header_out_ < sizeof gzip_header) {
      const std::size_t k = std::min<std::size_t>(room, sizeof gzip_header - header_out_);
      std::memcpy(dest, gzip_header + header_out_, k);
      dest += k;
      header_out_ += static_cast<unsigned>(k);
      continue;
    }
    if (out_seq_ < fill_seq_) {
      slot &s = at(out_seq_);
      if (!s.done.load(std::memory_order_acquire))
        return;
      if (s.error)
        std::rethrow_exception(s.error);
      const std::size_t k = std::min(room, s.out_size - s.out_pos);
      std::memcpy(dest, s.out.get() + s.out_pos, k);
      dest += k;
      s.out_pos += k;
      if (s.out_pos == s.out_size) {
        crc_ = crc32_combine(crc_, s.crc, s.size);
        size_ += s.size;
        if (s.last) {
          for (unsigned i = 0; i < 4; ++i) {
            trailer_[i] = static_cast<unsigned char>(crc_ >> (8 * i));
            trailer_[4 + i] = static_cast<unsigned char>(size_ >> (8 * i));
          }
        }
        ++out_seq_; // the slot is free
      }
      continue;
    }
    if (finished_ && trailer_out_ < sizeof trailer_) {
      const std::size_t k = std::min<std::size_t>(room, sizeof trailer_ - trailer_out_);
      std::memcpy(dest, trailer_ + trailer_out_, k);
      dest += k;
      trailer_out_ += static_cast<unsigned>(k);
      continue;
    }
    return;
  }
}

void parallel_deflate::wait_oldest() {
  assert(out_seq_ < fill_seq_ && "parallel_deflate: waiting with nothing in flight");
  slot &s = at(out_seq_);
  if (s.done.load(std::memory_order_acquire))
    return;
  std::unique_lock<std::mutex> lock(mutex_);
  block_done_.wait(lock, [&] { return s.done.load(std::memory_order_acquire); });
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
    if (finished_ && out_seq_ == fill_seq_ && trailer_out_ == sizeof trailer_)
      return false;
    if (dest_begin == dest_end || (!flush && src_begin == src_end))
      return true;
    // Output room, and input (or the end of it) that no free slot can take:
    // the oldest block, which the last hand_on found unfinished, comes first.
    wait_oldest();
  }
}

// --- workers -----------------------------------------------------------------

void parallel_deflate::start_workers() {
  if (compressors_.empty()) {
    compressors_.reserve(threads_);
    for (unsigned i = 0; i < threads_; ++i)
      compressors_.push_back(std::make_unique<compressor>(level_));
  }
  workers_.reserve(threads_);
  try {
    for (unsigned i = 0; i < threads_; ++i)
      workers_.emplace_back([this, c = compressors_[i].get()] { run(*c); });
  } catch (...) {
    stop_workers();
    throw;
  }
}

void parallel_deflate::run(compressor &c) noexcept {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] { return stop_ || next_job_ < submitted_; });
    if (stop_)
      return;
    slot &s = at(next_job_++);
    lock.unlock();
    try {
      compress(s, c);
    } catch (...) {
      s.error = std::current_exception();
    }
    lock.lock();
    s.done.store(true, std::memory_order_release);
    // Only the caller waits on block_done_.
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
  header_out_ = 0;
  trailer_out_ = 0;
  crc_ = 0;
  size_ = 0;
}

} // namespace bytesio::detail
