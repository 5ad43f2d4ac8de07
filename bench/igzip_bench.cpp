// SPDX-License-Identifier: BSL-1.0
// gzip throughput: bytesio's ISA-L filters against Boost's zlib filters, on
// the same 32 MiB of CSV-like text in one run, through the same chain:
// a filtering_ostream (1 MiB buffers for every peer) into a bytes_device over
// a bytes_buf whose capacity is kept between iterations. zlib's own deflate
// at level 1 into a preallocated buffer is the size reference.
//
// Every rate is of uncompressed bytes, so compression and decompression
// figures compare. `GB/s` is 1e9 bytes per second of this thread's CPU time
// (the benchmark is single-threaded; CPU time keeps the ratios honest when
// other jobs share the machine, and equals real time on an idle one; Google
// Benchmark's own Time column is real time). `x_boost1` and `x_boost6` are
// Boost's CPU time at level 1 / at its default level over ours (> 1: we are
// faster), `x_boost` the same for decompression, each from the best call of
// either side so far (run with --benchmark_repetitions=5 on a busy machine);
// `size` is the compressed size, `size_vs_zlib1` that size over zlib level 1's.
//
// Threads (workload gzip_threads): real time, since the point is the wall
// clock. igzip_compressor(1, 2) against igzip_compressor(1) and against the
// pigz binary (`pigz -1 -p 2`, run by the benchmark on the same text in a
// file, its output to /dev/null), all with a plain push(); `one_block` is
// the per-block cost (one 256 KiB block on the caller's thread), from which
// four and eight threads are projected; gzip_block_size compares block
// sizes at two threads. bgzf_threads: bgzf_compressor(1, 1) and (1, 2)
// against htslib's threaded writer (`bgzip -l 1 -@ 2`), the same way.
//
// Default buffers (gzip_buffer_*): each filter pushed with no size, i.e.
// with the buffer it declares (optimally_buffered_tag), against the same
// chain with explicit sizes 4 KiB .. 1 MiB. CPU time of this thread except
// for the two-thread rows.
#include "bytesio/igzip.hpp"

#include "bytesio/bgzf.hpp"
#include "bytesio/bytes_buf.hpp"
#include "bytesio/iostreams.hpp"

#include <benchmark/benchmark.h>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "support/data.hpp"
#include "support/rows.hpp"
#include "support/timing.hpp"

namespace io = boost::iostreams;

namespace {

constexpr std::size_t size = 32u << 20;
constexpr std::streamsize chain_buffer = 1 << 20;

const std::string &plain() {
  static const std::string data = bench::csv_orders(size);
  return data;
}

std::string as_string(const bytesio::bytes_buf &buf) {
  const auto v = buf.view();
  return {reinterpret_cast<const char *>(v.data()), v.size()};
}

// The stream every decompressor reads: what gzip -6 / Boost's default write.
const std::string &compressed() {
  static const std::string gz = [] {
    bytesio::bytes_buf buf;
    io::filtering_ostream out;
    out.push(io::gzip_compressor(io::gzip_params(io::zlib::default_compression), chain_buffer),
             chain_buffer);
    out.push(bytesio::bytes_device(buf), chain_buffer);
    out.write(plain().data(), static_cast<std::streamsize>(size));
    io::close(out);
    return as_string(buf);
  }();
  return gz;
}

std::map<std::string, double> &seconds_of() {
  static std::map<std::string, double> m;
  return m;
}

std::map<std::string, double> &size_of() {
  static std::map<std::string, double> m;
  return m;
}

// Runs `body` per iteration; records the time per call under `name`, reports
// the rate and, for each (counter, baseline) that has run, the time ratio.
// `clock` is thread CPU time unless the work runs on other threads too.
template <class F>
void run(benchmark::State &state, const std::string &name,
         std::initializer_list<std::pair<const char *, const char *>> ratios, F body,
         double (*clock)() = bench::thread_cpu_seconds, std::size_t bytes = size) {
  // One call untimed: the output buffer grows to its size (page faults)
  // before the first timed call, which otherwise pays for them alone.
  body();
  const double per_call = bench::seconds_per_call(state, clock, body);
  // Ratios compare each side's best call so far (over --benchmark_repetitions):
  // the least disturbed run of each when other jobs share the machine.
  auto [it, fresh] = seconds_of().try_emplace(name, per_call);
  if (!fresh)
    it->second = std::min(it->second, per_call);
  const double best = it->second;
  bench::report_rate(state, bytes, per_call);
  for (const auto &[counter, baseline] : ratios) {
    if (auto b = seconds_of().find(baseline); b != seconds_of().end())
      state.counters[counter] = b->second / best;
  }
}

void report_size(benchmark::State &state, const std::string &name, std::size_t bytes) {
  size_of()[name] = static_cast<double>(bytes);
  state.counters["size"] = static_cast<double>(bytes);
  if (auto it = size_of().find("zlib1"); it != size_of().end())
    state.counters["size_vs_zlib1"] = static_cast<double>(bytes) / it->second;
}

void compress_zlib_deflate_l1(benchmark::State &state) {
  plain();
  std::string out(compressBound(static_cast<uLong>(size)) + 64, '\0');
  std::size_t n = 0;
  run(state, "zlib1", {}, [&] {
    z_stream z{};
    if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflateInit2");
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(plain().data()));
    z.avail_in = static_cast<uInt>(size);
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
      throw std::runtime_error("deflate");
    n = z.total_out;
    deflateEnd(&z);
    benchmark::DoNotOptimize(out.data());
  });
  report_size(state, "zlib1", n);
}

// Compresses through a filtering_ostream into a bytes_buf.
template <class MakeFilter>
void compress_chain(benchmark::State &state, const std::string &name,
                    std::initializer_list<std::pair<const char *, const char *>> ratios,
                    MakeFilter make) {
  plain();
  bytesio::bytes_buf buf;
  run(state, name, ratios, [&] {
    buf.clear();
    io::filtering_ostream out;
    out.push(make(), chain_buffer);
    out.push(bytesio::bytes_device(buf), chain_buffer);
    out.write(plain().data(), static_cast<std::streamsize>(size));
    io::close(out);
    benchmark::DoNotOptimize(buf.view().data());
  });
  report_size(state, name, buf.size());
}

void compress_boost_default(benchmark::State &state) {
  compress_chain(state, "boost6", {}, [] {
    return io::gzip_compressor(io::gzip_params(io::zlib::default_compression), chain_buffer);
  });
}

void compress_boost_l1(benchmark::State &state) {
  compress_chain(state, "boost1", {}, [] {
    return io::gzip_compressor(io::gzip_params(io::zlib::best_speed), chain_buffer);
  });
}

void compress_igzip(benchmark::State &state) {
  const int level = static_cast<int>(state.range(0));
  compress_chain(state, "igzip" + std::to_string(level),
                 {{"x_boost1", "boost1"}, {"x_boost6", "boost6"}},
                 [level] { return bytesio::igzip_compressor(level, 1, chain_buffer); });
}

// Decompresses the same gzip through a filtering_ostream into a bytes_buf.
template <class MakeFilter>
void decompress_chain(benchmark::State &state, const std::string &name,
                      std::initializer_list<std::pair<const char *, const char *>> ratios,
                      MakeFilter make) {
  const std::string &gz = compressed();
  bytesio::bytes_buf buf;
  run(state, name, ratios, [&] {
    buf.clear();
    io::filtering_ostream out;
    out.push(make(), chain_buffer);
    out.push(bytesio::bytes_device(buf), chain_buffer);
    out.write(gz.data(), static_cast<std::streamsize>(gz.size()));
    io::close(out);
    if (buf.size() != size)
      throw std::runtime_error(name + ": wrong output size");
  });
  state.counters["size"] = static_cast<double>(gz.size());
}

// The two decompressors of every decompression row, with 1 MiB buffers.
io::gzip_decompressor boost_gunzip() {
  return io::gzip_decompressor(io::zlib::default_window_bits, chain_buffer);
}
bytesio::igzip_decompressor igzip_gunzip() { return bytesio::igzip_decompressor(chain_buffer); }

void decompress_boost(benchmark::State &state) {
  decompress_chain(state, "gunzip_boost", {}, boost_gunzip);
}

void decompress_igzip(benchmark::State &state) {
  decompress_chain(state, "gunzip_igzip", {{"x_boost", "gunzip_boost"}}, igzip_gunzip);
}

// Input use: a filtering_istream that decompresses from memory, read in
// 1 MiB blocks (the other direction of the same filters).
template <class MakeFilter>
void decompress_istream(benchmark::State &state, const std::string &name,
                        std::initializer_list<std::pair<const char *, const char *>> ratios,
                        MakeFilter make) {
  const std::string &gz = compressed();
  std::string block(static_cast<std::size_t>(chain_buffer), '\0');
  run(state, name, ratios, [&] {
    io::filtering_istream in;
    in.push(make(), chain_buffer);
    in.push(io::array_source(gz.data(), gz.size()), chain_buffer);
    std::size_t total = 0;
    while (in.read(block.data(), chain_buffer) || in.gcount() > 0)
      total += static_cast<std::size_t>(in.gcount());
    if (total != size)
      throw std::runtime_error(name + ": wrong output size");
  });
}

void decompress_istream_boost(benchmark::State &state) {
  decompress_istream(state, "gunzip_in_boost", {}, boost_gunzip);
}

void decompress_istream_igzip(benchmark::State &state) {
  decompress_istream(state, "gunzip_in_igzip", {{"x_boost", "gunzip_in_boost"}}, igzip_gunzip);
}

// --- threads ------------------------------------------------------------------

// The text in a file, for the pigz binary; removed at exit.
struct text_file {
  std::filesystem::path dir;
  std::filesystem::path path;
  text_file() {
    std::string t = (std::filesystem::temp_directory_path() / "igzip-bench-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr)
      throw std::runtime_error("mkdtemp");
    dir = t;
    path = dir / "plain.csv";
    std::ofstream f(path, std::ios::binary);
    f.write(plain().data(), static_cast<std::streamsize>(size));
    if (!f)
      throw std::runtime_error("writing " + path.string());
  }
  ~text_file() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

const text_file &plain_file() {
  static const text_file f;
  return f;
}

// Compresses the text through a filtering_ostream into a bytes_buf, the
// filter pushed with `buffer` (0: no size given, so its declared one).
template <class Filter>
std::size_t compress_once(bytesio::bytes_buf &buf, const Filter &f, std::streamsize buffer,
                          const std::string &data) {
  buf.clear();
  io::filtering_ostream out;
  if (buffer > 0)
    out.push(f, buffer);
  else
    out.push(f);
  out.push(bytesio::bytes_device(buf));
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  io::close(out);
  return buf.size();
}

void threads_igzip(benchmark::State &state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  const std::string name = "threads" + std::to_string(threads);
  bytesio::bytes_buf buf;
  std::size_t n = 0;
  run(
      state, name, {{"x_threads1", "threads1"}, {"x_pigz_p2", "pigz_p2"}},
      [&] { n = compress_once(buf, bytesio::igzip_compressor(1, threads), 0, plain()); },
      bench::wall_seconds);
  state.SetLabel(threads == 1 ? "baseline" : "");
  state.counters["size"] = static_cast<double>(n);
  size_of()[name] = static_cast<double>(n);
  if (auto it = size_of().find("threads1"); it != size_of().end())
    state.counters["size_vs_threads1"] = static_cast<double>(n) / it->second;
}

void threads_pigz(benchmark::State &state) {
  const std::string file = plain_file().path.string();
  const std::string out = (plain_file().dir / "pigz.gz").string();
  const std::string cmd = "pigz -1 -p 2 -c '" + file + "' > '" + out + "'";
  run(
      state, "pigz_p2", {{"x_threads1", "threads1"}},
      [&] {
        if (std::system(cmd.c_str()) != 0)
          throw std::runtime_error("pigz failed (is it installed?)");
      },
      bench::wall_seconds);
  const auto n = static_cast<double>(std::filesystem::file_size(out));
  state.counters["size"] = n;
  if (auto it = size_of().find("threads1"); it != size_of().end())
    state.counters["size_vs_threads1"] = n / it->second;
}

// BGZF: bgzf_compressor on 1 and 2 threads against htslib's own threaded
// writer, the bgzip binary (`bgzip -l 1 -@ 2`, on the same text in a file,
// its output to /dev/null's neighbour), real time.
void bgzf_threads(benchmark::State &state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  const std::string name = "bgzf_threads" + std::to_string(threads);
  bytesio::bytes_buf buf;
  std::size_t n = 0;
  run(
      state, name, {{"x_threads1", "bgzf_threads1"}, {"x_bgzip_at2", "bgzip_at2"}},
      [&] { n = compress_once(buf, bytesio::bgzf_compressor(1, threads), 0, plain()); },
      bench::wall_seconds);
  state.SetLabel(threads == 1 ? "baseline" : "");
  state.counters["size"] = static_cast<double>(n);
  size_of()[name] = static_cast<double>(n);
}

void bgzf_bgzip(benchmark::State &state) {
  const std::string file = plain_file().path.string();
  const std::string out = (plain_file().dir / "bgzip.gz").string();
  const std::string cmd = "bgzip -l 1 -@ 2 -c '" + file + "' > '" + out + "'";
  run(
      state, "bgzip_at2", {{"x_threads1", "bgzf_threads1"}},
      [&] {
        if (std::system(cmd.c_str()) != 0)
          throw std::runtime_error("bgzip failed (is tabix installed?)");
      },
      bench::wall_seconds);
  const auto n = static_cast<double>(std::filesystem::file_size(out));
  state.counters["size"] = n;
  if (auto it = size_of().find("bgzf_threads1"); it != size_of().end())
    state.counters["size_vs_bgzf1"] = n / it->second;
}

// One block on the caller's thread: the unit of work of each worker.
void threads_one_block(benchmark::State &state) {
  const std::string one = plain().substr(0, bytesio::igzip_compressor::block_size);
  bytesio::bytes_buf buf;
  run(
      state, "one_block", {}, [&] { compress_once(buf, bytesio::igzip_compressor(1, 2), 0, one); },
      bench::thread_cpu_seconds, one.size());
  const double per_block = seconds_of()["one_block"];
  const double blocks = static_cast<double>(size) / static_cast<double>(one.size());
  state.counters["ms_per_block"] = per_block * 1e3;
  // Perfect scaling of the block work, the bound a bigger machine could reach.
  for (const int t : {2, 4, 8})
    state.counters["GB/s_" + std::to_string(t) + "_threads"] =
        static_cast<double>(size) / (std::ceil(blocks / t) * per_block) / 1e9;
}

// The public filter's machinery with another block size.
class block_compressor
    : public bytesio::detail::igzip_filter<bytesio::detail::igzip_deflate_engine> {
public:
  block_compressor(unsigned threads, std::size_t block)
      : igzip_filter(bytesio::detail::igzip_deflate_engine(1, threads, block), default_buffer_size,
                     "block_compressor") {}
};

void block_size_rows(benchmark::State &state) {
  const auto block = static_cast<std::size_t>(state.range(0));
  bytesio::bytes_buf buf;
  std::size_t n = 0;
  run(
      state, "block" + std::to_string(block), {},
      [&] { n = compress_once(buf, block_compressor(2, block), 0, plain()); }, bench::wall_seconds);
  state.SetLabel(block == bytesio::igzip_compressor::block_size ? "baseline" : "");
  state.counters["size"] = static_cast<double>(n);
}

// --- default buffers -------------------------------------------------------------

// range(0): the filter's chain buffer, 0 for a push without a size (the
// last row of each group and its baseline: run with
// --benchmark_enable_random_interleaving on a busy machine, as the first
// rows of a group measure slower).
void buffer_compress(benchmark::State &state) {
  const auto buffer = static_cast<std::streamsize>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  bytesio::bytes_buf buf;
  run(
      state, "compress_t" + std::to_string(threads) + "_" + std::to_string(buffer), {},
      [&] { compress_once(buf, bytesio::igzip_compressor(1, threads), buffer, plain()); },
      threads == 1 ? bench::thread_cpu_seconds : bench::wall_seconds);
  state.SetLabel(buffer == 0 ? "baseline" : "");
}

void buffer_decompress_write(benchmark::State &state) {
  const auto buffer = static_cast<std::streamsize>(state.range(0));
  const std::string &gz = compressed();
  bytesio::bytes_buf buf;
  run(state, "decompress_" + std::to_string(buffer), {}, [&] {
    if (compress_once(buf, bytesio::igzip_decompressor(), buffer, gz) != size)
      throw std::runtime_error("wrong output size");
  });
  state.SetLabel(buffer == 0 ? "baseline" : "");
}

void buffer_decompress_read(benchmark::State &state) {
  const auto buffer = static_cast<std::streamsize>(state.range(0));
  const std::string &gz = compressed();
  std::string block(1 << 16, '\0');
  run(state, "decompress_read_" + std::to_string(buffer), {}, [&] {
    io::filtering_istream in;
    if (buffer > 0)
      in.push(bytesio::igzip_decompressor(), buffer);
    else
      in.push(bytesio::igzip_decompressor());
    in.push(io::array_source(gz.data(), gz.size()));
    std::size_t total = 0;
    while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0)
      total += static_cast<std::size_t>(in.gcount());
    if (total != size)
      throw std::runtime_error("wrong output size");
  });
  state.SetLabel(buffer == 0 ? "baseline" : "");
}

// Boost's chain really uses the declared size: a plain push gives the filter
// optimal_buffer_size() bytes, not Boost's 128-byte filter default.
void check_declared_buffers() {
  if (io::optimal_buffer_size(bytesio::igzip_compressor()) != 256 * 1024 ||
      io::optimal_buffer_size(bytesio::igzip_compressor(1, 2)) != 64 * 1024 ||
      io::optimal_buffer_size(bytesio::igzip_decompressor()) != 64 * 1024)
    throw std::runtime_error("igzip filters do not declare their buffers");
}

} // namespace

int main(int argc, char **argv) {
  check_declared_buffers();
  // Baselines first: the ratios read their times. Rows of one workload share
  // the prefix before '/'; the first is the baseline.
  const bench::rows cpu(bench::milliseconds);
  const bench::rows wall(bench::milliseconds, bench::real_time);
  wall.add("gzip_compress/boost_level1", compress_boost_l1)
      .add("gzip_compress/boost_default", compress_boost_default)
      .add("gzip_compress/zlib_deflate_level1", compress_zlib_deflate_l1)
      .add("gzip_compress/igzip_level", compress_igzip, bench::args({0, 1, 2, 3}))
      .add("gzip_decompress_write/boost", decompress_boost)
      .add("gzip_decompress_write/igzip", decompress_igzip)
      .add("gzip_decompress_read/boost", decompress_istream_boost)
      .add("gzip_decompress_read/igzip", decompress_istream_igzip)
      // Threads: the baseline, then pigz, then two threads (whose x_pigz_p2
      // reads pigz's time).
      .add("gzip_threads/igzip1_threads", threads_igzip, bench::args({1}))
      .add("gzip_threads/pigz_1_p2", threads_pigz)
      .add("gzip_threads/igzip1_threads", threads_igzip, bench::args({2}))
      .add("bgzf_threads/bgzf1_threads", bgzf_threads, bench::args({1}))
      .add("bgzf_threads/bgzip_l1_at2", bgzf_bgzip)
      .add("bgzf_threads/bgzf1_threads", bgzf_threads, bench::args({2}));
  cpu.add("gzip_threads_block/one_block", threads_one_block);
  wall.add("gzip_block_size/threads2_block", block_size_rows,
           bench::args({1 << 20, 128 << 10, 256 << 10, 512 << 10, 2 << 20}));
  cpu.add("gzip_buffer_compress/buffer", buffer_compress, bench::chain_buffer_sizes({1}));
  wall.add("gzip_buffer_compress_threads2/buffer", buffer_compress, bench::chain_buffer_sizes({2}));
  cpu.add("gzip_buffer_decompress_write/buffer", buffer_decompress_write,
          bench::chain_buffer_sizes({1}))
      .add("gzip_buffer_decompress_read/buffer", buffer_decompress_read,
           bench::chain_buffer_sizes({1}));
  return bench::run_main(argc, argv);
}
