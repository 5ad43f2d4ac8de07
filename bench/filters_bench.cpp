// SPDX-License-Identifier: BSL-1.0
// The watching filters (filters.hpp): what a crc32_filter costs in a chain,
// and whether its CRC is as fast as the implementation it wraps.
//
// chain_*: 256 MiB written with one `write` into a filtering_ostream whose
// device is a bytes_device over a bytes_buf, with and without a filter in
// front (Boost's default buffers: the device's and the filter's own).
// `kept` reuses the buffer's capacity between iterations (no page faults:
// the filter's cost is the largest share it can be); `fresh` is a new
// bytes_buf each time, as a program that gathers one upload pays.
//
// crc32_*: the raw CRC-32 over 256 MiB (from memory) and over one 64 KiB
// block again and again (from cache: what the filter sees in a chain):
// bytesio::detail::crc32_update (what crc32_filter calls) next to ISA-L's
// crc32_gzip_refl and zlib's crc32_z called directly.
//
// Each row gives `GB/s`, 1e9 bytes per second of process CPU time (the
// machines this runs on are shared; CPU time stays honest under load). The
// targets are ratios, and on a loaded machine two rows measured seconds
// apart drift; so the `pair/*` rows run two jobs alternately in the same
// iterations and report `ratio`, the first job's time over the second's
// (throughput of the second relative to the first):
//   pair/chain_kept_crc32_filter     no filter over crc32_filter   (>= 0.8)
//   pair/chain_fresh_crc32_filter    the same with fresh buffers
//   pair/crc32_*_bytesio_vs_wrapped  ISA-L (else zlib) over ours    (>= 0.9)
//   pair/crc32_*_isal_vs_zlib        zlib over ISA-L: the speed-up
#include "bytesio/filters.hpp"

#include "bytesio/bytes_buf.hpp"
#include "bytesio/iostreams.hpp"

#include <benchmark/benchmark.h>
#include <boost/iostreams/filtering_stream.hpp>
#include <zlib.h>

#if BYTESIO_BENCH_ISAL
#include <isa-l/crc.h>
#endif

#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "support/data.hpp"
#include "support/rows.hpp"
#include "support/timing.hpp"

namespace io = boost::iostreams;

namespace {

constexpr std::size_t size = 256u << 20;
constexpr std::size_t block = 64u << 10;

const std::string &data() {
  static const std::string d = bench::random_bytes(size);
  return d;
}

const std::uint32_t &reference_crc() {
  static const std::uint32_t c = static_cast<std::uint32_t>(
      ::crc32_z(0, reinterpret_cast<const Bytef *>(data().data()), size));
  return c;
}

/** One timed job over the 256 MiB and the check of what it produced. */
struct job {
  std::function<void()> run;
  std::function<bool()> ok;
};

// --- a chain with and without a filter ------------------------------------------

enum class watch { none, crc32, counter, progress };

job chain(watch w, bool fresh) {
  struct state {
    bytesio::crc32_filter crc;
    bytesio::counter_filter counter;
    std::uint64_t reported = 0;
    bytesio::progress_filter progress{[this](std::uint64_t n) { reported = n; }};
    bytesio::bytes_buf kept;
    bool same = true;
  };
  auto st = std::make_shared<state>();
  st->kept.reserve(size);
  job j;
  j.run = [st, w, fresh] {
    bytesio::bytes_buf fresh_buf;
    bytesio::bytes_buf &buf = fresh ? fresh_buf : st->kept;
    buf.clear();
    {
      io::filtering_ostream os;
      if (w == watch::crc32)
        os.push(st->crc);
      else if (w == watch::counter)
        os.push(st->counter);
      else if (w == watch::progress)
        os.push(st->progress);
      os.push(bytesio::bytes_device(buf));
      os.write(data().data(), static_cast<std::streamsize>(size));
      os.reset();
    }
    st->same = st->same && buf.size() == size;
    benchmark::DoNotOptimize(buf.view().data());
  };
  j.ok = [st, w, fresh] {
    if (!st->same || (!fresh && std::memcmp(st->kept.view().data(), data().data(), size) != 0))
      return false;
    return (w != watch::crc32 || st->crc.value() == reference_crc()) &&
           (w != watch::counter || st->counter.bytes() == size) &&
           (w != watch::progress || st->reported == size);
  };
  j.run(); // faults in the kept capacity and warms the caches, untimed
  return j;
}

// --- the raw CRC ------------------------------------------------------------------

using crc_fn = std::uint32_t (*)(std::uint32_t, const char *, std::size_t);

std::uint32_t ours(std::uint32_t c, const char *p, std::size_t n) {
  return bytesio::detail::crc32_update(c, p, n);
}
std::uint32_t zlib(std::uint32_t c, const char *p, std::size_t n) {
  return static_cast<std::uint32_t>(::crc32_z(c, reinterpret_cast<const Bytef *>(p), n));
}
#if BYTESIO_BENCH_ISAL
std::uint32_t isal(std::uint32_t c, const char *p, std::size_t n) {
  return crc32_gzip_refl(c, reinterpret_cast<const unsigned char *>(p), n);
}
constexpr crc_fn wrapped = isal;
#else
constexpr crc_fn wrapped = zlib;
#endif

// `f` over the 256 MiB (`cached`: over one 64 KiB block, size / block times).
job raw(crc_fn f, bool cached) {
  auto crc = std::make_shared<std::uint32_t>(0);
  job j;
  j.run = [crc, f, cached] {
    std::uint32_t c = 0;
    if (cached)
      for (std::size_t i = 0; i < size / block; ++i)
        c = f(c, data().data(), block);
    else
      c = f(c, data().data(), size);
    benchmark::DoNotOptimize(c);
    *crc = c;
  };
  j.ok = [crc, cached] {
    std::uint32_t want = cached ? 0 : reference_crc();
    if (cached)
      for (std::size_t i = 0; i < size / block; ++i)
        want = zlib(want, data().data(), block);
    return *crc == want;
  };
  return j;
}

// --- the two ways to run jobs -------------------------------------------------------

void row(benchmark::State &state, const std::function<job()> &make) {
  const job j = make();
  bench::report_rate(state, size,
                     bench::seconds_per_call(state, bench::process_cpu_seconds, j.run));
  if (!j.ok())
    state.SkipWithError("wrong result");
}

// `first` and `second` alternately (the order swapped every iteration), each
// timed on its own.
void pair(benchmark::State &state, const std::function<job()> &make_first,
          const std::function<job()> &make_second) {
  const job a = make_first();
  const job b = make_second();
  double ta = 0;
  double tb = 0;
  bool a_first = true;
  for (auto _ : state) {
    for (int k = 0; k < 2; ++k) {
      const bool run_a = (k == 0) == a_first;
      const double t0 = bench::process_cpu_seconds();
      (run_a ? a : b).run();
      (run_a ? ta : tb) += bench::process_cpu_seconds() - t0;
    }
    a_first = !a_first;
  }
  const auto n = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * size));
  state.counters["ratio"] = ta / tb;
  state.counters["GB/s_first"] = static_cast<double>(size) * n / ta / 1e9;
  state.counters["GB/s_second"] = static_cast<double>(size) * n / tb / 1e9;
  if (!a.ok() || !b.ok())
    state.SkipWithError("wrong result");
}

void register_all() {
  const bench::rows ms(bench::milliseconds, bench::real_time);
  const std::pair<const char *, watch> filters[] = {{"no_filter", watch::none},
                                                    {"crc32_filter", watch::crc32},
                                                    {"counter_filter", watch::counter},
                                                    {"progress_filter", watch::progress}};
  for (const bool fresh : {false, true}) {
    const std::string w = fresh ? "chain_256MiB_fresh/" : "chain_256MiB_kept/";
    for (const auto &[name, f] : filters)
      ms.add(w + name,
             [f = f, fresh](benchmark::State &s) { row(s, [&] { return chain(f, fresh); }); });
  }
  for (const bool cached : {false, true}) {
    const std::string w = cached ? "crc32_64KiB_blocks/" : "crc32_256MiB/";
    const auto raw_row = [cached](crc_fn f) {
      return [f, cached](benchmark::State &s) { row(s, [&] { return raw(f, cached); }); };
    };
    // The wrapped implementation first: the table's baseline.
#if BYTESIO_BENCH_ISAL
    ms.add(w + "isal", raw_row(isal));
#endif
    ms.add(w + "zlib", raw_row(zlib)).add(w + "bytesio", raw_row(ours));
  }
  for (const bool fresh : {false, true})
    ms.add(fresh ? "pair/chain_fresh_crc32_filter" : "pair/chain_kept_crc32_filter",
           [fresh](benchmark::State &s) {
             pair(
                 s, [&] { return chain(watch::none, fresh); },
                 [&] { return chain(watch::crc32, fresh); });
           });
  for (const bool cached : {false, true}) {
    const std::string w = cached ? "pair/crc32_64KiB_blocks_" : "pair/crc32_256MiB_";
    const auto raw_pair = [cached](crc_fn first, crc_fn second) {
      return [=](benchmark::State &s) {
        pair(
            s, [&] { return raw(first, cached); }, [&] { return raw(second, cached); });
      };
    };
    ms.add(w + "bytesio_vs_wrapped", raw_pair(wrapped, ours));
#if BYTESIO_BENCH_ISAL
    ms.add(w + "isal_vs_zlib", raw_pair(zlib, isal));
#endif
  }
}

} // namespace

int main(int argc, char **argv) {
  data();
  reference_crc();
  register_all();
  return bench::run_main(argc, argv);
}
