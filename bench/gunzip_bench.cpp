// SPDX-License-Identifier: BSL-1.0
// Random access into gzip in memory: gunzip_buf against its limit and its
// peers, on 256 MiB of CSV-like text gzip'ed two ways (zlib -6, the `gzip
// -6` of most files; igzip_compressor level 1), in one run.
//
// random_access/<input>/*: 1,000 seeks to seeded random offsets, each
// followed by a 64 KiB read, with a complete index at 1 MiB spacing built
// before the clock starts. Manual time: the median access of the 1,000
// (CPU time of this thread). Rows:
//   - gunzip_buf: seek + readinto(64 KiB);
//   - isal_limit: the time ISA-L's inflate takes for the 512 KiB + 64 KiB an
//     average access decodes, from its rate over the whole input in this run
//     (no restart, no copy: the floor the issue measures against);
//   - indexed_gzip: Python's indexed_gzip (Debian python3-indexed-gzip) on
//     the same file, offsets, reads and index (ours, imported), its median
//     access timed in Python with time.thread_time(); skipped if missing.
// first_pass/<input>/*: reading everything once from the start into a
// bytes_buf (capacity kept), CPU time: gunzip_buf building its index
// (readinto 1 MiB, write), igzip_decompressor through a filtering_istream
// (io::copy, 1 MiB buffers), and zlib's inflate with Z_BLOCK (the call
// zlib's zran.c and indexed_gzip build their points with).
// sequential_<input>/threads: reading everything with a complete index
// (built before the clock starts) in 1 MiB reads, on 1 and 2 threads (wall
// time); `x_threads1` is one thread's time over this row's. Inputs: the
// igzip_compressor(1) member, and BGZF by the bgzip binary (`bgzip -l 1`).
// Counters: `index_pct`, the index's memory over the output at 1 MiB
// spacing; `zipped_pct`, what it would be with each window deflated by
// zlib level 1.

#include "bytesio/gunzip_buf.hpp"

#include "bytesio/bytes_buf.hpp"
#include "bytesio/igzip.hpp"
#include "bytesio/iostreams.hpp"

#include <benchmark/benchmark.h>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/data.hpp"
#include "support/rows.hpp"
#include "support/timing.hpp"

namespace io = boost::iostreams;

namespace {

constexpr std::size_t size = std::size_t{256} << 20;
constexpr std::size_t read_size = std::size_t{64} << 10;
constexpr std::size_t accesses = 1000;
constexpr std::streamsize chain_buffer = 1 << 20;

const std::string &plain() {
  static const std::string data = bench::csv_orders(size);
  return data;
}

std::string zlib_gzip6() {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(size)), '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(plain().data()));
  z.avail_in = static_cast<uInt>(size);
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string isal_gzip1() {
  std::string out;
  io::filtering_ostream os;
  os.push(bytesio::igzip_compressor(1));
  os.push(io::back_inserter(out));
  os.write(plain().data(), static_cast<std::streamsize>(size));
  os.reset();
  return out;
}

// BGZF by the bgzip binary (htslib's writer, level 1), through a file;
// empty if bgzip is missing.
std::string bgzip1() {
  const auto dir = std::filesystem::temp_directory_path() / "bytesio-gunzip-bench";
  std::filesystem::create_directories(dir);
  const auto plain_file = dir / "plain.csv", gz = dir / "plain.csv.gz";
  std::ofstream(plain_file, std::ios::binary) << plain();
  const std::string cmd = "bgzip -l 1 -f '" + plain_file.string() + "'";
  if (std::system(cmd.c_str()) != 0)
    return {};
  std::ifstream in(gz, std::ios::binary);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(gz);
  return out;
}

const std::string &input(const std::string &name) {
  static std::map<std::string, std::string> inputs;
  auto it = inputs.find(name);
  if (it == inputs.end())
    it = inputs
             .emplace(name, name == "zlib6"   ? zlib_gzip6()
                            : name == "bgzip" ? bgzip1()
                                              : isal_gzip1())
             .first;
  return it->second;
}

std::span<const std::byte> bytes_of(const std::string &s) { return std::as_bytes(std::span(s)); }

const bytesio::gzip_index &index_of(const std::string &name) {
  static std::map<std::string, bytesio::gzip_index> indexes;
  auto it = indexes.find(name);
  if (it == indexes.end()) {
    bytesio::gunzip_buf b(bytes_of(input(name)));
    it = indexes.emplace(name, b.build_index()).first;
  }
  return it->second;
}

const std::vector<std::uint64_t> &offsets() {
  static const std::vector<std::uint64_t> v = [] {
    std::mt19937_64 rng(2026);
    std::vector<std::uint64_t> o(accesses);
    for (auto &x : o)
      x = rng() % (size - read_size);
    return o;
  }();
  return v;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// ISA-L's inflate over the whole input, no checks: seconds per output byte.
double isal_seconds_per_byte(const std::string &gz) {
  static std::string out(size + 1024, '\0');
  inflate_state z;
  isal_inflate_init(&z);
  z.crc_flag = ISAL_GZIP;
  z.next_in = reinterpret_cast<std::uint8_t *>(const_cast<char *>(gz.data()));
  z.avail_in = static_cast<std::uint32_t>(gz.size());
  z.next_out = reinterpret_cast<std::uint8_t *>(out.data());
  z.avail_out = static_cast<std::uint32_t>(out.size());
  const double start = bench::thread_cpu_seconds();
  const int ret = isal_inflate(&z);
  const double seconds = bench::thread_cpu_seconds() - start;
  if (ret != ISAL_DECOMP_OK || z.total_out != size)
    std::abort();
  return seconds / static_cast<double>(size);
}

void add_index_counters(benchmark::State &state, const std::string &name) {
  const bytesio::gzip_index &x = index_of(name);
  state.counters["index_pct"] = 100.0 * static_cast<double>(x.memory()) / double(size);
  // The windows deflated one by one (the saved index holds them in order).
  std::ostringstream saved;
  x.save(saved);
  const std::string s = saved.str();
  const std::size_t windows = (s.size() - 35 - 18 * x.size()) / bytesio::gzip_index::window_size;
  std::size_t zipped = s.size() - windows * bytesio::gzip_index::window_size;
  std::string buf(compressBound(bytesio::gzip_index::window_size), '\0');
  for (std::size_t i = 0; i < windows; ++i) {
    uLongf n = static_cast<uLongf>(buf.size());
    compress2(reinterpret_cast<Bytef *>(buf.data()), &n,
              reinterpret_cast<const Bytef *>(s.data() + s.size() -
                                              (windows - i) * bytesio::gzip_index::window_size),
              bytesio::gzip_index::window_size, 1);
    zipped += n;
  }
  state.counters["zipped_pct"] = 100.0 * static_cast<double>(zipped) / double(size);
}

void random_access_gunzip(benchmark::State &state, const std::string &name) {
  bytesio::gunzip_buf b(bytes_of(input(name)), index_of(name));
  std::vector<std::byte> out(read_size);
  for (auto _ : state) {
    std::vector<double> t;
    t.reserve(accesses);
    for (const std::uint64_t at : offsets()) {
      const double start = bench::thread_cpu_seconds();
      b.seek(static_cast<std::int64_t>(at));
      if (b.readinto(out) != read_size)
        std::abort();
      t.push_back(bench::thread_cpu_seconds() - start);
    }
    state.SetIterationTime(median(t));
  }
  add_index_counters(state, name);
}

void random_access_limit(benchmark::State &state, const std::string &name) {
  for (auto _ : state)
    state.SetIterationTime(isal_seconds_per_byte(input(name)) * double(512 * 1024 + read_size));
}

// Python's indexed_gzip with our index imported; its median access in
// seconds, or a negative number if it could not run.
double indexed_gzip_median(const std::string &name) {
  const auto dir = std::filesystem::temp_directory_path() / "bytesio-gunzip-bench";
  std::filesystem::create_directories(dir);
  const auto gz = dir / (name + ".gz"), idx = dir / (name + ".gzidx"), offs = dir / "offsets",
             result = dir / "median";
  std::ofstream(gz, std::ios::binary) << input(name);
  {
    std::ofstream o(idx, std::ios::binary);
    index_of(name).save(o);
  }
  {
    std::ofstream o(offs);
    for (const std::uint64_t at : offsets())
      o << at << '\n';
  }
  const std::string script =
      "import sys, time, statistics, indexed_gzip as ig\n"
      "gz, idx, offs, out = sys.argv[1:5]\n"
      "f = ig.IndexedGzipFile(gz, spacing=1048576)\n"
      "f.import_index(idx)\n"
      "t = []\n"
      "for line in open(offs):\n"
      "    s = time.thread_time(); f.seek(int(line)); f.read(65536); t.append(time.thread_time() - "
      "s)\n"
      "open(out, \"w\").write(repr(statistics.median(t)))\n";
  const std::string command = "/usr/bin/python3 -c '" + script + "' " + gz.string() + " " +
                              idx.string() + " " + offs.string() + " " + result.string();
  if (std::system(command.c_str()) != 0)
    return -1;
  double m = -1;
  std::ifstream(result) >> m;
  return m;
}

void random_access_indexed_gzip(benchmark::State &state, const std::string &name) {
  const double m = indexed_gzip_median(name);
  if (m <= 0) {
    state.SkipWithError("Python's indexed_gzip did not run (python3-indexed-gzip)");
    return;
  }
  for (auto _ : state)
    state.SetIterationTime(m);
}

void first_pass_gunzip(benchmark::State &state, const std::string &name) {
  const std::string &gz = input(name); // made before the clock starts
  bytesio::bytes_buf out;
  std::vector<std::byte> chunk(std::size_t{1} << 20);
  const double s = bench::seconds_per_call(state, bench::thread_cpu_seconds, [&] {
    out.clear();
    bytesio::gunzip_buf b(bytes_of(gz));
    for (std::size_t n; (n = b.readinto(chunk)) != 0;)
      out.write(std::span(chunk).first(n));
    if (out.size() != size || !b.index().complete())
      std::abort();
  });
  bench::report_rate(state, size, s);
}

void first_pass_igzip(benchmark::State &state, const std::string &name) {
  const std::string &gz = input(name); // made before the clock starts
  bytesio::bytes_buf out;
  const double s = bench::seconds_per_call(state, bench::thread_cpu_seconds, [&] {
    out.clear();
    io::filtering_istream in;
    in.push(bytesio::igzip_decompressor(), chain_buffer);
    in.push(io::array_source(gz.data(), gz.size()), chain_buffer);
    io::copy(in, bytesio::bytes_device(out), chain_buffer);
    if (out.size() != size)
      std::abort();
  });
  bench::report_rate(state, size, s);
}

void first_pass_zlib_zblock(benchmark::State &state, const std::string &name) {
  const std::string &gz = input(name); // made before the clock starts
  std::string out(std::size_t{1} << 20, '\0');
  const double s = bench::seconds_per_call(state, bench::thread_cpu_seconds, [&] {
    z_stream z{};
    inflateInit2(&z, 31);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(gz.data()));
    z.avail_in = static_cast<uInt>(gz.size());
    std::size_t total = 0;
    for (int ret = Z_OK; ret != Z_STREAM_END;) {
      z.next_out = reinterpret_cast<Bytef *>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      ret = inflate(&z, Z_BLOCK);
      if (ret != Z_OK && ret != Z_STREAM_END)
        std::abort();
      total += out.size() - z.avail_out;
    }
    inflateEnd(&z);
    if (total != size)
      std::abort();
  });
  bench::report_rate(state, size, s);
}

// Reading everything with a complete index, on `threads` threads: wall
// time, since the point is the workers.
void sequential_threads(benchmark::State &state, const std::string &name) {
  const auto threads = static_cast<unsigned>(state.range(0));
  if (input(name).empty()) {
    state.SkipWithError("bgzip did not run (tabix)");
    return;
  }
  std::vector<std::byte> chunk(std::size_t{1} << 20);
  const double s = bench::seconds_per_call(state, bench::wall_seconds, [&] {
    bytesio::gunzip_buf b(bytes_of(input(name)), index_of(name), {.threads = threads});
    std::size_t total = 0;
    for (std::size_t n; (n = b.readinto(chunk)) != 0;)
      total += n;
    if (total != size)
      std::abort();
  });
  bench::report_rate(state, size, s);
  static std::map<std::string, double> one_thread;
  if (threads == 1)
    one_thread[name] = s;
  else if (auto it = one_thread.find(name); it != one_thread.end())
    state.counters["x_threads1"] = it->second / s;
}

const int registered = [] {
  const bench::rows manual(bench::microseconds, bench::manual_time,
                           [](bench::benchmark_ptr b) { b->Iterations(3); });
  const bench::rows cpu(bench::milliseconds);
  for (const std::string name : {"zlib6", "isal1"}) {
    const std::string ra = "random_access_" + name;
    manual.add(ra + "/isal_limit", [name](benchmark::State &s) { random_access_limit(s, name); })
        .add(ra + "/gunzip_buf", [name](benchmark::State &s) { random_access_gunzip(s, name); })
        .add(ra + "/indexed_gzip",
             [name](benchmark::State &s) { random_access_indexed_gzip(s, name); });
    const std::string fp = "first_pass_" + name;
    cpu.add(fp + "/igzip_decompressor", [name](benchmark::State &s) { first_pass_igzip(s, name); })
        .add(fp + "/gunzip_buf", [name](benchmark::State &s) { first_pass_gunzip(s, name); })
        .add(fp + "/zlib_z_block",
             [name](benchmark::State &s) { first_pass_zlib_zblock(s, name); });
  }
  const bench::rows wall(bench::milliseconds, bench::real_time);
  for (const std::string name : {"isal1", "bgzip"})
    wall.add(
        "sequential_" + name + "/threads",
        [name](benchmark::State &s) { sequential_threads(s, name); }, bench::args({1, 2}));
  return 0;
}();

} // namespace

int main(int argc, char **argv) { return bench::run_main(argc, argv); }
