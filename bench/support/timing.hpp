// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BENCH_SUPPORT_TIMING_HPP
#define BYTESIO_BENCH_SUPPORT_TIMING_HPP

// The clocks the benchmarks time themselves by and the `GB/s` counter,
// written once. The machines these run on are shared: CPU time stays honest
// under load where real time does not, so most rows report the rate of a
// CPU clock next to Google Benchmark's own columns.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>

namespace bench {

/** CPU seconds of the whole process, every thread, user + system (page faults count). */
inline double process_cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

/** CPU seconds of the calling thread: a single-threaded row's own work. */
inline double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/** Seconds of the steady clock: where the point is the wall clock (threads, pigz). */
inline double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/** Runs `body` once per iteration of `state`; returns the seconds a call took by `clock`. */
template <class Body>
double seconds_per_call(benchmark::State &state, double (*clock)(), Body &&body) {
  const double start = clock();
  for (auto _ : state)
    body();
  return (clock() - start) / static_cast<double>(state.iterations());
}

/**
 * Reports `bytes` processed per call: Google Benchmark's bytes_per_second
 * (of its own clock, what bench/table.py reads) and the counter `GB/s`,
 * 1e9 bytes per `seconds_per_call` of the row's clock.
 */
inline void report_rate(benchmark::State &state, std::size_t bytes, double seconds_per_call) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes));
  state.counters["GB/s"] = static_cast<double>(bytes) / seconds_per_call / 1e9;
}

} // namespace bench

#endif // BYTESIO_BENCH_SUPPORT_TIMING_HPP
