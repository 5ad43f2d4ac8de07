// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_WATCH_REFERENCES_HPP
#define BYTESIO_TEST_SUPPORT_WATCH_REFERENCES_HPP

// What the watching filters (filters.hpp) must show for the bytes that
// passed: zlib's CRC-32, the newline count, the progress calls.

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bytesio::test {

/** zlib's CRC-32 of `s` (gzip's, `crc32(1)`'s). */
inline std::uint32_t zlib_crc(std::string_view s) {
  return static_cast<std::uint32_t>(
      ::crc32_z(0, reinterpret_cast<const unsigned char *>(s.data()), s.size()));
}

/** The lines of `s`: its newline bytes. */
inline std::uint64_t newlines(std::string_view s) {
  return static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\n'));
}

/** The calls a progress filter makes for one stream of `total` bytes. */
inline std::vector<std::uint64_t> progress_calls(std::uint64_t total, std::uint64_t every) {
  std::vector<std::uint64_t> calls;
  if (every != 0)
    for (std::uint64_t k = every; k <= total; k += every)
      calls.push_back(k);
  calls.push_back(total);
  return calls;
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_WATCH_REFERENCES_HPP
