// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BENCH_SUPPORT_ROWS_HPP
#define BYTESIO_BENCH_SUPPORT_ROWS_HPP

// Registering the benchmarks' rows, written once: every row of a table is
// "<workload>/<implementation>" (bench/table.py splits there), registered in
// the order given (a workload's first row is its baseline unless one is
// labelled so), and the rows of a group share their settings (unit, clock,
// arguments). Also the one main() of every benchmark program.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bench {

/** What a setting changes: one registered benchmark (Google Benchmark's builder). */
using benchmark_ptr = benchmark::internal::Benchmark *;

/** Setting: report in milliseconds. */
inline void milliseconds(benchmark_ptr b) { b->Unit(benchmark::kMillisecond); }

/** Setting: report in microseconds. */
inline void microseconds(benchmark_ptr b) { b->Unit(benchmark::kMicrosecond); }

/** Setting: time by the wall clock, not the main thread's CPU ("/real_time" in the name). */
inline void real_time(benchmark_ptr b) { b->UseRealTime(); }

/** Setting: the body times itself, state.SetIterationTime ("/manual_time" in the name). */
inline void manual_time(benchmark_ptr b) { b->UseManualTime(); }

/** Setting: one run per value, the body's state.range(0). */
inline auto args(std::initializer_list<std::int64_t> values) {
  return [v = std::vector<std::int64_t>(values)](benchmark_ptr b) {
    for (const std::int64_t x : v)
      b->Arg(x);
  };
}

/**
 * Setting: one run per chain buffer size the filter benchmarks sweep, the
 * body's state.range(0): 4 KiB to 1 MiB, then 0, a push with no size (the
 * buffer the filter declares), each workload's baseline. `more` follow as
 * state.range(1), ...
 */
inline auto chain_buffer_sizes(std::initializer_list<std::int64_t> more = {}) {
  return [m = std::vector<std::int64_t>(more)](benchmark_ptr b) {
    for (const std::int64_t size : {4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 0}) {
      std::vector<std::int64_t> a{size};
      a.insert(a.end(), m.begin(), m.end());
      b->Args(a);
    }
  };
}

/**
 * A group of rows that share settings, registered as they are added.
 *
 * @code
 * const bench::rows ms(bench::milliseconds, bench::real_time);
 * ms.add("encode/openssl", encode_openssl).add("encode/ours", encode_ours);
 * ms.peers<ostringstream_impl, bytesio_impl>("write_16B", []<class I>(
 *     benchmark::State &s, std::type_identity<I>) { write_records<I>(s, 16); });
 * @endcode
 */
class rows {
public:
  /** Rows with each of `settings` applied, in order. */
  template <class... Settings>
  explicit rows(Settings... settings)
      : settings_([=]([[maybe_unused]] benchmark_ptr b) { (settings(b), ...); }) {}

  /** The row `name`, run as body(state), with the group's settings then `more`. */
  template <class Body, class... More>
  const rows &add(const std::string &name, Body body, More... more) const {
    const benchmark_ptr b = benchmark::RegisterBenchmark(name.c_str(), std::move(body));
    settings_(b);
    (more(b), ...);
    return *this;
  }

  /**
   * One row "<workload>/<Peer::name>" per Peer, in the order given, each run
   * as body(state, std::type_identity<Peer>{}): the same measurement of
   * every peer. In a template whose Peers are its own parameters, call it
   * as a statement of its own: chained after another such call it would
   * need `.template peers<...>`.
   */
  template <class... Peers, class Body>
  const rows &peers(const std::string &workload, Body body) const {
    (add(workload + "/" + Peers::name,
         [body](benchmark::State &state) { body(state, std::type_identity<Peers>{}); }),
     ...);
    return *this;
  }

private:
  std::function<void(benchmark_ptr)> settings_;
};

/** The main() of every benchmark program: Google Benchmark's flags; an unknown one fails. */
inline int run_main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

} // namespace bench

#endif // BYTESIO_BENCH_SUPPORT_ROWS_HPP
