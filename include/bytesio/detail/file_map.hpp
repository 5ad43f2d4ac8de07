// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_FILE_MAP_HPP
#define BYTESIO_DETAIL_FILE_MAP_HPP

#include "bytesio/detail/export.hpp"

#include <cstddef>
#include <filesystem>

// The one interface between mapped_file and the operating system, in
// src/file_map.cpp: mmap on POSIX, CreateFileMappingW/MapViewOfFile on
// Windows, and elsewhere a portable fallback that reads the file into the
// heap.

namespace bytesio::detail {

/** A whole file in memory, read-only. */
struct file_map {
  const std::byte *data = nullptr;
  std::size_t size = 0;
  void *handle = nullptr; ///< what the OS needs besides data and size to unmap (Windows, fallback)
};

/**
 * Maps the whole regular file at `path` read-only; an empty file gives an
 * empty map with no data.
 * @throws std::ios_base::failure with the `errno` code (std::generic_category)
 *   and the path in the message: a missing file, a directory (EISDIR), a
 *   file that is not a regular file (ENODEV), no permission, a file too large
 *   for the address space (EFBIG).
 */
BYTESIO_API file_map map_file(const std::filesystem::path &path);

/** Unmaps what `map_file` returned (an empty map is fine). */
BYTESIO_API void unmap_file(file_map map) noexcept;

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_FILE_MAP_HPP
