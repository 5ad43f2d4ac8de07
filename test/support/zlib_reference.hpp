// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_ZLIB_REFERENCE_HPP
#define BYTESIO_TEST_SUPPORT_ZLIB_REFERENCE_HPP

// zlib's decoding of gzip input: what "every byte returned before the error
// is right" is checked against, by the tests and the fuzz targets (so no
// Boost.Test here). zlib writes a byte only once the symbol it comes from
// has passed every check, so its output before an error is exactly the part
// of the input that decodes.

#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace bytesio::test {

struct zlib_decoding {
  std::string bytes;   // everything zlib wrote, up to the error or the limit
  bool ok = false;     // one or more whole members, checked, and nothing after them
  std::string message; // zlib's, where it stopped at an error
};

/**
 * Whether zlib stopped at a check that ISA-L does not make: an incomplete
 * Huffman code, for the code lengths, the literals/lengths or the distances
 * (RFC 1951 does not say a code must be complete; zlib refuses one unless it
 * is a single code). ISA-L decodes on from there until a
 * symbol it cannot decode or the member's CRC-32 stops it, so past zlib's
 * stop zlib is no reference.
 */
inline bool isal_decodes_on(const zlib_decoding &z) {
  return z.message == "invalid code lengths set" || z.message == "invalid literal/lengths set" ||
         z.message == "invalid distances set";
}

/**
 * `gz` decoded by zlib as `gzip -d` reads it (members back to back), stopping
 * at the first error or once `limit` bytes are out (then `ok` is false).
 */
inline zlib_decoding zlib_gunzip(std::string_view gz,
                                 std::size_t limit = std::numeric_limits<std::size_t>::max()) {
  zlib_decoding r;
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    return r;
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size()); // the callers' inputs are far below 4 GiB
  constexpr std::size_t chunk = std::size_t{64} << 10;
  while (r.bytes.size() < limit) {
    const std::size_t used = r.bytes.size();
    const std::size_t room = std::min(chunk, limit - used);
    r.bytes.resize(used + room);
    z.next_out = reinterpret_cast<Bytef *>(r.bytes.data() + used);
    z.avail_out = static_cast<uInt>(room);
    const int ret = inflate(&z, Z_NO_FLUSH);
    r.bytes.resize(used + room - z.avail_out);
    if (ret == Z_STREAM_END) {
      if (z.avail_in == 0) {
        r.ok = true;
        break;
      }
      inflateReset(&z); // another member follows, or garbage that fails its header
    } else if (ret != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
      if (z.msg != nullptr)
        r.message = z.msg;
      break; // damage, or the input ends inside a member
    }
  }
  inflateEnd(&z);
  return r;
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_ZLIB_REFERENCE_HPP
