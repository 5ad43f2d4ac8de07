// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_SRC_DETAIL_PARALLEL_DEFLATE_HPP
#define BYTESIO_SRC_DETAIL_PARALLEL_DEFLATE_HPP

// igzip_compressor with threads > 1 (pigz's scheme) and bgzf_compressor, on ISA-L. Internal to
// the bytesio_igzip library (it includes ISA-L's header); the public side is
// igzip_deflate_engine in include/bytesio/detail/igzip_engine.hpp.

#include "bytesio/detail/gzip_index.hpp"

#include <isa-l/igzip_lib.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace bytesio::detail {

/** Throws the stream error for an ISA-L call `what` that returned `ret`. */
[[noreturn]] void isal_failed(const char *what, int ret);

/** The level buffer ISA-L's deflate needs at `level` (1-3; 0 needs none). */
std::uint32_t level_buffer_size(int level) noexcept;

/**
 * ISA-L (2.30, and its main branch in 2026) has a bug that makes level 1
 * and 2 output depend on where the `isal_zstream` lives. When a stream
 * starts without history, its deflate body (igzip_icf_body_h1_gr_bt.asm,
 * `.write_first_byte`) hashes the register that holds the stream's address
 * where it means the input's third byte. One slot of the hash table then
 * depends on bits 16 and up of that address. About one process in 300
 * (ASLR) wrote different, valid, bytes for the same input.
 *
 * ISA-L's finish routine starts the history correctly, and it runs alone
 * when a call holds at most `isal_first_call` bytes and a flush. So the
 * compressors give a stream that needs it its first 16 bytes alone, with
 * SYNC_FLUSH. That costs about 7 bytes per stream and makes the output the
 * same wherever the stream is.
 */
inline constexpr std::uint32_t isal_first_call = 16;

/** Whether a new stream at `level` must start with `isal_first_call` bytes alone. */
constexpr bool isal_needs_first_call(int level) noexcept { return level == 1 || level == 2; }

/**
 * CRC-32 (gzip's, reflected 0xEDB88320) of A followed by B, from CRC(A),
 * CRC(B) and the length of B: zlib's `crc32_combine`, by multiplication
 * modulo the CRC polynomial in GF(2) (O(log len2)).
 */
std::uint32_t crc32_combine(std::uint32_t crc1, std::uint32_t crc2, std::uint64_t len2) noexcept;

/**
 * Gzip compressed in blocks on several threads: one member, pigz's way
 * (`igzip_compressor` with threads), or BGZF (`bgzf_compressor`).
 *
 * The input is cut into blocks of `block_size` bytes at fixed offsets and
 * each is compressed on its own; the caller's thread hands the output on in
 * input order. So the bytes depend only on the input, the level, the block
 * size and the framing, never on how the input was chunked or on how many
 * threads ran.
 *
 * - `framing::member` (pigz): each block is raw deflate primed with the
 *   32 KiB of input before it (`isal_deflate_set_dict`), ending byte-aligned
 *   on an empty stored block (`SYNC_FLUSH`); the last block ends the deflate
 *   stream instead (`end_of_stream`). The CRC-32 of each block is computed
 *   by its thread and combined in order. The caller writes the 10-byte
 *   header, the blocks, then the trailer: one member.
 * - `framing::bgzf` (the SAM/BAM specification): each block is a gzip member
 *   of its own, with the `BC` extra subfield giving its size, compressed
 *   without history; a block that would not fit the format's 64 KiB is
 *   stored instead. The output ends with the 28-byte empty EOF block.
 *
 * Either way the blocks are restart points, known as they are handed on:
 * `index()` gives those of the last finished stream, as `gunzip_buf` reads
 * them (a point at each BGZF block; in a member, one at the first block
 * boundary `spacing` or more after the last, with the 32 KiB before it).
 *
 * A full block is held back until the next input byte arrives: only then is
 * it known not to be the last. So an input that ends exactly at a block
 * boundary does not get an empty final block.
 *
 * The ring of in-flight blocks (`slots`), input order on the caller's side:
 *
 *     out_seq_            next_job_ (threads)        fill_seq_
 *     |  done or running  |  queued                  |  filling (if filling_)
 *     '----------- submitted, not yet handed on -----'
 *
 * A slot is free again once the caller has handed on all of its output (in
 * a member, and the next block's, whose history it holds), so at most
 * `slots` blocks are held: memory is bounded by
 * `slots * (block_size + 32 KiB + compressed block)` whatever the input size.
 * A slot's input stays until the slot is filled again, `slots` blocks
 * later: that is where the next block's history and the index's last window
 * come from.
 *
 * Threads: none with `threads == 1` (BGZF on the caller's thread) or until
 * a second block starts (a member of one block is compressed on the
 * caller's thread); then `threads - 1` workers, joined by `close()` and by
 * the destructor, which never wait on the caller. The caller's thread is the
 * last compressing thread: when it would wait for the oldest block, it
 * compresses a queued one instead (`wait_oldest`). A worker that throws (an
 * ISA-L error, `std::bad_alloc`) stores the exception in its slot; the
 * caller rethrows it when that slot's turn comes.
 *
 * Not thread-safe itself: one caller thread at a time, like any filter.
 */
class parallel_deflate {
public:
  /** Bytes of input before a block that prime its compressor. */
  static constexpr std::size_t history = 32 * 1024;

  /** What the blocks make: one gzip member, or BGZF. */
  enum class framing : unsigned char { member, bgzf };

  /** BGZF's block: htslib's 65,280 bytes of input (BGZF_BLOCK_SIZE). */
  static constexpr std::size_t bgzf_block_size = 0xFF00;

  /**
   * @param level ISA-L level, 0..3 (checked by the caller).
   * @param threads compressing threads, the caller's included: at least 2
   *        for `member`, at least 1 for BGZF.
   * @param block_size bytes per block: at least `history`; for BGZF at
   *        most `bgzf_block_size`.
   * @param f the framing.
   * @throws std::bad_alloc
   */
  parallel_deflate(int level, unsigned threads, std::size_t block_size,
                   framing f = framing::member);
  ~parallel_deflate();
  parallel_deflate(const parallel_deflate &) = delete;
  parallel_deflate &operator=(const parallel_deflate &) = delete;

  /**
   * A Boost.Iostreams SymmetricFilter step: takes input from
   * `[src_begin, src_end)` and writes output to `[dest_begin, dest_end)`,
   * advancing both. It returns only once all input is taken or the output
   * range is full (compressing a queued block, or waiting, when every slot is busy); with
   * `flush` (no more input) it finishes the member and returns `false` once
   * all of it is out.
   * @throws what a worker threw for the block whose output is due;
   *         std::system_error if a thread cannot be started; std::bad_alloc.
   *         Afterwards only `close()` is meaningful.
   */
  bool filter(const char *&src_begin, const char *src_end, char *&dest_begin, char *dest_end,
              bool flush);

  /** Stops and joins the workers and forgets the member: the next byte starts a new one. */
  void close() noexcept;

  /** The thread count given at construction (the caller's included). */
  unsigned threads() const noexcept { return threads_; }

  /** The restart points of the last stream finished (see the class comment). */
  const gzip_index &index() const noexcept { return index_; }

private:
  struct slot;

  // An ISA-L stream with its level buffer: one per worker, one for the caller.
  struct compressor {
    explicit compressor(int level);
    isal_zstream stream;
    std::uint32_t level;
    std::uint32_t level_buf_size;
    std::unique_ptr<std::uint8_t[]> level_buf;
  };

  std::size_t in_flight() const noexcept;
  slot &at(std::uint64_t seq) const noexcept;
  compressor &own(); // the caller's thread's compressor, made when first needed
  void compress(slot &s, compressor &c) const;
  void deflate_block(slot &s, compressor &c, std::size_t at) const;
  void frame_bgzf(slot &s) const;
  std::span<const unsigned char> head() const noexcept;
  std::span<const unsigned char> tail() const noexcept;
  void note_block(const slot &s);
  void note_end();
  bool acquire();
  void take(const char *&src, const char *src_end);
  void submit(bool last);
  void hand_on(char *&dest, char *dest_end);
  void wait_oldest();
  void start_workers();
  void stop_workers() noexcept;
  void run_job(slot &s, compressor &c) const noexcept;
  void run(compressor &c) noexcept;

  const int level_;
  const unsigned threads_;
  const std::size_t block_size_;
  const std::size_t slots_;
  std::unique_ptr<slot[]> ring_;
  const framing framing_;

  // The caller's side; only the caller's thread touches these.
  std::uint64_t fill_seq_ = 0; // blocks submitted (the filling slot is the next)
  std::uint64_t out_seq_ = 0;  // blocks handed on
  bool filling_ = false;       // at(fill_seq_) holds input not yet submitted
  bool finished_ = false;      // the last block is submitted
  std::size_t head_out_ = 0;   // bytes of head() handed on
  std::size_t tail_out_ = 0;   // bytes of tail() handed on
  std::uint32_t crc_ = 0;      // of the blocks handed on
  std::uint64_t size_ = 0;     // input bytes of the blocks handed on
  std::uint64_t written_ = 0;  // output bytes handed on
  unsigned char trailer_[8] = {};
  gzip_index building_;             // the points of the stream in progress
  gzip_index index_;                // those of the last stream finished
  std::unique_ptr<compressor> own_; // the caller's (one thread, a one-block member, wait_oldest)
  std::vector<std::unique_ptr<compressor>> compressors_;
  std::vector<std::thread> workers_;

  // Shared with the workers, under `mutex_`.
  std::mutex mutex_;
  std::condition_variable work_ready_; // workers wait: a block is queued, or stop
  std::condition_variable block_done_; // the caller waits: a block is compressed
  std::uint64_t submitted_ = 0;        // the caller's fill_seq_, published
  std::uint64_t next_job_ = 0;         // the next block a worker (or the caller) takes
  bool stop_ = false;
};

} // namespace bytesio::detail

#endif // BYTESIO_SRC_DETAIL_PARALLEL_DEFLATE_HPP
