// SPDX-License-Identifier: BSL-1.0
// gzip through a Boost.Iostreams chain into a bytes_buf, against zlib's own
// deflate() into a preallocated buffer: same input, same level, same zlib,
// same gzip framing (windowBits 15 + 16, memLevel 8, default strategy).
//
// The chain is given 64 KiB buffers at both ends (push(..., 64 KiB) and the
// gzip_compressor's own buffer): with Boost's default 4 KiB zlib buffer the
// per-call overhead of deflate() and of the chain shows; at 64 KiB it is
// amortized and both sides spend their time in the same longest_match.
// The bytes_buf is reused (clear() keeps its capacity), as zlib's output
// buffer is, so neither side pays for allocation inside the loop.

#include "bytesio/iostreams.hpp"

#include <benchmark/benchmark.h>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <zlib.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/data.hpp"
#include "support/rows.hpp"

namespace io = boost::iostreams;

namespace {

constexpr std::size_t input_size = 32u << 20;
constexpr std::streamsize chain_buffer = 64 * 1024;

// 32 MiB of deterministic CSV-like text (ids, names, amounts, dates).
const std::string &input() {
  static const std::string text = bench::csv_invoices(input_size);
  return text;
}

void zlib_deflate(benchmark::State &state) {
  const int level = static_cast<int>(state.range(0));
  const std::string &in = input();
  z_stream probe{};
  deflateInit2(&probe, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::vector<unsigned char> out(deflateBound(&probe, static_cast<uLong>(in.size())));
  deflateEnd(&probe);
  std::size_t produced = 0;
  for (auto _ : state) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflateInit2");
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
      throw std::runtime_error("deflate did not finish");
    produced = z.total_out;
    deflateEnd(&z);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
  state.counters["ratio"] = static_cast<double>(produced) / static_cast<double>(in.size());
}

// Through a Boost chain into a bytes_buf: `buffer` at both ends, or 0 for
// Boost's defaults (4 KiB buffers), to show what the buffer sizes buy.
void chain_gzip(benchmark::State &state, std::streamsize buffer) {
  const int level = static_cast<int>(state.range(0));
  const std::string &in = input();
  bytesio::bytes_buf buf;
  buf.reserve(in.size() / 2);
  for (auto _ : state) {
    buf.clear();
    io::filtering_ostream chain;
    if (buffer > 0) {
      chain.push(io::gzip_compressor(io::gzip_params(level), buffer), buffer);
      chain.push(bytesio::bytes_device(buf), buffer);
    } else {
      chain.push(io::gzip_compressor(io::gzip_params(level)));
      chain.push(bytesio::bytes_device(buf));
    }
    chain.write(in.data(), static_cast<std::streamsize>(in.size()));
    io::close(chain);
    benchmark::DoNotOptimize(buf.view().data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
  state.counters["ratio"] = static_cast<double>(buf.size()) / static_cast<double>(in.size());
}

} // namespace

int main(int argc, char **argv) {
  // Rows of one workload share the prefix before '/'; the first is the baseline.
  const auto two_seconds = [](bench::benchmark_ptr b) { b->MinTime(2.0); };
  for (const int level : {1, 6}) {
    const std::string w = "gzip_level" + std::to_string(level) + "/";
    bench::rows(bench::milliseconds, two_seconds, bench::args({level}))
        .add(w + "zlib_deflate", zlib_deflate)
        .add(w + "chain_64KiB_buffers", [](benchmark::State &s) { chain_gzip(s, chain_buffer); })
        .add(w + "chain_default_buffers", [](benchmark::State &s) { chain_gzip(s, 0); });
  }
  return bench::run_main(argc, argv);
}
