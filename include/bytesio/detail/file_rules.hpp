// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_FILE_RULES_HPP
#define BYTESIO_DETAIL_FILE_RULES_HPP

#include "bytesio/error.hpp"

#include <cstdint>
#include <ios>
#include <string>
#include <utility>
#include <vector>

// The io.BytesIO rules shared by every buffer of the library, written once.

namespace bytesio::detail {

/**
 * The file-like seek of io.BytesIO: `beg` must not be negative, `cur`/`end`
 * clamp to 0, no upper bound but INT64_MAX.
 * @throws std::ios_base::failure (`invalid_argument`)
 */
inline std::uint64_t file_seek_target(std::int64_t off, std::ios_base::seekdir dir,
                                      std::uint64_t pos, std::uint64_t size) {
  constexpr std::int64_t max = INT64_MAX;
  std::int64_t origin = 0;
  if (dir == std::ios_base::beg) {
    if (off < 0)
      throw_error(errc::invalid_argument,
                  "bytesio: seek to negative position " + std::to_string(off));
  } else if (dir == std::ios_base::cur || dir == std::ios_base::end) {
    origin = static_cast<std::int64_t>(dir == std::ios_base::cur ? pos : size);
  } else {
    throw_error(errc::invalid_argument, "bytesio: seek with an unknown direction");
  }
  if (off > 0 && origin > max - off)
    throw_error(errc::invalid_argument, "bytesio: seek position overflows");
  return origin + off < 0 ? 0 : static_cast<std::uint64_t>(origin + off);
}

/**
 * The streambuf seek (like std::filebuf): any non-negative target, even past
 * the end; a negative or overflowing one is no target at all, -1 (the
 * streambuf's own failure value, `pos_type(off_type(-1))`).
 */
inline std::streamoff stream_seek_target(std::streamoff off, std::ios_base::seekdir dir,
                                         std::uint64_t pos, std::uint64_t size) {
  static_assert(sizeof(std::streamoff) == sizeof(std::int64_t), "a 64-bit std::streamoff");
  std::streamoff origin = 0;
  if (dir == std::ios_base::cur)
    origin = static_cast<std::streamoff>(pos);
  else if (dir == std::ios_base::end)
    origin = static_cast<std::streamoff>(size);
  else if (dir != std::ios_base::beg)
    return -1;
  if ((off > 0 && origin > INT64_MAX - off) || origin + off < 0)
    return -1;
  return origin + off;
}

/**
 * `io.BytesIO.readlines` over a `readline` callable: lines until their total
 * length reaches `hint` (0: until the end); the line that reaches it counts.
 */
template <class ReadLine>
auto collect_lines(ReadLine readline, std::size_t hint) {
  std::vector<decltype(readline())> lines;
  std::size_t total = 0;
  for (;;) {
    auto line = readline();
    if (line.size() == 0)
      break;
    total += line.size();
    lines.push_back(std::move(line));
    if (hint != 0 && total >= hint)
      break;
  }
  return lines;
}

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_FILE_RULES_HPP
