// SPDX-License-Identifier: BSL-1.0
// Maps a 5 GiB sparse file and reads 1 KiB at 4 GiB + 7; bench/run runs it
// under `/usr/bin/time -v`: it must take well under a second and keep the
// peak resident set under 64 MiB (only the touched pages are read in).

#include "bytesio/mapped_file.hpp"
#include "bytesio/span_buf.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <unistd.h>

int main() {
  namespace fs = std::filesystem;
  const fs::path path = fs::temp_directory_path() / ("mapped_probe-" + std::to_string(::getpid()));
  const std::uint64_t size = std::uint64_t(5) << 30, at = (std::uint64_t(4) << 30) + 7;
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
  if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0 ||
      ::pwrite(fd, "probe", 5, static_cast<off_t>(at)) != 5) {
    std::perror("mapped_probe: making the sparse file");
    return 1;
  }
  ::close(fd);

  const auto start = std::chrono::steady_clock::now();
  bytesio::mapped_file m(path);
  bytesio::span_buf in(m);
  in.seek(static_cast<std::int64_t>(at));
  std::array<std::byte, 1024> out{};
  const std::size_t got = in.readinto(out);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  fs::remove(path);

  if (got != out.size() || std::memcmp(out.data(), "probe", 5) != 0) {
    std::fprintf(stderr, "mapped_probe: read %zu bytes, wrong contents\n", got);
    return 1;
  }
  std::printf("mapped_probe: mapped %llu bytes, read 1 KiB at 4 GiB + 7 in %.3f ms\n",
              static_cast<unsigned long long>(m.size()), ms);
  return 0;
}
