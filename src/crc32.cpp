// SPDX-License-Identifier: BSL-1.0
// The CRC-32 of bytesio::crc32_filter (library bytesio_filters).
//
// The build defines BYTESIO_CRC32_ISAL where ISA-L is installed (the same
// check that builds bytesio_igzip): its crc32_gzip_refl folds with
// carry-less multiplication (PCLMULQDQ) and runs several times faster than
// zlib 1.2's table-driven crc32. Elsewhere zlib's crc32_z gives the same
// value. Both take a 64-bit length, so no chunking is needed here.

#include "bytesio/detail/crc32.hpp"

#if BYTESIO_CRC32_ISAL
#include <isa-l/crc.h>
#else
#include <zlib.h>
#endif

namespace bytesio::detail {

std::uint32_t crc32_update(std::uint32_t crc, const void *data, std::size_t n) noexcept {
  if (n == 0)
    return crc;
#if BYTESIO_CRC32_ISAL
  return crc32_gzip_refl(crc, static_cast<const unsigned char *>(data), n);
#else
  return static_cast<std::uint32_t>(::crc32_z(crc, static_cast<const Bytef *>(data), n));
#endif
}

const char *crc32_implementation() noexcept {
#if BYTESIO_CRC32_ISAL
  return "isa-l";
#else
  return "zlib";
#endif
}

} // namespace bytesio::detail
