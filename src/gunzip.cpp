// SPDX-License-Identifier: BSL-1.0
// gunzip_buf and gzip_index: random access into gzip held in memory, on
// ISA-L's inflate. How points are found is told in include/bytesio/gunzip_buf.hpp.

#include "bytesio/error.hpp"
#include "bytesio/gunzip_buf.hpp"

#include "detail/gzip_member.hpp"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <istream>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace bytesio {
namespace detail {
namespace {

// ISA-L counts bytes in uint32_t; longer input is fed in pieces.
constexpr std::size_t max_step = std::size_t{1} << 30;

constexpr std::size_t history = gzip_index::window_size;
// Output decoded per step, after the 32 KiB of history kept in front of it.
constexpr std::size_t stretch = std::size_t{256} << 10;
// With threads: the output a worker decodes at a time, from one point to the
// first point this far or more after it; and the room a worker's buffer has
// past its stretch, for a member's last block to end in.
constexpr std::uint64_t ahead_stretch = std::uint64_t{1} << 20;
constexpr std::size_t ahead_slack = std::size_t{64} << 10;

[[noreturn]] void bad_index(const std::string &what) {
  throw_error(errc::invalid_argument, "gzip_index: " + what);
}

} // namespace

/**
 * The decoding state of one gunzip_buf: ISA-L's inflate, the member
 * framing, the buffer of output around the position, the index it builds.
 *
 * The buffer holds the output `[buf_off_, buf_off_ + buf_len_)`; the
 * decoder's next byte is always the one after it (`end()`), so a seek
 * elsewhere restarts the decoder at a point. Points are added only at the
 * index's frontier: once the decoder is past the last point, a member
 * start, or `spacing` bytes of output, adds the next.
 *
 * With threads (`ahead`), more decoders of the same input and index, one
 * per stretch in flight, decode a stretch each (`decode_stretch`) on worker
 * threads; the index is complete then, so nobody changes it.
 */
class gunzip_decoder {
public:
  gunzip_decoder(std::span<const std::byte> gz, gzip_index index, bool given);
  ~gunzip_decoder();

  /** Sequential reads decode ahead on `threads` worker threads, once the index is complete. */
  void set_threads(unsigned threads) noexcept { threads_ = threads; }

  /** An empty index with this spacing. */
  static gzip_index fresh(std::uint64_t spacing) {
    gzip_index x;
    x.spacing_ = spacing;
    return x;
  }

  /** The index so far. */
  const gzip_index &index() const noexcept { return index_; }

  /** Output known to exist: the whole length once the index is complete. */
  std::uint64_t known_size() const noexcept {
    return index_.complete_ ? index_.uncompressed_size_ : frontier_;
  }

  /** Decodes until the length is known past `pos`, or to the end. */
  void learn(std::uint64_t pos) {
    if (pos >= known_size() && !index_.complete_)
      reach(pos);
  }

  /** The buffered output holding `pos < known_size()`, decoding to it. */
  file_window window_at(std::uint64_t pos) {
    file_window w;
    if (const std::optional<file_window> a = ahead_window(pos)) {
      w = *a;
    } else {
      if (!holds(pos))
        reach(pos);
      if (holds(pos))
        w = {reinterpret_cast<char *>(buf_.get()), buf_off_, buf_len_};
    }
    // Damaged data can decode to more than a complete index says there is.
    if (index_.complete_ && w.offset + w.size > index_.uncompressed_size_)
      throw_error(errc::invalid_gzip,
                  "gunzip_buf: the data decodes past output offset " +
                      std::to_string(index_.uncompressed_size_) +
                      ", where the index says it ends: the data (or the index) is damaged");
    last_end_ = w.offset + w.size;
    return w;
  }

  /**
   * For an index given complete: decoding from its last point must end
   * where it says the output ends.
   * @throws invalid_argument if not; invalid_gzip if the data is bad there.
   */
  void verify_end() {
    if (!index_.complete_)
      return;
    const std::uint64_t size = index_.uncompressed_size_;
    try {
      reach(size);
    } catch (const std::ios_base::failure &e) {
      if (e.code() != errc::invalid_gzip)
        throw;
      throw_error(errc::invalid_argument,
                  std::string("gunzip_buf: the index is of other data: decoding from its last "
                              "point fails: ") +
                      e.what());
    }
    if (holds(size) || end() != size)
      throw_error(errc::invalid_argument,
                  "gunzip_buf: the index is of other data: it says the output has " +
                      std::to_string(size) + " bytes, decoding from its last point gives " +
                      (holds(size) ? "more" : std::to_string(end())));
  }

private:
  using point = gzip_index::point;
  using phase = gzip_member::phase;
  class ahead;
  struct worker_tag {};

  // A decoder for one of `reader`'s workers: the same input and index.
  gunzip_decoder(gunzip_decoder &reader, worker_tag) noexcept
      : in_(reader.in_), in_size_(reader.in_size_), index_(reader.index_), capacity_(0),
        keep_(true) {}

  std::optional<file_window> ahead_window(std::uint64_t pos);
  void decode_stretch(std::size_t first, std::size_t last) noexcept;

  // Whether a worker has decoded its stretch: the output has reached the
  // point it ends at and, where that point starts a member, the member
  // before has been read to its trailer (the next one has not begun); or
  // the buffer is full (the index lied about the sizes).
  bool at_limit() const noexcept {
    if (end() < limit_)
      return false;
    return limit_in_member_ || done_ || buf_len_ == capacity_ ||
           (m_.where == phase::body && m_.member_out == 0);
  }

  std::uint64_t end() const noexcept { return buf_off_ + buf_len_; }
  bool holds(std::uint64_t pos) const noexcept { return pos >= buf_off_ && pos < end(); }

  void rethrow() const {
    if (error_)
      std::rethrow_exception(error_);
  }

  // The last point at or before `pos` that decoding can start from (not the
  // point at the end of the input).
  std::size_t point_before(std::uint64_t pos) const noexcept {
    const auto &pts = index_.points_;
    const auto last = pts.end() - (index_.complete_ ? 1 : 0);
    const auto it = std::upper_bound(pts.begin(), last, pos,
                                     [](std::uint64_t v, const point &p) { return v < p.out; });
    assert(it != pts.begin() && "point 0 is at output offset 0");
    return static_cast<std::size_t>(it - pts.begin()) - 1;
  }

  // Decodes until the buffer holds `pos` or the output ends, from where the
  // decoder is if no point lies between, else from the point before `pos`.
  void reach(std::uint64_t pos) {
    const std::size_t k = point_before(pos);
    if (pos < end() || index_.points_[k].out > end())
      restart(k);
    while (!holds(pos)) {
      const std::uint64_t before = end();
      fill();
      if (end() == before) {
        rethrow();
        return; // the end of the output
      }
    }
  }

  void restart(std::size_t k);
  void complete_tail();
  gzip_index bgzf_blocks() const;
  static std::size_t block_of(const gzip_index &blocks, std::uint64_t member_start);
  void resume(std::uint64_t bit, const std::byte *window, std::size_t window_len,
              std::uint32_t crc);
  void fill();
  void step();
  void inflate_body();
  void due_reached();
  void add_point(std::uint64_t bit, bool with_window);
  void finish();

  // The bit where ISA-L's next block (or the trailer) starts: ISA-L 2.30-2.32
  // leave the bits read past a block in the bit buffer, and whole bytes of a
  // header cut by the input in tmp_in_buffer.
  std::uint64_t next_bit() const noexcept {
    return (m_.pos - static_cast<std::uint64_t>(z_.tmp_in_size)) * 8 -
           static_cast<std::uint64_t>(z_.read_in_length);
  }

  bool indexing() const noexcept { return !index_.complete_ && end() >= index_.points_.back().out; }

  const std::uint8_t *in_;
  std::size_t in_size_;
  gzip_index own_;    // the reader's index (a worker's own_ stays empty)
  gzip_index &index_; // own_, or the reader's for a worker
  gzip_member m_{"gunzip_buf"};
  inflate_state z_{};
  std::size_t capacity_ = history + stretch; // of buf_
  bool keep_ = false; // a worker's buffer keeps its whole stretch: no compaction
  std::unique_ptr<std::uint8_t[]> buf_;
  std::uint64_t buf_off_ = 0;
  std::size_t buf_len_ = 0;
  std::uint64_t frontier_ = 0; // the furthest output offset decoded
  bool done_ = false;          // the decoder passed the last member
  bool finishing_ = false;     // bfinal set to end the block where a point is due
  bool deferred_ = false;      // a point is due but this block cannot end early
  // Where the index says the next member starts (output offset, header
  // offset): this member must end there.
  std::uint64_t next_member_out_ = gzip_index::unknown;
  std::uint64_t next_member_at_ = gzip_index::unknown;
  std::exception_ptr error_; // what stopped the decoder at end()
  // A worker's stretch ends at output offset limit_, at a point inside a
  // member (limit_in_member_) or at a member's start.
  std::uint64_t limit_ = gzip_index::unknown;
  bool limit_in_member_ = false;
  // Threads: the reader's workers, and where the last window it returned ended.
  unsigned threads_ = 1;
  std::uint64_t last_end_ = 0;
  std::unique_ptr<ahead> ahead_;
};

/**
 * Decoding ahead of a sequential reader on worker threads.
 *
 * The output is cut into stretches at points of the complete index, each
 * from a point to the first point `ahead_stretch` or more after it (the
 * last to the end). A ring of `2 * threads` slots, each with a decoder of
 * its own, holds the stretch the reader is in and those after it; workers
 * decode them in order (`decode_stretch`), the reader takes each one's
 * buffer as its window once it is done, and moving on frees the slots
 * behind for stretches further ahead. A read outside the ring stops the
 * workers (`stop`): the reader decodes on its own thread until its reads
 * run on again.
 *
 * Synchronisation: `mutex_` guards the queue (`submitted_`, `next_job_`,
 * `running_`, `stop_`) and each slot's `done`. A worker decodes a slot's
 * stretch outside the lock, between taking the job and setting `done`
 * under it; the reader touches a slot's decoder only when it is done or
 * not submitted, and resubmits a slot only after it is done.
 */
class gunzip_decoder::ahead {
public:
  ahead(gunzip_decoder &reader, unsigned threads) : reader_(reader), slots_(2 * threads) {
    const auto &pts = reader.index_.points_;
    const std::size_t end_point = pts.size() - 1; // the point at the end of the input
    for (std::size_t k = 0; k < end_point;) {
      starts_.push_back(k);
      const std::uint64_t from = pts[k].out;
      do
        ++k;
      while (k < end_point && pts[k].out - from < ahead_stretch);
    }
    starts_.push_back(end_point);
    for (slot &sl : slots_)
      sl.d.reset(new gunzip_decoder(reader, worker_tag{}));
    workers_.reserve(threads);
    try {
      for (unsigned i = 0; i < threads; ++i)
        workers_.emplace_back([this] { run(); });
    } catch (...) {
      shut_down();
      throw;
    }
  }

  ~ahead() { shut_down(); }
  ahead(const ahead &) = delete;
  ahead &operator=(const ahead &) = delete;

  /**
   * The window holding `pos`: the stretch it lies in, decoded ahead; the
   * stretches after it are set going. Nothing if the reader should decode
   * itself: `pos` is at the end of the output, or the stretch stopped
   * short of it without an error.
   * @throws the error that stopped the stretch before `pos`.
   */
  std::optional<file_window> window_at(std::uint64_t pos) {
    const std::size_t s = stretch_of(pos);
    if (s == npos)
      return std::nullopt;
    std::unique_lock<std::mutex> lock(mutex_);
    if (head_ == npos || s < head_ || s >= head_ + slots_.size()) {
      stop(lock);
      head_ = next_job_ = submitted_ = s;
    } else {
      // The slots behind are resubmitted below: their workers must be done.
      stretch_done_.wait(lock, [&] { return all_done(head_, s); });
      head_ = s;
    }
    const std::size_t until = std::min(head_ + slots_.size(), starts_.size() - 1);
    for (; submitted_ < until; ++submitted_)
      at(submitted_).done = false;
    work_ready_.notify_all();
    stretch_done_.wait(lock, [&] { return at(s).done; });
    lock.unlock();
    const gunzip_decoder &d = *at(s).d;
    if (d.holds(pos))
      return file_window{reinterpret_cast<char *>(d.buf_.get()), d.buf_off_, d.buf_len_};
    d.rethrow();
    return std::nullopt;
  }

  /** Whether a read at `pos` is served here: within the stretches in flight. */
  bool covers(std::uint64_t pos) const {
    if (head_ == npos)
      return false;
    const std::size_t s = stretch_of(pos);
    return s != npos && s >= head_ && s < head_ + slots_.size();
  }

  /** The workers leave the ring (after the stretches they hold). */
  void stop() {
    std::unique_lock<std::mutex> lock(mutex_);
    stop(lock);
  }

private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  struct slot {
    std::unique_ptr<gunzip_decoder> d;
    bool done = false;
  };

  slot &at(std::size_t i) { return slots_[i % slots_.size()]; }

  bool all_done(std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i)
      if (i < submitted_ && !at(i).done)
        return false;
    return true;
  }

  // The stretch holding output offset `pos`, npos at or past the end.
  std::size_t stretch_of(std::uint64_t pos) const {
    const auto &pts = reader_.index_.points_;
    if (pos >= pts.back().out)
      return npos;
    const auto it =
        std::upper_bound(starts_.begin(), starts_.end() - 1, pos,
                         [&](std::uint64_t v, std::size_t k) { return v < pts[k].out; });
    return static_cast<std::size_t>(it - starts_.begin()) - 1;
  }

  void stop(std::unique_lock<std::mutex> &lock) {
    next_job_ = submitted_; // the queued stretches are dropped
    stretch_done_.wait(lock, [&] { return running_ == 0; });
    head_ = npos;
  }

  void run() noexcept {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      work_ready_.wait(lock, [&] { return quit_ || next_job_ < submitted_; });
      if (quit_)
        return;
      const std::size_t i = next_job_++;
      ++running_;
      lock.unlock();
      at(i).d->decode_stretch(starts_[i], starts_[i + 1]);
      lock.lock();
      --running_;
      at(i).done = true;
      stretch_done_.notify_all();
    }
  }

  void shut_down() noexcept {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    work_ready_.notify_all();
    for (std::thread &t : workers_)
      t.join();
  }

  gunzip_decoder &reader_;
  std::vector<std::size_t> starts_; // the point each stretch starts at; then the end point
  std::vector<slot> slots_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_;   // workers wait: a stretch is queued, or quit
  std::condition_variable stretch_done_; // the reader waits: a stretch is decoded
  std::size_t head_ = npos;              // the stretch the reader is in; npos: stopped
  std::size_t submitted_ = 0;            // stretches [head_, submitted_) are in the ring
  std::size_t next_job_ = 0;             // the next stretch a worker takes
  unsigned running_ = 0;                 // workers decoding a stretch
  bool quit_ = false;
};

gunzip_decoder::~gunzip_decoder() = default;

std::optional<file_window> gunzip_decoder::ahead_window(std::uint64_t pos) {
  if (threads_ < 2 || !index_.complete_)
    return std::nullopt;
  if (!ahead_) {
    if (pos != last_end_)
      return std::nullopt;
    ahead_ = std::make_unique<ahead>(*this, threads_);
  } else if (pos != last_end_ && !ahead_->covers(pos)) {
    ahead_->stop(); // a seek: the reader decodes, until its reads run on
    return std::nullopt;
  }
  return ahead_->window_at(pos);
}

void gunzip_decoder::decode_stretch(std::size_t first, std::size_t last) noexcept {
  const point &from = index_.points_[first];
  const point &to = index_.points_[last];
  const bool to_end = last + 1 == index_.points_.size();
  limit_ = to_end ? gzip_index::unknown : to.out;
  limit_in_member_ = !to_end && to.window != gzip_index::npos;
  error_ = nullptr;
  try {
    // Room for the window, the stretch and the end of a member's last block.
    const std::size_t need = history + static_cast<std::size_t>(to.out - from.out) + ahead_slack;
    if (capacity_ < need) {
      buf_.reset();
      buf_ = std::make_unique_for_overwrite<std::uint8_t[]>(need);
      capacity_ = need;
    }
    restart(first);
    while (!done_ && !error_ && !at_limit())
      fill();
    // A stretch that ends inside a member: its running sums there must be
    // the point's (the next stretch goes on from them). If not, no byte of
    // it is given: the reader meets the error where the stretch starts.
    if (!error_ && limit_in_member_ && end() == limit_ && to.sums_known && m_.sums_known &&
        (m_.member_out != to.member_out || z_.crc != to.crc)) {
      buf_len_ = static_cast<std::size_t>(from.out - buf_off_);
      m_.fail("the CRC-32 of " + m_.member_name() + " up to output offset " +
              std::to_string(limit_) + " is not the index's: the data (or the index) is damaged");
    }
  } catch (...) {
    error_ = std::current_exception();
  }
}

gunzip_decoder::gunzip_decoder(std::span<const std::byte> gz, gzip_index index, bool given)
    : in_(reinterpret_cast<const std::uint8_t *>(gz.data())), in_size_(gz.size()),
      own_(std::move(index)), index_(own_),
      buf_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity_)) {
  // The first member's header, checked here so that input that is not
  // gzip fails in the constructor, with igzip_decompressor's messages.
  if (in_size_ == 0)
    m_.fail("truncated input: it ends at offset 0 before the first member (the input is empty)");
  m_.start_member();
  const std::uint8_t *p = in_;
  if (!m_.parse_header(p, in_ + in_size_))
    m_.fail_truncated("header");
  gzip_index blocks = bgzf_blocks();
  const bool bgzf = !blocks.points_.empty();
  bool walked = false;
  if (given) {
    const point &first = index_.points_.front();
    if (first.data_start != gzip_index::unknown && first.data_start != m_.data_start)
      throw_error(errc::invalid_argument,
                  "gunzip_buf: the index is of other data: its first point is" +
                      at_offset(first.data_start) + ", the first member's deflate data starts" +
                      at_offset(m_.data_start));
    // An index of block starts (a .gzi) over BGZF must name blocks; the
    // blocks found by walking the headers then serve, with all they know.
    if (bgzf && index_.compressed_size_ == 0) {
      for (const point &q : index_.points_) {
        const std::size_t k = block_of(blocks, q.member_start);
        if (k == blocks.points_.size() || blocks.points_[k].member_start != q.member_start ||
            blocks.points_[k].out != q.out)
          throw_error(errc::invalid_argument,
                      "gunzip_buf: the index is of other data: no BGZF block starts" +
                          at_offset(q.member_start) + " at output offset " + std::to_string(q.out));
      }
      walked = true;
    }
  } else {
    walked = bgzf;
  }
  if (walked) {
    blocks.spacing_ = index_.spacing_;
    index_ = std::move(blocks);
    complete_tail();
  } else if (!given) {
    index_.compressed_size_ = in_size_;
    point first;
    first.bit = m_.data_start * 8;
    first.data_start = m_.data_start;
    index_.points_.push_back(first);
  }
  restart(0);
}

std::size_t gunzip_decoder::block_of(const gzip_index &blocks, std::uint64_t member_start) {
  const auto it =
      std::lower_bound(blocks.points_.begin(), blocks.points_.end(), member_start,
                       [](const point &a, std::uint64_t v) { return a.member_start < v; });
  return static_cast<std::size_t>(it - blocks.points_.begin());
}

void gunzip_decoder::complete_tail() {
  // The point at the end of the input holds the 32 KiB before it (GZIDX
  // files have it): decode the last blocks once. A damaged tail leaves the
  // index incomplete; the read that reaches the damage reports it.
  const point &last = index_.points_.back();
  const std::uint64_t total = last.out;
  restart(point_before(total > history ? total - history : 0));
  while (!done_ && !error_)
    fill();
}

gzip_index gunzip_decoder::bgzf_blocks() const {
  // BGZF (the SAM/BAM specification): every member is a block whose header
  // has only FEXTRA, with a 'B' 'C' subfield holding the block's size less
  // one; its trailer's ISIZE is its output. Walking the headers gives every
  // block's start without decoding. Anything else is plain gzip: no points.
  gzip_index x;
  std::uint64_t at = 0, out = 0;
  while (at < in_size_) {
    const std::uint8_t *h = in_ + at;
    const std::uint64_t left = in_size_ - at;
    if (left < 18 || h[0] != 0x1F || h[1] != 0x8B || h[2] != 8 || h[3] != 0x04)
      return {};
    const std::uint32_t xlen = std::uint32_t{h[10]} | std::uint32_t{h[11]} << 8;
    if (left < 12 + std::uint64_t{xlen})
      return {};
    std::uint64_t size = 0;
    for (std::uint32_t i = 0; i + 4 <= xlen;) {
      const std::uint8_t *f = h + 12 + i;
      const std::uint32_t slen = std::uint32_t{f[2]} | std::uint32_t{f[3]} << 8;
      if (f[0] == 'B' && f[1] == 'C' && slen == 2 && i + 6 <= xlen)
        size = (std::uint64_t{f[4]} | std::uint64_t{f[5]} << 8) + 1;
      i += 4 + slen;
    }
    const std::uint64_t data = at + 12 + xlen;
    if (size == 0 || size > left || size < 12 + std::uint64_t{xlen} + 8 + 2)
      return {};
    point p;
    p.out = out;
    p.bit = data * 8;
    p.member_start = at;
    p.data_start = data;
    p.members = x.points_.size();
    x.points_.push_back(p);
    out += load_le32(in_ + at + size - 4);
    at += size;
  }
  x.compressed_size_ = in_size_;
  return x;
}

void gunzip_decoder::resume(std::uint64_t bit, const std::byte *window, std::size_t window_len,
                            std::uint32_t crc) {
  // A raw inflate from `bit`, with `window` as its history; ISA-L computes
  // the member's CRC-32 on from `crc` (ISAL_GZIP_NO_HDR: no header, no
  // trailer, only the CRC).
  isal_inflate_init(&z_);
  z_.crc_flag = ISAL_GZIP_NO_HDR;
  if (window_len != 0) {
    const int ret = isal_inflate_set_dict(
        &z_, const_cast<std::uint8_t *>(reinterpret_cast<const std::uint8_t *>(window)),
        static_cast<std::uint32_t>(window_len));
    assert(ret == COMP_OK && "a fresh inflate state takes a dictionary");
    (void)ret;
  }
  z_.crc = crc;
  m_.pos = bit / 8;
  if (const auto used = static_cast<unsigned>(bit % 8); used != 0) {
    // The block starts inside a byte: its remaining bits go into ISA-L's bit buffer.
    z_.read_in = std::uint64_t{in_[m_.pos]} >> used;
    z_.read_in_length = static_cast<std::int32_t>(8 - used);
    ++m_.pos;
  }
  m_.where = phase::body;
  finishing_ = false;
  deferred_ = false;
  // The next member start the index knows of, past this member's.
  next_member_out_ = next_member_at_ = gzip_index::unknown;
  if (m_.member_start != gzip_index::unknown) {
    const auto &pts = index_.points_;
    auto it = std::upper_bound(pts.begin(), pts.end(), m_.member_start * 8,
                               [](std::uint64_t v, const point &q) { return v < q.bit; });
    for (; it != pts.end(); ++it)
      if (it->window == gzip_index::npos && it->member_start != gzip_index::unknown &&
          it->member_start > m_.member_start) {
        next_member_out_ = it->out;
        next_member_at_ = it->member_start;
        break;
      }
  }
}

void gunzip_decoder::restart(std::size_t k) {
  const point &pt = index_.points_[k];
  const std::uint64_t bit = pt.bit;
  if (bit / 8 > in_size_ || (bit % 8 != 0 && bit / 8 >= in_size_))
    m_.fail("index point " + std::to_string(k) + " lies past the end of the input");
  m_.reset();
  m_.member_start = pt.member_start;
  m_.data_start = pt.data_start;
  m_.members = pt.members;
  m_.member_out = pt.member_out;
  m_.sums_known = pt.sums_known;
  m_.ordinal_known = pt.ordinal_known;
  // The window becomes the history in front of the buffer: a dictionary
  // for ISA-L, and bytes a read may use.
  std::size_t hist = 0;
  if (pt.window != gzip_index::npos) {
    hist = static_cast<std::size_t>(std::min<std::uint64_t>(pt.out, history));
    if (pt.sums_known)
      hist = static_cast<std::size_t>(std::min<std::uint64_t>(hist, pt.member_out));
    std::memcpy(buf_.get(), index_.window_of(pt) + (history - hist), hist);
  }
  buf_off_ = pt.out - hist;
  buf_len_ = hist;
  done_ = false;
  error_ = nullptr;
  if (pt.data_start == gzip_index::unknown) {
    // A member start known only by its header's offset (a .gzi): the header is read again.
    m_.pos = pt.member_start;
    m_.where = phase::boundary;
    return;
  }
  resume(bit, reinterpret_cast<const std::byte *>(buf_.get()), hist, pt.sums_known ? pt.crc : 0);
}

void gunzip_decoder::fill() {
  // Decodes the next output into the buffer (at least one byte unless the
  // output has ended or an error stopped it; the error is kept for the read
  // that needs what lies past it).
  if (done_ || error_)
    return;
  if (!keep_ && buf_len_ > history && capacity_ - buf_len_ < stretch / 2) {
    const std::size_t drop = buf_len_ - history;
    std::memmove(buf_.get(), buf_.get() + drop, history);
    buf_off_ += drop;
    buf_len_ = history;
  }
  const std::uint64_t before = end();
  try {
    while (end() == before && !done_ && !at_limit())
      step();
  } catch (...) {
    error_ = std::current_exception();
  }
  frontier_ = std::max(frontier_, end());
}

void gunzip_decoder::step() {
  const std::uint8_t *p = in_ + m_.pos;
  const std::uint8_t *const in_end = in_ + in_size_;
  switch (m_.where) {
  case phase::boundary:
    if (p == in_end) {
      finish();
      return;
    }
    m_.start_member();
    return;
  case phase::header:
    if (!m_.parse_header(p, in_end))
      m_.fail_truncated("header");
    resume(m_.data_start * 8, nullptr, 0, 0);
    if (indexing() && end() > index_.points_.back().out)
      add_point(m_.data_start * 8, false);
    return;
  case phase::body:
    inflate_body();
    return;
  case phase::trailer:
    if (!m_.parse_trailer(p, in_end, z_.crc))
      m_.fail_truncated("trailer");
    return;
  }
}

void gunzip_decoder::inflate_body() {
  // Until the next point is placed, the output stops where it is due.
  const std::uint64_t due = index_.points_.back().out + index_.spacing_;
  const bool watching = !index_.complete_ && !finishing_;
  // At most a stretch a call, with threads too: a failing call's output is
  // dropped (see fail_deflate), so this bounds how far before the damage a
  // read may fail.
  std::size_t room = std::min(capacity_ - buf_len_, stretch);
  if (end() < limit_)
    room = static_cast<std::size_t>(std::min<std::uint64_t>(room, limit_ - end()));
  if (watching && !deferred_)
    room = static_cast<std::size_t>(std::min<std::uint64_t>(room, due - std::min(due, end())));
  if (end() < next_member_out_)
    room = static_cast<std::size_t>(std::min<std::uint64_t>(room, next_member_out_ - end()));
  z_.next_in = const_cast<std::uint8_t *>(in_ + m_.pos);
  z_.avail_in = static_cast<std::uint32_t>(std::min(in_size_ - m_.pos, max_step));
  z_.next_out = buf_.get() + buf_len_;
  z_.avail_out = static_cast<std::uint32_t>(room);
  const std::uint32_t in_n = z_.avail_in;
  const int ret = isal_inflate(&z_);
  if (ret < 0)
    m_.fail_deflate(ret); // before buf_len_ moves: see gzip_member::fail_deflate
  const std::uint32_t consumed = in_n - z_.avail_in;
  const auto produced = static_cast<std::size_t>(room - z_.avail_out);
  m_.pos += consumed;
  if (produced != 0 && end() >= next_member_out_)
    m_.fail(m_.member_name() + " goes on past output offset " + std::to_string(end()) +
            ", where the next member should start (at offset " + std::to_string(next_member_at_) +
            "): the index, or a BGZF block's size, does not match the data");
  buf_len_ += produced;
  m_.member_out += produced;
  if (z_.block_state == ISAL_BLOCK_FINISH) {
    const std::uint64_t bit = next_bit();
    if (finishing_) {
      add_point(bit, true);
      const point &pt = index_.points_.back();
      resume(bit, reinterpret_cast<const std::byte *>(buf_.get() + buf_len_ - history), history,
             pt.crc);
      return;
    }
    m_.pos = (bit + 7) / 8; // the trailer starts at the byte after the final block
    m_.start_trailer(nullptr, 0);
    return;
  }
  if (watching && (deferred_ || end() >= due))
    due_reached();
  if (consumed == 0 && produced == 0 && room != 0) {
    if (m_.pos == in_size_)
      m_.fail_truncated("deflate data");
    m_.fail("deflate decoder made no progress in the deflate data starting" +
            at_offset(m_.data_start) + " of " + m_.member_name());
  }
}

void gunzip_decoder::due_reached() {
  // A point is due here: at once if a block ends here, else where this
  // block ends (ISA-L stops there if it takes the block for the last). The
  // member's real last block takes no point: its member ends there, and the
  // next one starts with a point.
  assert(indexing() && "a point is due only past the last one");
  switch (z_.block_state) {
  case ISAL_BLOCK_NEW_HDR: {
    const std::uint64_t bit = next_bit();
    add_point(bit, true);
    resume(bit, reinterpret_cast<const std::byte *>(buf_.get() + buf_len_ - history), history,
           index_.points_.back().crc);
    return;
  }
  case ISAL_BLOCK_CODED:
  case ISAL_BLOCK_TYPE0:
    if (z_.bfinal == 0) {
      z_.bfinal = 1;
      finishing_ = true;
      return;
    }
    [[fallthrough]];
  default:
    // The member's last block (its member ends there, and the next one
    // starts with a point), or a block header cut by the input: the output
    // goes on unlimited, and the next call looks again.
    deferred_ = true;
    return;
  }
}

void gunzip_decoder::add_point(std::uint64_t bit, bool with_window) {
  point pt;
  pt.out = end();
  pt.bit = bit;
  pt.member_start = m_.member_start;
  pt.data_start = m_.data_start;
  pt.members = m_.members;
  pt.member_out = m_.member_out;
  pt.crc = z_.crc;
  pt.sums_known = m_.sums_known;
  pt.ordinal_known = m_.ordinal_known;
  if (with_window) {
    // The window: the 32 KiB of output before the point, zero-padded in
    // front when less was decoded since the decoder last restarted (only at
    // the end of an input shorter than that).
    const std::size_t have = std::min(buf_len_, history);
    std::vector<std::byte> window(history); // zeros in front of what there is
    std::memcpy(window.data() + (history - have), buf_.get() + buf_len_ - have, have);
    pt.window = static_cast<std::uint32_t>(index_.windows_.size());
    index_.windows_.push_back(std::move(window));
  }
  index_.points_.push_back(pt);
}

void gunzip_decoder::finish() {
  // All members read and checked: the output ends here.
  done_ = true;
  if (!index_.complete_ && indexing()) {
    add_point(std::uint64_t{in_size_} * 8, true);
    index_.uncompressed_size_ = end();
    index_.complete_ = true;
  }
}

} // namespace detail

// ---- gzip_index -------------------------------------------------------------

std::size_t gzip_index::memory() const noexcept {
  return sizeof(*this) + points_.capacity() * sizeof(point) +
         windows_.capacity() * sizeof(windows_[0]) + windows_.size() * window_size;
}

namespace {

constexpr char gzidx_magic[5] = {'G', 'Z', 'I', 'D', 'X'};

template <class T>
void put_le(std::ostream &out, T v) {
  char b[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i)
    b[i] = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xFF);
  out.write(b, sizeof b);
}

template <class T>
T get_le(std::istream &in) {
  unsigned char b[sizeof(T)];
  if (!in.read(reinterpret_cast<char *>(b), sizeof b))
    detail::bad_index("truncated: the file ends inside the header or the point table");
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= std::uint64_t{b[i]} << (8 * i);
  return static_cast<T>(v);
}

} // namespace

void gzip_index::save(std::ostream &out) const {
  out.write(gzidx_magic, sizeof gzidx_magic);
  put_le<std::uint8_t>(out, 1); // version
  put_le<std::uint8_t>(out, 0); // flags
  put_le<std::uint64_t>(out, compressed_size_);
  put_le<std::uint64_t>(out, uncompressed_size());
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(spacing_));
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(window_size));
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(points_.size()));
  for (const point &p : points_) {
    // GZIDX counts a start inside a byte as the next byte, less the bits of
    // this one not yet used (zlib's inflatePrime view).
    put_le<std::uint64_t>(out, (p.bit + 7) / 8);
    put_le<std::uint64_t>(out, p.out);
    put_le<std::uint8_t>(out, static_cast<std::uint8_t>((8 - p.bit % 8) % 8));
    put_le<std::uint8_t>(out, p.window != npos ? 1 : 0);
  }
  for (const std::vector<std::byte> &w : windows_)
    out.write(reinterpret_cast<const char *>(w.data()), window_size);
  if (!out)
    throw std::ios_base::failure("gzip_index: save: the stream failed", std::io_errc::stream);
}

gzip_index gzip_index::load(std::istream &in) {
  char magic[sizeof gzidx_magic];
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, gzidx_magic, sizeof magic) != 0)
    detail::bad_index("not a GZIDX index (bad magic)");
  const auto version = get_le<std::uint8_t>(in);
  if (version > 1)
    detail::bad_index("GZIDX version " + std::to_string(version) + " is unknown (0 and 1 are)");
  (void)get_le<std::uint8_t>(in); // flags: none defined
  gzip_index x;
  x.compressed_size_ = get_le<std::uint64_t>(in);
  const auto uncompressed = get_le<std::uint64_t>(in);
  x.spacing_ = get_le<std::uint32_t>(in);
  const auto window = get_le<std::uint32_t>(in);
  const auto n = get_le<std::uint32_t>(in);
  if (window != window_size)
    detail::bad_index("window size " + std::to_string(window) + " is not 32768");
  if (x.spacing_ < window_size)
    detail::bad_index("spacing " + std::to_string(x.spacing_) + " is below the window size");
  if (n == 0 || x.compressed_size_ == 0)
    detail::bad_index("no points, or no compressed size");
  // The point table is read before anything is reserved for it, so a
  // garbage count costs only what the file holds.
  std::uint32_t windows = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    point p;
    const auto cmp = get_le<std::uint64_t>(in);
    p.out = get_le<std::uint64_t>(in);
    const auto bits = get_le<std::uint8_t>(in);
    const bool has_window = version == 0 ? i != 0 : get_le<std::uint8_t>(in) != 0;
    if (bits > 7 || (bits != 0 && cmp == 0))
      detail::bad_index("point " + std::to_string(i) + ": bit count " + std::to_string(bits) +
                        " at compressed offset " + std::to_string(cmp));
    p.bit = cmp * 8 - bits;
    if (cmp > x.compressed_size_ || (uncompressed != 0 && p.out > uncompressed))
      detail::bad_index("point " + std::to_string(i) + " lies past the sizes in the header");
    if (i == 0 ? p.out != 0 : (p.out < x.points_.back().out || p.bit <= x.points_.back().bit))
      detail::bad_index("point " + std::to_string(i) + " is out of order");
    if (i == 0 && has_window)
      detail::bad_index("point 0 has a window");
    // A point without a window starts a member; its sums start at zero.
    // Only the first member's number and header offset are known.
    p.data_start = cmp;
    p.member_start = i == 0 ? 0 : unknown;
    p.sums_known = !has_window;
    p.ordinal_known = i == 0;
    if (has_window)
      p.window = windows++;
    x.points_.push_back(p);
  }
  for (std::uint32_t i = 0; i < windows; ++i) {
    std::vector<std::byte> &w = x.windows_.emplace_back(window_size);
    if (!in.read(reinterpret_cast<char *>(w.data()), window_size))
      detail::bad_index("truncated: the file ends inside the windows");
  }
  const point &last = x.points_.back();
  x.complete_ = last.bit == x.compressed_size_ * 8 && last.window != npos;
  if (x.complete_) {
    if (uncompressed != 0 && uncompressed != last.out)
      detail::bad_index("the last point is not at the uncompressed size in the header");
    x.uncompressed_size_ = last.out;
  } else if (uncompressed != 0) {
    detail::bad_index("an uncompressed size without the point at the end of the input");
  }
  return x;
}

void gzip_index::save_gzi(std::ostream &out) const {
  // The blocks with output, but the first, which is (0, 0) by definition:
  // htslib leaves out empty blocks (the EOF block), and the point at the
  // end of the input is no block.
  const std::size_t blocks = points_.size() - (complete_ ? 1 : 0);
  for (std::size_t i = 0; i < blocks; ++i)
    if (points_[i].member_start == unknown || points_[i].window != npos)
      detail::bad_index("save_gzi: not the index of a BGZF input (point " + std::to_string(i) +
                        " is not a block start)");
  std::vector<const point *> listed;
  for (std::size_t i = 1; i < blocks; ++i)
    if (i + 1 == points_.size() || points_[i + 1].out > points_[i].out)
      listed.push_back(&points_[i]);
  // htslib writes its block count less one, so an input with no data
  // (the EOF block alone) gets 2^64 - 1; bgzip -r writes that, and reads it.
  const bool no_data = complete_ && points_.back().out == 0;
  put_le<std::uint64_t>(out, no_data ? UINT64_MAX : listed.size());
  for (const point *p : listed) {
    put_le<std::uint64_t>(out, p->member_start);
    put_le<std::uint64_t>(out, p->out);
  }
  if (!out)
    throw std::ios_base::failure("gzip_index: save_gzi: the stream failed", std::io_errc::stream);
}

gzip_index gzip_index::load_gzi(std::istream &in) {
  std::uint64_t n = get_le<std::uint64_t>(in);
  if (n == UINT64_MAX)
    n = 0; // what htslib writes for an input with no data (save_gzi says why)
  gzip_index x;
  x.compressed_size_ = 0;   // a .gzi does not say
  x.points_.emplace_back(); // the first block: (0, 0)
  x.points_.back().data_start = unknown;
  for (std::uint64_t i = 0; i < n; ++i) {
    point p;
    p.member_start = get_le<std::uint64_t>(in);
    p.out = get_le<std::uint64_t>(in);
    p.bit = p.member_start * 8;
    p.data_start = unknown;
    p.members = i + 1;
    const point &before = x.points_.back();
    if (p.member_start <= before.member_start || p.out < before.out ||
        p.member_start > UINT64_MAX / 8)
      detail::bad_index(".gzi entry " + std::to_string(i) + " is out of order");
    x.points_.push_back(p);
  }
  return x;
}

// ---- gunzip_buf ---------------------------------------------------------------

namespace {

using detail::throw_error;

constexpr unsigned max_threads = 256;

// The thread count of `options`, checked, with 0 resolved.
unsigned checked_threads(const gunzip_options &options) {
  if (options.threads > max_threads)
    throw_error(errc::invalid_argument, "gunzip_buf: " + std::to_string(options.threads) +
                                            " threads is more than " + std::to_string(max_threads));
  if (options.threads != 0)
    return options.threads;
  return std::clamp(std::thread::hardware_concurrency(), 1u, max_threads);
}

} // namespace

gunzip_buf::gunzip_buf(std::span<const std::byte> gz, gunzip_options options) {
  if (options.spacing < gzip_index::window_size || options.spacing > UINT32_MAX)
    throw_error(errc::invalid_argument, "gunzip_buf: spacing " + std::to_string(options.spacing) +
                                            " is outside 32 KiB..4 GiB");
  const unsigned threads = checked_threads(options);
  decoder_ = std::make_unique<detail::gunzip_decoder>(
      gz, detail::gunzip_decoder::fresh(options.spacing), false);
  decoder_->set_threads(threads);
  learned();
}

gunzip_buf::gunzip_buf(std::span<const std::byte> gz, gzip_index index, gunzip_options options) {
  const unsigned threads = checked_threads(options);
  // A .gzi does not say the compressed size (0); the blocks say more below.
  if (index.size() == 0 || (index.compressed_size() != 0 && index.compressed_size() != gz.size()))
    throw_error(errc::invalid_argument,
                "gunzip_buf: the index is of " + std::to_string(index.compressed_size()) +
                    " bytes of gzip, the input has " + std::to_string(gz.size()));
  decoder_ = std::make_unique<detail::gunzip_decoder>(gz, std::move(index), true);
  decoder_->verify_end();
  decoder_->set_threads(threads);
  learned();
}

gunzip_buf::gunzip_buf(gunzip_buf &&other) noexcept
    : core(std::move(other)), decoder_(std::move(other.decoder_)) {}

gunzip_buf &gunzip_buf::operator=(gunzip_buf &&other) noexcept {
  if (this != &other) {
    core::operator=(std::move(other));
    decoder_ = std::move(other.decoder_);
  }
  return *this;
}

gunzip_buf::~gunzip_buf() = default;

void gunzip_buf::swap(gunzip_buf &other) noexcept {
  core::swap(other);
  decoder_.swap(other.decoder_);
}

void gunzip_buf::learned() noexcept { set_file_size(decoder_->known_size()); }

std::uint64_t gunzip_buf::size() {
  begin("size");
  discover_size(detail::unknown_size);
  return file_size();
}

const gzip_index &gunzip_buf::index() const {
  check_open("index");
  return decoder_->index();
}

const gzip_index &gunzip_buf::build_index() {
  begin("build_index");
  discover_size(detail::unknown_size);
  return decoder_->index();
}

void gunzip_buf::release() noexcept { decoder_.reset(); }

detail::file_window gunzip_buf::read_window(std::uint64_t pos) {
  const detail::file_window w = decoder_->window_at(pos);
  learned();
  return w;
}

void gunzip_buf::discover_size(std::uint64_t pos) {
  decoder_->learn(pos);
  learned();
}

} // namespace bytesio
