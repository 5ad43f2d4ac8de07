// SPDX-License-Identifier: BSL-1.0
// Legacy stream code to memory.
//
// Code written years ago writes an image to a `std::ostream&` and reads one
// from a `std::istream&`; a C library wants a pointer and a size. With a
// `bytes_stream` all three run on the same bytes in memory: no temporary
// file, and no copy between the stages (`view()` is the stream's own
// memory, and `take()` moves that memory out).

#include <bytesio/bytes_stream.hpp>

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <istream>
#include <ostream>
#include <span>
#include <string>

namespace {

// ---- the "legacy" code: knows streams, not bytesio ----------------------

/** Writes a `width` x `height` binary PPM (P6) gradient to `out`. */
void write_ppm(std::ostream &out, int width, int height) {
  out << "P6\n" << width << ' ' << height << "\n255\n";
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const char rgb[3] = {static_cast<char>(x * 255 / (width - 1)),
                           static_cast<char>(y * 255 / (height - 1)), static_cast<char>(0x80)};
      out.write(rgb, 3);
    }
}

struct ppm_summary {
  int width = 0;
  int height = 0;
  std::uint64_t red_sum = 0; // a cheap check that every pixel came through
  bool ok = false;
};

/** Reads a binary PPM (P6, maxval 255) from `in`. */
ppm_summary read_ppm(std::istream &in) {
  ppm_summary s;
  std::string magic;
  int maxval = 0;
  in >> magic >> s.width >> s.height >> maxval;
  in.get(); // the single whitespace byte before the raster
  if (!in || magic != "P6" || maxval != 255 || s.width <= 0 || s.height <= 0)
    return s;
  char rgb[3];
  for (int i = 0; i < s.width * s.height; ++i) {
    if (!in.read(rgb, 3))
      return s;
    s.red_sum += static_cast<unsigned char>(rgb[0]);
  }
  s.ok = in.peek() == std::char_traits<char>::eof(); // nothing after the raster
  return s;
}

/** A C-style consumer: a pointer and a size (zlib's CRC-32 here). */
std::uint32_t checksum(const unsigned char *data, std::size_t size) {
  return static_cast<std::uint32_t>(::crc32_z(0L, data, size));
}

} // namespace

int main() {
  constexpr int width = 64, height = 48;

  // 1. The writer gets a bytes_stream where it used to get an std::ofstream.
  bytesio::bytes_stream image;
  write_ppm(image, width, height);
  if (!image) {
    std::cerr << "writing the PPM failed\n";
    return 1;
  }
  const std::size_t header = std::string("P6\n64 48\n255\n").size();
  if (image.size() != header + std::size_t{3} * width * height) {
    std::cerr << "unexpected size " << image.size() << '\n';
    return 1;
  }

  // 2. The reader gets the same stream: one position, so rewind it first.
  image.seekg(0);
  const ppm_summary s = read_ppm(image);
  std::uint64_t expected_red = 0;
  for (int x = 0; x < width; ++x)
    expected_red += static_cast<std::uint64_t>(x * 255 / (width - 1)) * height;
  if (!s.ok || s.width != width || s.height != height || s.red_sum != expected_red) {
    std::cerr << "read back " << s.width << 'x' << s.height << " red_sum " << s.red_sum
              << " (expected " << expected_red << ")\n";
    return 1;
  }

  // 3. The pointer-and-size consumer reads the stream's own memory.
  const std::span<const std::byte> bytes = image.view();
  const std::uint32_t crc =
      checksum(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size());

  // The bytes never moved: take() hands over the very memory view() showed.
  const std::byte *where = bytes.data();
  const bytesio::byte_vector owned = image.take();
  if (owned.data() != where || owned.size() != bytes.size()) {
    std::cerr << "take() copied the bytes\n";
    return 1;
  }
  if (checksum(reinterpret_cast<const unsigned char *>(owned.data()), owned.size()) != crc) {
    std::cerr << "checksum changed\n";
    return 1;
  }

  std::printf("PPM %dx%d: %zu bytes in memory, crc32 %08x, read back through std::istream, "
              "no copy\n",
              s.width, s.height, owned.size(), static_cast<unsigned>(crc));
  return 0;
}
