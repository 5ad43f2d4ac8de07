// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_FILTERS_HPP
#define BYTESIO_FILTERS_HPP

/**
 * @file
 * Filters that watch the bytes: Boost.Iostreams filters that hand on every
 * byte unchanged and observe it on the way.
 *
 * - `crc32_filter`: the CRC-32 of gzip and zlib of what passed (an ETag,
 *   the checksum of an upload, the value a gzip trailer carries);
 * - `counter_filter`: 64-bit counts of the bytes and of the lines (unlike
 *   Boost's `basic_counter`, which counts in `int`);
 * - `progress_filter`: calls a function every N bytes and once at the end.
 *
 * @code
 * bytesio::crc32_filter crc;
 * bytesio::counter_filter compressed;
 * io::filtering_ostream out;
 * out.push(crc);                          // sees the plain bytes
 * out.push(io::gzip_compressor());
 * out.push(compressed);                   // sees the gzip bytes
 * out.push(bytesio::bytes_device(buf));
 * out << report;
 * out.reset();                            // ends the stream
 * crc.value(); compressed.bytes();        // read from the objects pushed
 * @endcode
 *
 * What they have in common (the class comments say only what differs):
 *
 * - **Pass-through, both directions.** Dual-use (a `filtering_ostream` or a
 *   `filtering_istream`, `compose`, `|` pipelines), multichar, closable.
 *   The bytes that leave are the bytes that entered, in order, for any
 *   chunking, with blocking and non-blocking devices alike.
 * - **Buffering.** They ask a chain for buffers of about 64 KiB
 *   (`optimally_buffered_tag`; `detail::watch_buffer_size` says why 16 bytes less), so a
 *   plain `push(filter)` is fast; Boost's default for a filter would be 128
 *   bytes. `push(filter, n)` overrides it.
 * - **What is counted.** The bytes that made it through: in output use,
 *   what the next link accepted (the next filter, or in a chain the
 *   device's stream buffer), as its `write` returned; in input use, what was
 *   returned to the reader. A call that throws counts nothing of that call,
 *   so after a failure the values cover a prefix of what the next link
 *   received: all of it where that link takes a call whole or not at all (a
 *   `bytes_device` driven directly), less the part a link took before it
 *   threw (Boost's unbuffered stream buffer around a device that refused
 *   its 1001st byte). Nothing is ever counted twice.
 * - **Shared state.** A chain stores a copy of what is pushed, so copies
 *   share one state: `out.push(crc); ... crc.value()` reads what passed
 *   through the chain's copy, and so does
 *   `out.component<bytesio::crc32_filter>(0)->value()`. Copying is cheap (a
 *   `std::shared_ptr`); there is no moved-from state (a move copies). To
 *   watch two chains, make two filters.
 * - **Streams and reset.** A stream runs from its first `read`/`write` to the
 *   close that ends it (see "Closing"). The values stay readable after that
 *   close, for as long as any copy lives, and go back to zero when the next
 *   stream starts: at its first `read`/`write`, or at a close that ends an
 *   empty stream. So reading them after `reset()`/`pop()`/`close()` of the
 *   chain is the intended use, and one filter pushed again counts each
 *   stream afresh.
 * - **Closing.** The close of the direction in use ends the stream:
 *   `close(out)` after writes, `close(in)` after reads; a chain's `close()`,
 *   `reset()` and `pop()` and `compose()`'s close make exactly that call,
 *   once. A filter closed without a `read`/`write` since the last end ends
 *   an empty stream (in either direction the device can go). A close of the
 *   other direction changes nothing. `boost::iostreams::close(filter,
 *   device, in | out)` closes `in`, then `out`: one stream ends. (With a
 *   device that can both read and write, a `close(out)` that comes right
 *   after a `close(in)` ended a stream, with no `read`/`write` between, is
 *   taken for that pair's second half and ends nothing.)
 *   Nothing is pending at a close: these filters never hold bytes back.
 * - **Sticky failures** (DESIGN.md). The first exception of a stream (the
 *   next device refused bytes: a `bytes_device` over a buffer at its size
 *   limit throws `size_limit`; a progress callback threw; `std::bad_alloc`)
 *   propagates and is remembered: every later `read`, `write` and `close`
 *   throws that same exception object again and hands nothing on and counts
 *   nothing, so the bytes Boost's chain offers again after it swallowed the
 *   error in `sync()` are neither handed on twice nor counted twice. The
 *   close that ends the stream throws it one last time (without the
 *   progress filter's closing call) and clears it, and the next stream
 *   starts fresh. The values keep what was counted before the failure.
 *   One failure no filter sees: a device pushed with a buffer (Boost's
 *   default) gets the chain's last bytes in the `sync()` of Boost's close,
 *   which swallows what the device throws; push a device that may refuse
 *   bytes unbuffered (`push(dev, 1)`) or check the device afterwards.
 * - **Threads.** Not thread-safe, like Boost's filters: one thread at a time
 *   drives the chain and reads the values (they are plain integers, not
 *   atomics; `progress_filter` is the way to report progress elsewhere).
 *
 * Linking. `counter_filter` and `progress_filter` are header-only (they
 * need Boost.Iostreams' headers and the core `bytesio` for the error
 * category). `crc32_filter` also needs the library `bytesio_filters` (CMake
 * `bytesio::filters`, b2 `/bytesio//bytesio_filters`), one source file that
 * computes the CRC with the fastest implementation the build found: ISA-L's
 * `crc32_gzip_refl` (carry-less multiplication) where ISA-L is installed,
 * else zlib's `crc32_z`; the value is the same. A library of its own keeps
 * the core free of ISA-L and zlib, and gives one name to link whichever of
 * the two is there (`bytesio::igzip` exists only with ISA-L).
 */

#include "bytesio/detail/filter_shell.hpp"
#include "bytesio/detail/watchers.hpp"

#include <boost/iostreams/pipeline.hpp>

#include <cstdint>
#include <functional>
#include <utility>

namespace bytesio {

/**
 * A pass-through filter that computes the CRC-32 of the bytes that pass.
 *
 * The CRC is the one of gzip (RFC 1952), zlib's `crc32()`, PNG and
 * `crc32(1)`; the CRC of nothing is 0. It is the value a gzip member's
 * trailer carries for the same plain bytes, so a `crc32_filter` in front of
 * a gzip compressor (or behind a decompressor) checks a whole round trip.
 * Everything else (directions, what copies share, when the value resets,
 * sticky failures) is in the file comment.
 *
 * The CRC is computed by ISA-L's carry-less multiplication where the build
 * found ISA-L, else by zlib (the file comment says how); bench/filters_bench
 * and the README's Performance section give the speeds. Link
 * `bytesio::filters`.
 */
class crc32_filter : public detail::filter_shell<detail::crc32_watcher> {
public:
  /** A filter with CRC 0 and a state of its own. @throws std::bad_alloc */
  crc32_filter() : filter_shell(detail::crc32_watcher{}) {}

  /**
   * The CRC-32 of the bytes that passed in the current stream, or in the
   * last one ended if none has started since.
   */
  std::uint32_t value() const noexcept { return engine().crc; }
};

/**
 * A pass-through filter that counts bytes and lines, in 64 bits.
 *
 * A line is counted for every '\n' byte (as `wc -l` does: a last line
 * without '\n' is not counted; "\r\n" counts once). The counts of one
 * stream are exact up to 2^64 - 1. Everything else is in the file comment.
 */
class counter_filter : public detail::filter_shell<detail::counter_watcher> {
public:
  /** A filter with zero counts and a state of its own. @throws std::bad_alloc */
  counter_filter() : filter_shell(detail::counter_watcher{}) {}

  /**
   * The bytes that passed in the current stream, or in the last one ended
   * if none has started since.
   */
  std::uint64_t bytes() const noexcept { return engine().bytes; }

  /** The '\n' bytes among them. */
  std::uint64_t lines() const noexcept { return engine().lines; }
};

/**
 * A pass-through filter that reports progress: it calls `f(bytes_so_far)`
 * each time another `every` bytes have passed, and once when the stream
 * ends.
 *
 * The calls of one stream of `t` bytes are `f(every)`, `f(2 * every)`, ...
 * up to the last multiple of `every` not above `t`, then `f(t)` at the
 * close that ends it (so a total that is a multiple of `every` is reported
 * twice, and an empty stream once, with 0). Each call comes once exactly
 * that many bytes have passed: in output use after the next device has
 * accepted them (the filter hands bytes on in pieces that stop at each
 * multiple), in input use at the next `read` (or the ending close) after
 * the reader has received them, so it never reports bytes that did not
 * reach the other side. The calls are the same for any chunking.
 *
 * The callback runs inside the chain's `write`/`read`/`close`, on the
 * thread that drives the chain; it must not use that chain. What it throws
 * propagates: from a `read` or `write` it becomes the stream's sticky
 * failure (see the file comment; the bytes it was reporting have passed
 * and stay counted); from the ending close it propagates once and the
 * filter is reset. After a failure, the ending close does not call `f`.
 *
 * `every == 0` reports only at the end. Copies share the callback and the
 * count (the file comment says what else they share).
 */
class progress_filter : public detail::filter_shell<detail::progress_watcher> {
public:
  /**
   * A filter that reports to `f` every `every` bytes and at the end.
   * @param f called with the number of bytes passed so far; moved into the
   *        shared state (a copy of the filter does not copy it).
   * @param every the reporting interval in bytes (default 1 MiB; 0: only at
   *        the end).
   * @throws std::ios_base::failure with `errc::invalid_argument` if `f` is
   *         empty; std::bad_alloc.
   */
  explicit progress_filter(std::function<void(std::uint64_t bytes_so_far)> f,
                           std::uint64_t every = 1 << 20)
      : filter_shell(detail::progress_watcher(std::move(f), every)) {}

  /**
   * The bytes that passed in the current stream, or in the last one ended
   * if none has started since.
   */
  std::uint64_t bytes() const noexcept { return engine().bytes; }

  /** The reporting interval given at construction. */
  std::uint64_t every() const noexcept { return engine().every; }
};

BOOST_IOSTREAMS_PIPABLE(crc32_filter, 0)
BOOST_IOSTREAMS_PIPABLE(counter_filter, 0)
BOOST_IOSTREAMS_PIPABLE(progress_filter, 0)

} // namespace bytesio

#endif // BYTESIO_FILTERS_HPP
