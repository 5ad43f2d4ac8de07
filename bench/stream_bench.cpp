// SPDX-License-Identifier: BSL-1.0
// bytesio against every in-memory stream peer, same data, same run.
//
// Benchmark names are "<workload>/<implementation>"; bench/table.py turns the
// JSON into one markdown table. The label "baseline" marks the row each
// workload is compared with (std::ostringstream / std::istringstream), the
// label "limit" the raw memcpy loop: the hardware's bound.
//
// Every write workload creates the stream inside the timed region and
// destroys it there too, as a user would; the read workloads adopt a buffer
// (moved in, moved back out), so no implementation pays for a copy it could
// avoid.

#include "bytesio/bytes_stream.hpp"

#include <benchmark/benchmark.h>
#include <boost/interprocess/streams/vectorstream.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/stream.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#if __has_include(<spanstream>)
#include <spanstream>
#endif
#include <sstream>
#include <string>
#include <vector>

#include "support/data.hpp"
#include "support/rows.hpp"

namespace {

constexpr std::size_t mib = std::size_t(1) << 20;
constexpr std::size_t write_total = 256 * mib;
constexpr std::size_t read_total = 256 * mib;
// Per-byte workloads make 2^26 calls per pass: enough to swamp noise.
constexpr std::size_t byte_total = 64 * mib;
// Records come from a cache-resident source, so the destination is measured.
constexpr std::size_t source_size = 64 * 1024;

const char *source() {
  static const std::vector<char> bytes = bench::lcg_bytes(source_size, 12345);
  return bytes.data();
}

// ---- writers: one fresh output stream per pass ---------------------------------

struct ostringstream_impl {
  static constexpr const char *name = "ostringstream";
  std::ostringstream os;
  std::ostream &stream() { return os; }
  std::size_t finish() { return os.view().size(); }
};

struct vectorstream_impl {
  static constexpr const char *name = "boost_vectorstream";
  boost::interprocess::basic_vectorstream<std::vector<char>> os;
  std::ostream &stream() { return os; }
  std::size_t finish() { return os.vector().size(); }
};

struct back_insert_impl {
  static constexpr const char *name = "boost_back_insert_device";
  using device = boost::iostreams::back_insert_device<std::vector<char>>;
  std::vector<char> out;
  boost::iostreams::stream<device> os{device(out)};
  std::ostream &stream() { return os; }
  std::size_t finish() {
    os.flush();
    return out.size();
  }
};

// Not growable: writes into memory allocated and touched before the run.
struct spanstream_impl {
  static constexpr const char *name = "spanstream_prealloc";
  static std::span<char> buffer() {
    static const std::unique_ptr<char[]> mem = [] {
      std::unique_ptr<char[]> p(new char[write_total]);
      std::memset(p.get(), 1, write_total);
      return p;
    }();
    return {mem.get(), write_total};
  }
  std::ospanstream os{buffer()};
  std::ostream &stream() { return os; }
  std::size_t finish() { return os.span().size(); }
};

struct bytesio_impl {
  static constexpr const char *name = "bytesio";
  bytesio::bytes_stream os;
  std::ostream &stream() { return os; }
  std::size_t finish() { return os.size(); }
};

struct bytesio_vector_impl {
  static constexpr const char *name = "bytesio_vector";
  bytesio::basic_bytes_stream<std::vector<char>> os;
  std::ostream &stream() { return os; }
  std::size_t finish() { return os.size(); }
};

// Throughput, so the JSON carries bytes_per_second.
void set_bytes(benchmark::State &state, std::size_t per_iteration) {
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(per_iteration));
}

const char *role_of(const char *name) {
  const std::string_view n = name;
  if (n == "ostringstream" || n == "istringstream")
    return "baseline";
  if (n == "memcpy")
    return "limit";
  return "";
}

template <class Impl>
void check_size(benchmark::State &state, std::size_t got, std::size_t want) {
  if (got != want)
    state.SkipWithError((std::string(Impl::name) + ": wrong size " + std::to_string(got)).c_str());
}

// A fresh Impl per pass, created and destroyed in the timed region, takes
// `total` bytes from write(its stream, the source); its size is checked.
template <class Impl, class Write>
void write_passes(benchmark::State &state, std::size_t total, Write write) {
  const char *src = source();
  std::size_t size = 0;
  for (auto _ : state) {
    Impl impl;
    write(impl.stream(), src);
    size = impl.finish();
    benchmark::DoNotOptimize(size);
  }
  check_size<Impl>(state, size, total);
  set_bytes(state, total);
  state.SetLabel(role_of(Impl::name));
}

template <class Impl>
void write_records(benchmark::State &state, std::size_t record) {
  benchmark::DoNotOptimize(spanstream_impl::buffer().data()); // touched before timing
  write_passes<Impl>(state, write_total, [record](std::ostream &os, const char *src) {
    for (std::size_t off = 0; off < write_total; off += record)
      os.write(src + off % source_size, static_cast<std::streamsize>(record));
  });
}

template <class Impl>
void put_bytes(benchmark::State &state) {
  write_passes<Impl>(state, byte_total, [](std::ostream &os, const char *src) {
    for (std::size_t off = 0; off < byte_total; ++off)
      os.put(src[off % source_size]);
  });
}

// One byte at a time through the iterator: the streambuf's inline sputc path.
template <class Impl>
void iterator_bytes(benchmark::State &state) {
  write_passes<Impl>(state, byte_total, [](std::ostream &os, const char *src) {
    std::ostreambuf_iterator<char> it(os);
    for (std::size_t off = 0; off < byte_total; ++off)
      *it++ = src[off % source_size];
  });
}

// std::copy of 64-byte chunks: libstdc++ turns it into sputn.
template <class Impl>
void iterator_copy(benchmark::State &state) {
  constexpr std::size_t chunk = 64;
  write_passes<Impl>(state, write_total, [](std::ostream &os, const char *src) {
    std::ostreambuf_iterator<char> it(os);
    for (std::size_t off = 0; off < write_total; off += chunk) {
      const char *p = src + off % source_size;
      it = std::copy(p, p + chunk, it);
    }
  });
}

// The limit: memcpy into memory allocated and touched before the run.
void write_memcpy(benchmark::State &state, std::size_t record) {
  const char *src = source();
  char *dst = spanstream_impl::buffer().data();
  for (auto _ : state) {
    for (std::size_t off = 0; off < write_total; off += record) {
      std::memcpy(dst + off, src + off % source_size, record);
      benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(dst);
  }
  set_bytes(state, write_total);
  state.SetLabel("limit");
}

// What a growing buffer must pay for fresh pages: malloc + memcpy, no growth.
void write_memcpy_fresh(benchmark::State &state, std::size_t record) {
  const char *src = source();
  for (auto _ : state) {
    std::unique_ptr<char[]> dst(new char[write_total]);
    for (std::size_t off = 0; off < write_total; off += record) {
      std::memcpy(dst.get() + off, src + off % source_size, record);
      benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(dst.get());
  }
  set_bytes(state, write_total);
}

// ---- readers: the stream adopts a 256 MiB buffer, reads it all, gives it back -----

std::vector<char> make_data() {
  std::vector<char> v(read_total);
  const char *src = source();
  for (std::size_t off = 0; off < read_total; off += source_size)
    std::memcpy(v.data() + off, src, source_size);
  return v;
}

std::vector<char> &vector_data() {
  static std::vector<char> v = make_data();
  return v;
}

std::string &string_data() {
  static std::string s(vector_data().begin(), vector_data().end());
  return s;
}

bytesio::byte_vector &byte_vector_data() {
  static bytesio::byte_vector b(std::as_bytes(std::span(vector_data())));
  return b;
}

template <class Read>
void read_records(benchmark::State &state, const char *name, std::size_t record, Read read_all) {
  std::vector<char> rec(record);
  bool ok = true;
  // Build every copy of the data before timing starts.
  benchmark::DoNotOptimize(vector_data().data());
  benchmark::DoNotOptimize(string_data().data());
  benchmark::DoNotOptimize(byte_vector_data().data());
  for (auto _ : state) {
    ok = read_all(rec.data(), record) && ok;
    benchmark::DoNotOptimize(rec.data());
    benchmark::ClobberMemory();
  }
  if (!ok || rec.back() != source()[(read_total - 1) % source_size])
    state.SkipWithError((std::string(name) + ": read failed").c_str());
  set_bytes(state, read_total);
  state.SetLabel(role_of(name));
}

bool read_loop(std::istream &is, char *rec, std::size_t record) {
  for (std::size_t off = 0; off < read_total; off += record)
    is.read(rec, static_cast<std::streamsize>(record));
  return !is.fail();
}

void register_reads(const char *workload, std::size_t record) {
  auto reg = [&](const char *name, auto read_all) {
    bench::rows(bench::milliseconds)
        .add(std::string(workload) + "/" + name,
             [=](benchmark::State &s) { read_records(s, name, record, read_all); });
  };
  reg("istringstream", [](char *rec, std::size_t n) {
    std::istringstream is(std::move(string_data())); // C++20: adopts, no copy
    const bool ok = read_loop(is, rec, n);
    string_data() = std::move(is).str();
    return ok;
  });
  reg("boost_vectorstream", [](char *rec, std::size_t n) {
    boost::interprocess::basic_ivectorstream<std::vector<char>> is;
    is.swap_vector(vector_data());
    const bool ok = read_loop(is, rec, n);
    is.swap_vector(vector_data());
    return ok;
  });
  reg("boost_array_source", [](char *rec, std::size_t n) {
    boost::iostreams::stream<boost::iostreams::array_source> is(vector_data().data(),
                                                                vector_data().size());
    return read_loop(is, rec, n);
  });
  reg("spanstream", [](char *rec, std::size_t n) {
    std::ispanstream is{std::span<char>(vector_data())};
    return read_loop(is, rec, n);
  });
  reg("bytesio", [](char *rec, std::size_t n) {
    bytesio::bytes_stream is(std::move(byte_vector_data()));
    const bool ok = read_loop(is, rec, n);
    byte_vector_data() = is.take();
    return ok;
  });
  reg("bytesio_vector", [](char *rec, std::size_t n) {
    bytesio::basic_bytes_stream<std::vector<char>> is(std::move(vector_data()));
    const bool ok = read_loop(is, rec, n);
    vector_data() = is.take();
    return ok;
  });
  reg("memcpy", [](char *rec, std::size_t n) {
    const char *src = vector_data().data();
    for (std::size_t off = 0; off < read_total; off += n) {
      std::memcpy(rec, src + off, n);
      benchmark::ClobberMemory();
    }
    return true;
  });
}

// ---- getting the bytes out: timed alone, around a stream filled beforehand ------

template <class Stream, class Extract>
void extract(benchmark::State &state, std::size_t size, const char *name, Extract get) {
  const char *src = source();
  std::size_t got = 0;
  for (auto _ : state) {
    Stream s;
    for (std::size_t off = 0; off < size; off += source_size)
      s.write(src, static_cast<std::streamsize>(std::min(source_size, size - off)));
    const auto t0 = std::chrono::steady_clock::now();
    auto out = get(s);
    benchmark::DoNotOptimize(out.data());
    const auto t1 = std::chrono::steady_clock::now();
    got = out.size();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  if (got != size)
    state.SkipWithError((std::string(name) + ": wrong size").c_str());
  set_bytes(state, size);
  state.SetLabel(role_of(name));
}

void register_extracts(std::size_t size, const char *suffix) {
  const bench::rows rows(bench::manual_time, bench::microseconds, [size](bench::benchmark_ptr b) {
    b->Iterations(size > 16 * mib ? 3 : 50);
  });
  auto reg = [&](const char *workload, const char *name, auto fn) {
    rows.add(std::string(workload) + suffix + "/" + name, fn);
  };
  using vstream = boost::interprocess::basic_vectorstream<std::vector<char>>;
  using bstream = bytesio::bytes_stream;
  using bvstream = bytesio::basic_bytes_stream<std::vector<char>>;
  // "ostringstream" is the baseline's name in every workload.
  reg("take", "ostringstream", [size](benchmark::State &s) {
    extract<std::ostringstream>(s, size, "ostringstream",
                                [](std::ostringstream &os) { return std::move(os).str(); });
  });
  reg("take", "boost_vectorstream", [size](benchmark::State &s) {
    extract<vstream>(s, size, "boost_vectorstream", [](vstream &os) {
      std::vector<char> v;
      os.swap_vector(v);
      return v;
    });
  });
  reg("take", "bytesio", [size](benchmark::State &s) {
    extract<bstream>(s, size, "bytesio", [](bstream &os) { return os.take(); });
  });
  reg("take", "bytesio_vector", [size](benchmark::State &s) {
    extract<bvstream>(s, size, "bytesio_vector", [](bvstream &os) { return os.take(); });
  });
  reg("getvalue", "ostringstream", [size](benchmark::State &s) {
    extract<std::ostringstream>(s, size, "ostringstream",
                                [](std::ostringstream &os) { return os.str(); });
  });
  reg("getvalue", "boost_vectorstream", [size](benchmark::State &s) {
    extract<vstream>(s, size, "boost_vectorstream",
                     [](vstream &os) { return std::vector<char>(os.vector()); });
  });
  reg("getvalue", "bytesio", [size](benchmark::State &s) {
    extract<bstream>(s, size, "bytesio", [](bstream &os) { return os.getvalue(); });
  });
  reg("getvalue", "bytesio_vector", [size](benchmark::State &s) {
    extract<bvstream>(s, size, "bytesio_vector", [](bvstream &os) { return os.getvalue(); });
  });
}

template <class... Impls>
void register_writers() {
  const bench::rows ms(bench::milliseconds);
  for (const std::size_t record : {std::size_t(16), std::size_t(4096)}) {
    const std::string workload = record == 16 ? "write_16B" : "write_4KiB";
    ms.peers<Impls...>(workload, [record]<class I>(benchmark::State &s, std::type_identity<I>) {
      write_records<I>(s, record);
    });
    ms.add(workload + "/memcpy", [record](benchmark::State &s) {
        write_memcpy(s, record);
      }).add(workload + "/malloc_memcpy_fresh", [record](benchmark::State &s) {
      write_memcpy_fresh(s, record);
    });
  }
  ms.peers<Impls...>("put_byte",
                     []<class I>(benchmark::State &s, std::type_identity<I>) { put_bytes<I>(s); });
  ms.peers<Impls...>("iterator_byte", []<class I>(benchmark::State &s, std::type_identity<I>) {
    iterator_bytes<I>(s);
  });
  ms.peers<Impls...>("iterator_copy_64B", []<class I>(benchmark::State &s, std::type_identity<I>) {
    iterator_copy<I>(s);
  });
}

} // namespace

int main(int argc, char **argv) {
  register_writers<ostringstream_impl, vectorstream_impl, back_insert_impl, spanstream_impl,
                   bytesio_impl, bytesio_vector_impl>();
  register_reads("read_16B", 16);
  register_reads("read_4KiB", 4096);
  register_extracts(mib, "_1MiB");
  register_extracts(64 * mib, "_64MiB");
  return bench::run_main(argc, argv);
}
