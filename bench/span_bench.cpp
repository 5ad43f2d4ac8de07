// SPDX-License-Identifier: BSL-1.0
// Reading memory the caller owns: span_stream and span_buf against the
// peers that also read in place (std::ispanstream, Boost's array_source
// under a stream<>) and the std::istringstream users fall back to, same data,
// same run. bench/table.py turns the JSON into rows and checks issue 14's
// targets: "limit" marks the memcpy loop, "baseline" the row compared with.

#include "bytesio/span_buf.hpp"

#include <benchmark/benchmark.h>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/stream.hpp>

#include <cstddef>
#include <cstring>
#include <span>
#if __has_include(<spanstream>)
#include <spanstream>
#endif
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/data.hpp"
#include "support/rows.hpp"

namespace {

constexpr std::size_t total = std::size_t(256) << 20;
constexpr std::size_t record = 4096;
constexpr std::size_t line_length = 80;

/** 256 MiB of bytes; built once, outside the timed loops. */
const std::vector<char> &binary() {
  static const std::vector<char> v = bench::lcg_bytes(total, 99);
  return v;
}

/** 256 MiB of 80-byte text lines (79 characters and '\n'). */
const std::string &text() {
  static const std::string s = bench::text_lines(total, line_length);
  return s;
}

void set_bytes(benchmark::State &state, const char *label = "") {
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(total));
  state.SetLabel(label);
}

// ---- istream::read of 4 KiB records -------------------------------------------------

bool read_loop(std::istream &is, char *rec) {
  for (std::size_t off = 0; off < total; off += record)
    is.read(rec, static_cast<std::streamsize>(record));
  return !is.fail();
}

template <class Read>
void read_records(benchmark::State &state, Read read_all, const char *label = "") {
  std::vector<char> rec(record);
  benchmark::DoNotOptimize(binary().data());
  bool ok = true;
  for (auto _ : state) {
    ok = read_all(rec.data()) && ok;
    benchmark::DoNotOptimize(rec.data());
    benchmark::ClobberMemory();
  }
  if (!ok || rec.back() != binary().back())
    state.SkipWithError("read failed");
  set_bytes(state, label);
}

void read_memcpy(benchmark::State &state) {
  read_records(
      state,
      [](char *rec) {
        const char *p = binary().data();
        for (std::size_t off = 0; off < total; off += record) {
          std::memcpy(rec, p + off, record);
          benchmark::DoNotOptimize(rec);
        }
        return true;
      },
      "limit");
}

void read_span_stream(benchmark::State &state) {
  read_records(state, [](char *rec) {
    bytesio::span_stream in(std::as_bytes(std::span(binary())));
    return read_loop(in, rec);
  });
}

#if defined(__cpp_lib_spanstream)
void read_ispanstream(benchmark::State &state) {
  read_records(
      state,
      [](char *rec) {
        std::ispanstream in{std::span<const char>(binary())};
        return read_loop(in, rec);
      },
      "baseline");
}
#endif

void read_array_source(benchmark::State &state) {
  read_records(state, [](char *rec) {
    boost::iostreams::stream<boost::iostreams::array_source> in(binary().data(), total);
    return read_loop(in, rec);
  });
}

// ---- lines of 80 bytes ---------------------------------------------------------------

template <class Count>
void count_lines(benchmark::State &state, Count count, const char *label = "") {
  benchmark::DoNotOptimize(text().data());
  std::size_t lines = 0;
  for (auto _ : state) {
    lines = count();
    benchmark::DoNotOptimize(lines);
  }
  if (lines != total / line_length)
    state.SkipWithError(("counted " + std::to_string(lines) + " lines").c_str());
  set_bytes(state, label);
}

std::size_t getline_all(std::istream &in) {
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);)
    lines += line.size() == line_length - 1;
  return lines;
}

void lines_istringstream(benchmark::State &state) {
  std::string copy = text(); // adopted below, moved back: no copy in the loop
  count_lines(
      state,
      [&] {
        std::istringstream in(std::move(copy));
        const std::size_t n = getline_all(in);
        copy = std::move(in).str();
        return n;
      },
      "baseline");
}

void lines_span_stream_getline(benchmark::State &state) {
  count_lines(state, [] {
    bytesio::span_stream in(text());
    return getline_all(in);
  });
}

void lines_readline_view(benchmark::State &state) {
  count_lines(state, [] {
    bytesio::span_buf in(text());
    std::size_t lines = 0;
    for (auto line = in.readline_view(); !line.empty(); line = in.readline_view())
      lines += line.size() == line_length;
    return lines;
  });
}

} // namespace

int main(int argc, char **argv) {
  const bench::rows ms(bench::milliseconds);
  ms.add("span_read_4KiB/memcpy", read_memcpy);
#if defined(__cpp_lib_spanstream)
  ms.add("span_read_4KiB/ispanstream", read_ispanstream);
#endif
  ms.add("span_read_4KiB/span_stream", read_span_stream)
      .add("span_read_4KiB/boost_array_source", read_array_source)
      .add("lines_80B/istringstream_getline", lines_istringstream)
      .add("lines_80B/span_stream_getline", lines_span_stream_getline)
      .add("lines_80B/span_buf_readline_view", lines_readline_view);
  return bench::run_main(argc, argv);
}
