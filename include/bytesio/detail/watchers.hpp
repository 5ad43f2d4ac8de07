// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_WATCHERS_HPP
#define BYTESIO_DETAIL_WATCHERS_HPP

// The engines of crc32_filter, counter_filter and progress_filter
// (filters.hpp): watching engines of the filter shell (filter_engine.hpp),
// which hand every byte on unchanged. Standard library only.

#include "bytesio/detail/crc32.hpp"
#include "bytesio/detail/filter_engine.hpp"
#include "bytesio/error.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>

namespace bytesio::detail {

/**
 * The buffer the watching filters ask of a chain: 64 KiB less 16 bytes.
 *
 * Why not 64 KiB: a chain allocates this buffer and the next link's (64 KiB
 * for a `bytes_device`) from the heap, in steady state back to back, so the
 * second starts 64 KiB + 16 bytes after the first; on some CPUs (AMD Zen 3)
 * glibc's `memcpy` (`rep movsb`) slows down many times over when the
 * destination lies 16 bytes past a multiple of 4 KiB from the source, and
 * that copy (this buffer into the next) is the one every `write` makes. 16
 * bytes less puts the two 4 KiB-aligned to each other (bench/filters_bench;
 * the README's Performance section has the figures).
 */
inline constexpr std::size_t watch_buffer_size = 64 * 1024 - 16;

/** crc32_filter's engine: the running CRC. */
struct crc32_watcher {
  static constexpr filter_engine_options options{.shared = true, .start = true};

  std::uint32_t crc = 0;

  std::size_t optimal_buffer_size() const noexcept { return watch_buffer_size; }
  void start() noexcept { crc = 0; }
  std::size_t step(std::size_t n) const noexcept { return n; }
  void observe(const char *s, std::size_t n) noexcept { crc = crc32_update(crc, s, n); }
};

/**
 * The number of '\n' bytes in `s[0, n)`, by a loop that compilers
 * vectorize: 64 byte-wide counters, each taking at most 255 blocks before
 * they are added up (several times `std::count`'s speed with g++ 12 and
 * clang 14 at -O2/-O3). Not inlined: inlined into a caller, g++ -O2 stopped
 * vectorizing it.
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
 * than 256 bytes on average, one memchr call per line costs more than
 * counting every byte, which takes over for the rest.
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

/** counter_filter's engine: 64-bit byte and line counts. */
struct counter_watcher {
  static constexpr filter_engine_options options{.shared = true, .start = true};

  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;

  std::size_t optimal_buffer_size() const noexcept { return watch_buffer_size; }
  void start() noexcept { bytes = lines = 0; }
  std::size_t step(std::size_t n) const noexcept { return n; }
  void observe(const char *s, std::size_t n) noexcept {
    bytes += n;
    lines += count_newlines(s, n);
  }
};

/**
 * progress_filter's engine. Bytes pass in steps that stop at each multiple
 * of `every`, so the callback sees exact multiples whatever the chunking.
 */
struct progress_watcher {
  static constexpr filter_engine_options options{
      .shared = true, .start = true, .notify = true, .finish = true};

  /** @throws std::ios_base::failure with `errc::invalid_argument` if `f` is empty. */
  progress_watcher(std::function<void(std::uint64_t)> &&f, std::uint64_t n)
      : callback(std::move(f)), every(n), next(n) {
    if (!callback)
      throw_error(errc::invalid_argument, "progress_filter: the callback is empty");
  }

  std::function<void(std::uint64_t)> callback;
  std::uint64_t every;
  std::uint64_t bytes = 0;
  std::uint64_t next; // the next multiple of `every` to report (every == 0: none)
  bool due = false;   // `next` was reached and not reported yet

  std::size_t optimal_buffer_size() const noexcept { return watch_buffer_size; }
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

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_WATCHERS_HPP
