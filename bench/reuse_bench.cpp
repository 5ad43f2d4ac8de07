// SPDX-License-Identifier: BSL-1.0
// Memory reuse (issue 27): a server builds each response in memory, 4 KiB
// records at a time, takes it out and lets it go; the next request does the
// same. Per response size, the same loop with bytesio (take() and
// getvalue()), bytesio with its block cache off (what it did before the
// cache), std::ostringstream, Boost's vectorstream, and the limit: memcpy of
// the same records into warm memory. Each row reports its CPU seconds per
// GiB produced (the whole process: page faults are system time), wall
// seconds per GiB, and the peak resident memory during the row. Then the
// same loop on two threads (each its own responses), and one thread
// producing while another frees what it produced.
#include "bytesio/bytes_stream.hpp"

#include "support/data.hpp"
#include "support/rows.hpp"
#include "support/timing.hpp"

#include <boost/interprocess/streams/vectorstream.hpp>

#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kib = 1024;
constexpr std::size_t mib = kib * kib;
constexpr std::size_t record_size = 4 * kib;

const std::vector<char> &record() {
  static const std::vector<char> r = bench::lcg_bytes(record_size, 7);
  return r;
}

/** Writes `size` bytes of records into `os`. */
template <class Stream>
void write_response(Stream &os, std::size_t size) {
  const char *r = record().data();
  for (std::size_t done = 0; done < size; done += record_size)
    os.write(r, static_cast<std::streamsize>(record_size));
}

struct ostringstream_peer {
  static constexpr const char *name = "ostringstream";
  static std::size_t respond(std::size_t size) {
    std::ostringstream os;
    write_response(os, size);
    const std::string out = std::move(os).str();
    benchmark::DoNotOptimize(out.data());
    return out.size();
  }
};

struct vectorstream_peer {
  static constexpr const char *name = "boost_vectorstream";
  static std::size_t respond(std::size_t size) {
    boost::interprocess::basic_vectorstream<std::vector<char>> os;
    write_response(os, size);
    std::vector<char> out;
    os.swap_vector(out);
    benchmark::DoNotOptimize(out.data());
    return out.size();
  }
};

struct bytesio_peer {
  static constexpr const char *name = "bytesio";
  static std::size_t respond(std::size_t size) {
    bytesio::bytes_stream os;
    write_response(os, size);
    const bytesio::byte_vector out = os.take();
    benchmark::DoNotOptimize(out.data());
    return out.size();
  }
};

/** The same loop with the cache off: what every response cost before it. */
struct bytesio_no_cache_peer {
  static constexpr const char *name = "bytesio_no_cache";
  static std::size_t respond(std::size_t size) { return bytesio_peer::respond(size); }
};

struct ostringstream_str_peer {
  static constexpr const char *name = "ostringstream_str";
  static std::size_t respond(std::size_t size) {
    std::ostringstream os;
    write_response(os, size);
    const std::string out = os.str(); // a copy, as getvalue() is
    benchmark::DoNotOptimize(out.data());
    return out.size();
  }
};

struct bytesio_getvalue_peer {
  static constexpr const char *name = "bytesio_getvalue";
  static std::size_t respond(std::size_t size) {
    bytesio::bytes_stream os;
    write_response(os, size);
    const bytesio::byte_vector out = os.getvalue();
    benchmark::DoNotOptimize(out.data());
    return out.size();
  }
};

/** The limit: the same records copied into memory that is warm already. */
struct memcpy_warm_peer {
  static constexpr const char *name = "memcpy_warm";
  static std::size_t respond(std::size_t size) {
    static std::vector<char> warm;
    if (warm.size() < size)
      warm.assign(size, 1);
    const char *r = record().data();
    for (std::size_t done = 0; done < size; done += record_size)
      std::memcpy(warm.data() + done, r, record_size);
    benchmark::DoNotOptimize(warm.data());
    return size;
  }
};

/** Peak resident memory since the last reset_peak_rss(), in MiB (Linux; 0 elsewhere). */
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;) {
    double kb = 0;
    if (key == "VmHWM:" && status >> kb)
      return kb / 1024;
  }
  return 0;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

/** Reports CPU and wall seconds per GiB produced, and the row's peak RSS. */
void report(benchmark::State &state, std::size_t bytes, double cpu, double wall) {
  const double gib = static_cast<double>(bytes) / double(1 << 30);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["cpu_s/GiB"] = cpu / gib;
  state.counters["wall_s/GiB"] = wall / gib;
  state.counters["GB/s"] = static_cast<double>(bytes) / cpu / 1e9;
  state.counters["peak_MiB"] = peak_rss_mib();
  state.counters["cached_MiB"] = static_cast<double>(bytesio::detail::cached_bytes()) / (1 << 20);
}

template <class Peer>
void server_loop(benchmark::State &state, std::size_t size) {
  const std::size_t limit = bytesio::block_cache_limit();
  if constexpr (std::is_same_v<Peer, bytesio_no_cache_peer>)
    bytesio::set_block_cache_limit(0);
  Peer::respond(size); // the steady state: a server has answered before
  reset_peak_rss();
  std::size_t bytes = 0;
  const double cpu0 = bench::process_cpu_seconds(), wall0 = bench::wall_seconds();
  for (auto _ : state)
    bytes += Peer::respond(size);
  report(state, bytes, bench::process_cpu_seconds() - cpu0, bench::wall_seconds() - wall0);
  bytesio::set_block_cache_limit(limit);
}

/** Two threads, each its own loop (Google Benchmark's threads; the wall clock). */
template <class Peer>
void two_threads(benchmark::State &state, std::size_t size) {
  std::size_t bytes = 0;
  for (auto _ : state)
    bytes += Peer::respond(size);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  if (state.thread_index() == 0)
    state.counters["cached_MiB"] = static_cast<double>(bytesio::detail::cached_bytes()) / (1 << 20);
}

/** This thread builds responses; another frees them, as a sender thread would. */
template <class Peer>
void handoff(benchmark::State &state, std::size_t size) {
  using response = decltype([] {
    if constexpr (std::is_same_v<Peer, bytesio_peer>)
      return bytesio::byte_vector();
    else
      return std::string();
  }());
  std::mutex m;
  std::condition_variable cv;
  std::deque<response> queue;
  bool done = false;
  std::thread sender([&] {
    std::unique_lock lock(m);
    for (;;) {
      cv.wait(lock, [&] { return done || !queue.empty(); });
      if (queue.empty())
        return;
      response r = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      r = response(); // freed in this thread
      cv.notify_all();
      lock.lock();
    }
  });
  reset_peak_rss();
  std::size_t bytes = 0;
  const double cpu0 = bench::process_cpu_seconds(), wall0 = bench::wall_seconds();
  for (auto _ : state) {
    response r;
    if constexpr (std::is_same_v<Peer, bytesio_peer>) {
      bytesio::bytes_stream os;
      write_response(os, size);
      r = os.take();
    } else {
      std::ostringstream os;
      write_response(os, size);
      r = std::move(os).str();
    }
    bytes += r.size();
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return queue.size() < 2; }); // a bounded queue, as a socket is
    queue.push_back(std::move(r));
    cv.notify_all();
  }
  {
    const std::lock_guard lock(m);
    done = true;
  }
  cv.notify_all();
  sender.join();
  report(state, bytes, bench::process_cpu_seconds() - cpu0, bench::wall_seconds() - wall0);
}

std::string size_name(std::size_t size) {
  return size >= mib ? std::to_string(size / mib) + "MiB" : std::to_string(size / kib) + "KiB";
}

/** Enough responses for a row to produce about `total` bytes (at least 8). */
auto responses(std::size_t size, std::size_t total) {
  return [n = std::max<std::size_t>(8, total / size)](bench::benchmark_ptr b) {
    b->Iterations(static_cast<benchmark::IterationCount>(n));
  };
}

void register_rows() {
  const std::size_t sizes[] = {64 * kib, 256 * kib, mib, 4 * mib, 16 * mib, 64 * mib};
  const bench::rows rows(bench::microseconds);
  for (const std::size_t size : sizes) {
    const auto loop = []<class P>(std::size_t s) {
      return [s](benchmark::State &state) { server_loop<P>(state, s); };
    };
    const auto n = responses(size, size_t(1) << 30);
    rows.add("take_" + size_name(size) + "/ostringstream",
             loop.operator()<ostringstream_peer>(size), n)
        .add("take_" + size_name(size) + "/boost_vectorstream",
             loop.operator()<vectorstream_peer>(size), n)
        .add("take_" + size_name(size) + "/bytesio_no_cache",
             loop.operator()<bytesio_no_cache_peer>(size), n)
        .add("take_" + size_name(size) + "/bytesio", loop.operator()<bytesio_peer>(size), n)
        .add("take_" + size_name(size) + "/memcpy_warm", loop.operator()<memcpy_warm_peer>(size),
             n);
  }
  for (const std::size_t size : {mib, 4 * mib, 16 * mib}) {
    const auto loop = []<class P>(std::size_t s) {
      return [s](benchmark::State &state) { server_loop<P>(state, s); };
    };
    const auto n = responses(size, size_t(1) << 30);
    rows.add("getvalue_" + size_name(size) + "/ostringstream_str",
             loop.operator()<ostringstream_str_peer>(size), n)
        .add("getvalue_" + size_name(size) + "/bytesio_getvalue",
             loop.operator()<bytesio_getvalue_peer>(size), n);
  }
  const bench::rows threads(bench::microseconds, bench::real_time,
                            [](bench::benchmark_ptr b) { b->Threads(2); });
  threads
      .add("two_threads_4MiB/ostringstream",
           [](benchmark::State &s) { two_threads<ostringstream_peer>(s, 4 * mib); })
      .add("two_threads_4MiB/bytesio",
           [](benchmark::State &s) { two_threads<bytesio_peer>(s, 4 * mib); });
  rows.add(
          "handoff_4MiB/ostringstream",
          [](benchmark::State &s) { handoff<ostringstream_peer>(s, 4 * mib); },
          responses(4 * mib, size_t(1) << 30))
      .add(
          "handoff_4MiB/bytesio", [](benchmark::State &s) { handoff<bytesio_peer>(s, 4 * mib); },
          responses(4 * mib, size_t(1) << 30));
}

} // namespace

int main(int argc, char **argv) {
  register_rows();
  return bench::run_main(argc, argv);
}
