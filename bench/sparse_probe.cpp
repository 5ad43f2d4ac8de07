// SPDX-License-Identifier: BSL-1.0
// seek(4 GiB) and a one-byte write on a fresh bytes_buf, then on a
// spooled_buf after its rollover; bench/run runs it under `/usr/bin/time -v`.
// Each must take well under 50 ms and the peak resident set must stay under
// 64 MiB: the gap is zeros nobody writes (fresh pages, a file's hole).

#include "bytesio/bytes_buf.hpp"
#include "bytesio/spooled_buf.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace {

template <class Buf>
double seek_and_write(Buf &b) {
  const auto start = std::chrono::steady_clock::now();
  b.seek(std::int64_t(4) << 30);
  b.write("x");
  if constexpr (requires { b.flush(); })
    b.flush();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

int main() {
  const std::uint64_t want = (std::uint64_t(4) << 30) + 1;
  bytesio::bytes_buf memory;
  const double memory_ms = seek_and_write(memory);
  bytesio::spooled_buf spooled(1 << 20);
  spooled.rollover();
  const double spooled_ms = seek_and_write(spooled);
  if (memory.size() != want || spooled.size() != want) {
    std::fprintf(stderr, "sparse_probe: wrong sizes %zu, %zu\n", memory.size(), spooled.size());
    return 1;
  }
  std::printf("sparse_probe: bytes_buf %.3f ms, spooled_buf %.3f ms\n", memory_ms, spooled_ms);
  return 0;
}
