// SPDX-License-Identifier: BSL-1.0
// Writes 1 GiB into a bytes_stream in 4 KiB records and exits; bench/run
// runs it under `/usr/bin/time -v` and reports "Maximum resident set size".
// The target is at most 1.1 GiB: growth must never hold the old and the new
// block at once (mremap moves pages, it does not copy them).

#include "bytesio/bytes_stream.hpp"

#include <cstddef>
#include <cstdio>
#include <vector>

int main() {
  constexpr std::size_t total = std::size_t(1) << 30;
  constexpr std::size_t record = 4096;
  std::vector<char> rec(record, 'x');
  bytesio::bytes_stream s;
  for (std::size_t off = 0; off < total; off += record)
    s.write(rec.data(), static_cast<std::streamsize>(record));
  if (!s || s.size() != total) {
    std::fprintf(stderr, "peak_rss: wrote %zu bytes, expected %zu\n", s.size(), total);
    return 1;
  }
  std::printf("peak_rss: wrote %zu bytes, capacity %zu\n", s.size(), s.buf().capacity());
  return 0;
}
