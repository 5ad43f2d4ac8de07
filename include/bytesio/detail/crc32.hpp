// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_CRC32_HPP
#define BYTESIO_DETAIL_CRC32_HPP

#include "bytesio/detail/export.hpp"

// The compiled CRC-32 behind crc32_filter, in the library bytesio_filters
// (CMake target bytesio::filters, b2 /bytesio//bytesio_filters). This header
// needs neither ISA-L nor zlib: src/crc32.cpp alone sees the one it was
// built with (ISA-L's crc32_gzip_refl where ISA-L is installed, else zlib's
// crc32_z), so the choice never reaches a user's compiler.

#include <cstddef>
#include <cstdint>

namespace bytesio::detail {

/**
 * Extends the CRC-32 of gzip and zlib (ISO-HDLC: reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF) over `n` more bytes.
 *
 * `crc32_update(crc32_update(0, a, n), b, m)` is the CRC of `a` followed by
 * `b`, exactly as zlib's `crc32(crc32(0, a, n), b, m)`; `crc` 0 starts a new
 * value. Any `n`, 0 included (`data` may then be null); no alignment needed.
 *
 * @return the CRC-32 of everything that `crc` covered followed by `data[0, n)`.
 * Never throws; thread-safe (no state).
 */
BYTESIO_API std::uint32_t crc32_update(std::uint32_t crc, const void *data, std::size_t n) noexcept;

/** The implementation this build uses: "isa-l" or "zlib". */
BYTESIO_API const char *crc32_implementation() noexcept;

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_CRC32_HPP
