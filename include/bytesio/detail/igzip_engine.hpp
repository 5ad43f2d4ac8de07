// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_IGZIP_ENGINE_HPP
#define BYTESIO_DETAIL_IGZIP_ENGINE_HPP

#include "bytesio/detail/export.hpp"

// The compiled halves of igzip_compressor / igzip_decompressor: their
// engines for the filter shell (filter_engine.hpp). This header
// needs neither Boost nor ISA-L: the ISA-L state lives behind a pointer in
// src/igzip.cpp, so only the bytesio_igzip library sees <isa-l/igzip_lib.h>.

#include "bytesio/detail/filter_engine.hpp"
#include "bytesio/detail/gzip_index.hpp"

#include <cstddef>
#include <memory>

namespace bytesio::detail {

class parallel_deflate; // src/detail/parallel_deflate.hpp

/**
 * A SymmetricFilter (`symmetric_engine`) that deflates into gzip with ISA-L.
 *
 * `filter()` consumes from `[src_begin, src_end)` and writes to
 * `[dest_begin, dest_end)`, advancing both; with `flush` set it finishes the
 * member (final block and trailer) and returns `false` once all of it is out.
 * `close()` makes it ready for a new member. Movable, not copyable; the
 * public filter shares one engine among its copies, as Boost's own filters
 * do.
 *
 * With one thread it is one ISA-L stream writing the whole member. With
 * more, or for BGZF (the tagged constructor), it is `parallel_deflate` (pigz's scheme: blocks of
 * `block_size` bytes compressed on `threads` threads, each primed with the 32 KiB before it): its
 * `filter()` returns only once it has taken all input or filled the
 * output, compressing a queued block or waiting when every block slot is
 * busy, and its `threads - 1` workers start with the second block and are
 * joined by `close()` and the destructor.
 */
class BYTESIO_API igzip_deflate_engine {
public:
  using char_type = char;
  /** Copies of the filter share the engine, as Boost's filters do. */
  static constexpr filter_engine_options options{.shared = true};

  /** Input bytes per block with more than one thread, unless given. */
  static constexpr std::size_t block_size = std::size_t{256} << 10;

  /** The smallest block: the 32 KiB of history that primes each one. */
  static constexpr std::size_t min_block_size = std::size_t{32} << 10;

  /** The most threads a compressor takes (a guard against a buffer size passed as a count). */
  static constexpr unsigned max_threads = 256;

  /**
   * Allocates the ISA-L stream and the level buffer (one thread), or the
   * block ring (more; their buffers and the threads come when used).
   * @param level ISA-L level, 0 to 3.
   * @param threads compressing threads, the caller's included; 0:
   * `std::thread::hardware_concurrency()` (at most `max_threads`; 1 where it is unknown).
   * @param blocks bytes per block with more than one thread (the public
   *        filter always uses `block_size`; tests and benchmarks try others).
   * @throws std::ios_base::failure with `errc::invalid_argument` for a level
   *         outside 0..3, `threads > max_threads` or `blocks` outside
   *         `min_block_size`..1 GiB, checked before anything is allocated
   *         (the one check of all three); `std::bad_alloc`.
   */
  explicit igzip_deflate_engine(int level, unsigned threads = 1, std::size_t blocks = block_size);

  /** Selects BGZF output (the tagged constructor). */
  struct bgzf_t {};

  /**
   * An engine writing BGZF (`parallel_deflate` with BGZF framing): blocks of
   * 65,280 bytes, each a gzip member, compressed on the caller's thread
   * (`threads == 1`) or on `threads` threads (`threads - 1` workers and the
   * caller's), then BGZF's EOF block.
   * @throws as the other constructor (the messages name bgzf_compressor).
   */
  igzip_deflate_engine(bgzf_t, int level, unsigned threads);
  ~igzip_deflate_engine();
  /** Takes over the stream; `other` may only be destroyed. */
  igzip_deflate_engine(igzip_deflate_engine &&other) noexcept;
  igzip_deflate_engine(const igzip_deflate_engine &) = delete;
  igzip_deflate_engine &operator=(const igzip_deflate_engine &) = delete;

  /**
   * One step of compression; see the class comment.
   * @throws std::ios_base::failure with `std::io_errc::stream` if ISA-L's
   *         deflate reports an error (a bug, not bad input: the message
   *         gives ISA-L's code).
   */
  bool filter(const char *&src_begin, const char *src_end, char *&dest_begin, char *dest_end,
              bool flush);

  /**
   * Forgets the member in progress; the next byte starts a new member. With
   * more than one thread it joins the workers first. Never throws.
   */
  void close() noexcept;

  /** The thread count in use (0 given at construction resolved). */
  unsigned threads() const noexcept { return threads_; }

  /**
   * The restart points of the last stream finished: at block starts with
   * more than one thread or for BGZF (`parallel_deflate`), none for a
   * member on one thread (ISA-L's own blocks end where it chooses, unseen).
   */
  const gzip_index &index() const noexcept;

  /**
   * The buffer the chain should give the filter (Boost's
   * `optimal_buffer_size`): what measured fastest, see bench/igzip_bench.cpp.
   */
  std::size_t optimal_buffer_size() const noexcept;

private:
  struct state;
  std::unique_ptr<state> state_;
  std::unique_ptr<parallel_deflate> parallel_;
  unsigned threads_ = 1;
};

/**
 * A SymmetricFilter (`symmetric_engine`) that inflates gzip with ISA-L and checks
 * every byte around the deflate data itself (header fields, CRC-32, ISIZE,
 * member boundaries).
 *
 * `filter()` with `flush == false` returns `true` (more may come); with
 * `flush == true` (no more input will ever come) it returns `false` once the
 * last member is complete and all output is out, and throws if the input
 * stopped anywhere but at the end of a member.
 */
class BYTESIO_API igzip_inflate_engine {
public:
  using char_type = char;
  /** Copies of the filter share the engine, as Boost's filters do. */
  static constexpr filter_engine_options options{.shared = true};

  /** Allocates the ISA-L inflate state. @throws std::bad_alloc */
  igzip_inflate_engine();
  ~igzip_inflate_engine();
  /** Takes over the state; `other` may only be destroyed. */
  igzip_inflate_engine(igzip_inflate_engine &&other) noexcept;
  igzip_inflate_engine(const igzip_inflate_engine &) = delete;
  igzip_inflate_engine &operator=(const igzip_inflate_engine &) = delete;

  /**
   * One step of decompression; see the class comment.
   * @throws std::ios_base::failure with `errc::invalid_gzip`, naming the
   *         cause and the input offset.
   */
  bool filter(const char *&src_begin, const char *src_end, char *&dest_begin, char *dest_end,
              bool flush);

  /** Forgets all progress; the next byte is expected to start a member. Never throws. */
  void close() noexcept;

  /** The buffer the chain should give the filter, as for the deflate engine. */
  std::size_t optimal_buffer_size() const noexcept;

private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_IGZIP_ENGINE_HPP
