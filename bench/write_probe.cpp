// SPDX-License-Identifier: BSL-1.0
// Writing 4 KiB records into a fresh bytes_stream against std::ostringstream,
// timed with the steady clock (no Google Benchmark: it also runs in the
// Windows cross build under Wine, where scripts/test-windows prints it; a
// ratio of one run, only indicative there).

#include "bytesio/bytes_stream.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr std::size_t total = std::size_t(256) << 20;
constexpr std::size_t record = 4096;

template <class Stream, class Size>
double gbps(Size size_of) {
  const std::vector<char> rec(record, 'r');
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    Stream s;
    for (std::size_t off = 0; off < total; off += record)
      s.write(rec.data(), static_cast<std::streamsize>(record));
    if (size_of(s) != total)
      return 0;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, static_cast<double>(total) / seconds / 1e9);
  }
  return best;
}

} // namespace

int main() {
  const double ours = gbps<bytesio::bytes_stream>([](auto &s) { return s.size(); });
  const double theirs =
      gbps<std::ostringstream>([](auto &s) { return static_cast<std::size_t>(s.tellp()); });
  if (ours == 0 || theirs == 0) {
    std::fprintf(stderr, "write_probe: a stream lost bytes\n");
    return 1;
  }
  std::printf("write_probe: 4 KiB records, 256 MiB: bytes_stream %.2f GB/s, ostringstream %.2f "
              "GB/s, %.2fx (best of 3)\n",
              ours, theirs, ours / theirs);
  return 0;
}
