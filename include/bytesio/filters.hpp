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
 *   (`optimally_buffered_tag`; `buffer_size` says why 16 bytes less), so a
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

#include "bytesio/detail/crc32.hpp"
#include "bytesio/detail/sticky_failure.hpp"
#include "bytesio/error.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/pipeline.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <ios>
#include <memory>
#include <utility>

namespace bytesio {
namespace detail {

/**
 * The one implementation of the three filters: Boost.Iostreams plumbing,
 * the stream protocol and the sticky failure around a `Watcher`, kept with
 * them in one state that the copies share.
 *
 * A Watcher has `start()` (noexcept: zero for a new stream),
 * `std::size_t step(std::size_t n)` (noexcept: how many of `n` bytes may
 * pass before it must see them), `observe(const char *s, std::size_t n)`
 * (noexcept: `n` bytes passed), `notify()` (may throw: act on what was
 * observed; the filter calls it once the bytes have reached the other side)
 * and `finish()` (may throw: the stream ended without a failure).
 */
template <class Watcher>
class watching_filter {
public:
  /** The character type of the filter: bytes as `char`. */
  using char_type = char;

  /** Boost.Iostreams category: dual-use multichar filter, closable, optimally buffered. */
  struct category : boost::iostreams::dual_use,
                    boost::iostreams::filter_tag,
                    boost::iostreams::multichar_tag,
                    boost::iostreams::closable_tag,
                    boost::iostreams::optimally_buffered_tag {};

  /**
   * The buffer size asked of a chain: 64 KiB less 16 bytes.
   *
   * Why not 64 KiB: a chain allocates this buffer and the next link's
   * (64 KiB for a `bytes_device`) from the heap, in steady state back to
   * back, so the second starts 64 KiB + 16 bytes after the first; glibc's
   * `memcpy` (`rep movsb`) on AMD Zen 3 copies at a twentieth of its speed
   * when the destination lies 16 bytes past a multiple of 4 KiB from the
   * source, and that copy (this buffer into the next) is the one every
   * `write` makes. 16 bytes less puts the two 4 KiB-aligned to each other;
   * measured on a 256 MiB chain into a `bytes_device` with a `crc32_filter`:
   * 0.34x of the chain without the filter at 64 KiB, 0.65x with this size
   * (bench/filters_bench).
   */
  static constexpr std::streamsize buffer_size = 64 * 1024 - 16;

  /** Copies share the state (cheap). */
  watching_filter(const watching_filter &) = default;
  /** Shares `other`'s state from now on. */
  watching_filter &operator=(const watching_filter &) = default;
  ~watching_filter() = default;

  /** The buffer size Boost's chain gives this filter by default. */
  std::streamsize optimal_buffer_size() const noexcept { return buffer_size; }

  /**
   * Input use: reads up to `n` bytes from `src` into `s`, observes them.
   * @return the count (0 if a non-blocking `src` has nothing now, or the
   *         progress filter stops at a multiple of `every`), -1 at the end.
   * @throws whatever `src` throws; the progress callback's exception; the
   *         stored failure. Counts nothing of a call that throws.
   */
  template <class Source>
  std::streamsize read(Source &src, char *s, std::streamsize n);

  /**
   * Output use: hands `s[0, n)` to `snk` and observes what it accepted.
   * @return the count accepted (`n` unless a non-blocking `snk` took less).
   * @throws whatever `snk` throws; the progress callback's exception; the
   *         stored failure.
   */
  template <class Sink>
  std::streamsize write(Sink &snk, const char *s, std::streamsize n);

  /**
   * Ends the stream if `which` is the direction in use (see the file
   * comment); any other close only reports a stored failure. Never touches
   * `dev`: nothing is pending.
   * @throws the stored failure (the ending close clears it); the progress
   *         callback's exception (not stored).
   */
  template <class Device>
  void close(Device &dev, std::ios_base::openmode which);

protected:
  /** A filter with a fresh state whose watcher is made from `args`. @throws std::bad_alloc */
  template <class... Args>
  explicit watching_filter(std::in_place_t, Args &&...args)
      : state_(std::make_shared<state>(std::forward<Args>(args)...)) {}

  /** The watcher the copies share. */
  const Watcher &watcher() const noexcept { return state_->watcher; }

private:
  enum class mode : unsigned char { idle, reading, writing };

  struct state {
    template <class... Args>
    explicit state(Args &&...args) : watcher(std::forward<Args>(args)...) {}

    Watcher watcher;
    mode use = mode::idle;
    bool ended_in = false; // idle since a close(in) ended a stream
    sticky_failure failure;
  };

  static void begin(state &st, mode m) noexcept;

  std::shared_ptr<state> state_;
};

/** crc32_filter's watcher: the running CRC. */
struct crc32_watcher {
  std::uint32_t crc = 0;

  void start() noexcept { crc = 0; }
  std::size_t step(std::size_t n) const noexcept { return n; }
  void observe(const char *s, std::size_t n) noexcept { crc = crc32_update(crc, s, n); }
  void notify() noexcept {}
  void finish() noexcept {}
};

/**
 * The number of '\n' bytes in `s[0, n)`, by a loop that compilers
 * vectorize: 64 byte-wide counters, each taking at most 255 blocks before
 * they are added up (12 to 40 GB/s with g++ 12 and clang 14 at -O2/-O3,
 * where `std::count` runs at 1.5 to 4). Not inlined: inlined into a caller,
 * g++ -O2 stopped vectorizing it (1.3 GB/s).
 */
[[gnu::noinline]] inline std::uint64_t count_newlines_dense(const char *s, std::size_t n) noexcept {
  constexpr std::size_t width = 64;
  std::uint64_t total = 0;
  while (n >= width) {
    const std::size_t blocks = std::min<std::size_t>(n / width, 255);
    unsigned char lanes[width] = {};
    for (std::size_t j = 0; j < blocks; ++j, s += width)
      for (std::size_t i = 0; i < width; ++i)
        lanes[i] = static_cast<unsigned char>(lanes[i] + (s[i] == '\n'));
    for (const unsigned char c : lanes)
      total += c;
    n -= blocks * width;
  }
  for (std::size_t i = 0; i < n; ++i)
    total += s[i] == '\n';
  return total;
}

/**
 * The number of '\n' bytes in `s[0, n)`.
 *
 * memchr skips long lines at memory speed; where lines turn out shorter
 * than 256 bytes on average, one memchr call per line (some 10 ns) costs
 * more than counting every byte, which takes over for the rest.
 */
inline std::uint64_t count_newlines(const char *s, std::size_t n) noexcept {
  std::uint64_t lines = 0;
  const char *p = s;
  const char *const end = s + n;
  while (p != end) {
    const void *q = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (q == nullptr)
      break;
    p = static_cast<const char *>(q) + 1;
    ++lines;
    if (lines % 16 == 0 && static_cast<std::uint64_t>(p - s) < lines * 256)
      return lines + count_newlines_dense(p, static_cast<std::size_t>(end - p));
  }
  return lines;
}

/** counter_filter's watcher: 64-bit byte and line counts. */
struct counter_watcher {
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;

  void start() noexcept { bytes = lines = 0; }
  std::size_t step(std::size_t n) const noexcept { return n; }
  void observe(const char *s, std::size_t n) noexcept {
    bytes += n;
    lines += count_newlines(s, n);
  }
  void notify() noexcept {}
  void finish() noexcept {}
};

/**
 * progress_filter's watcher. Bytes pass in steps that stop at each multiple
 * of `every`, so the callback sees exact multiples whatever the chunking.
 */
struct progress_watcher {
  progress_watcher(std::function<void(std::uint64_t)> &&f, std::uint64_t n);

  std::function<void(std::uint64_t)> callback;
  std::uint64_t every;
  std::uint64_t bytes = 0;
  std::uint64_t next; // the next multiple of `every` to report (every == 0: none)
  bool due = false;   // `next` was reached and not reported yet

  void start() noexcept {
    bytes = 0;
    next = every;
    due = false;
  }
  std::size_t step(std::size_t n) const noexcept {
    return every == 0 ? n : static_cast<std::size_t>(std::min<std::uint64_t>(n, next - bytes));
  }
  void observe(const char *, std::size_t n) noexcept {
    bytes += n;
    due = every != 0 && bytes == next;
  }
  void notify() {
    if (!due)
      return;
    due = false;
    next += every;
    callback(bytes);
  }
  void finish() { callback(bytes); }
};

} // namespace detail

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
 * Speed, measured by bench/filters_bench on one AMD EPYC (Zen 3) core:
 * ISA-L's CRC runs at about 10.5 GB/s from cache, 3.8x zlib 1.2.13's;
 * `detail::crc32_update` costs nothing over calling ISA-L directly (1.00x).
 * A chain into a `bytes_device` moves some 3.7 GB/s, so the CRC (bound by
 * the carry-less multiplier: ISA-L's AVX-512 loop is not available there)
 * and the copy into this filter's buffer take it to about 0.65x of the same
 * chain without the filter; a filter that only passes bytes on costs 0.88x.
 * Link `bytesio::filters`.
 */
class crc32_filter : public detail::watching_filter<detail::crc32_watcher> {
public:
  /** A filter with CRC 0 and a state of its own. @throws std::bad_alloc */
  crc32_filter() : watching_filter(std::in_place) {}

  /**
   * The CRC-32 of the bytes that passed in the current stream, or in the
   * last one ended if none has started since.
   */
  std::uint32_t value() const noexcept { return watcher().crc; }
};

/**
 * A pass-through filter that counts bytes and lines, in 64 bits.
 *
 * A line is counted for every '\n' byte (as `wc -l` does: a last line
 * without '\n' is not counted; "\r\n" counts once). The counts of one
 * stream are exact up to 2^64 - 1. Everything else is in the file comment.
 */
class counter_filter : public detail::watching_filter<detail::counter_watcher> {
public:
  /** A filter with zero counts and a state of its own. @throws std::bad_alloc */
  counter_filter() : watching_filter(std::in_place) {}

  /**
   * The bytes that passed in the current stream, or in the last one ended
   * if none has started since.
   */
  std::uint64_t bytes() const noexcept { return watcher().bytes; }

  /** The '\n' bytes among them. */
  std::uint64_t lines() const noexcept { return watcher().lines; }
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
class progress_filter : public detail::watching_filter<detail::progress_watcher> {
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
      : watching_filter(std::in_place, std::move(f), every) {}

  /**
   * The bytes that passed in the current stream, or in the last one ended
   * if none has started since.
   */
  std::uint64_t bytes() const noexcept { return watcher().bytes; }

  /** The reporting interval given at construction. */
  std::uint64_t every() const noexcept { return watcher().every; }
};

BOOST_IOSTREAMS_PIPABLE(crc32_filter, 0)
BOOST_IOSTREAMS_PIPABLE(counter_filter, 0)
BOOST_IOSTREAMS_PIPABLE(progress_filter, 0)

} // namespace bytesio

#include "bytesio/impl/filters.hpp"

#endif // BYTESIO_FILTERS_HPP
