// SPDX-License-Identifier: BSL-1.0
// A PNG made in memory with libpng and sent as a data URI: no temporary file.
//
// libpng writes through a C `FILE*` (png_init_io), as many C libraries do;
// `bytesio::open_file(buf, "wb")` (bytesio/cfile.hpp) is a FILE* whose
// writes land in a bytes_buf. The image is then base64-encoded into a
// `data:image/png;base64,...` URI (what an HTML report or a JSON API embeds),
// decoded back, and read by libpng again through `open_file` on a span_buf
// over the decoded bytes; the pixels must be the ones drawn, and the program
// exits non-zero if anything differs.

#include <bytesio/base64.hpp>
#include <bytesio/bytes_buf.hpp>
#include <bytesio/cfile.hpp>
#include <bytesio/span_buf.hpp>

#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr unsigned width = 64;
constexpr unsigned height = 48;

/** An RGBA picture: a gradient, a disc, a transparent border. */
std::vector<unsigned char> draw() {
  std::vector<unsigned char> rgba(std::size_t(width) * height * 4);
  for (unsigned y = 0; y < height; ++y)
    for (unsigned x = 0; x < width; ++x) {
      unsigned char *p = &rgba[(std::size_t(y) * width + x) * 4];
      const int dx = int(x) - 32, dy = int(y) - 24;
      const bool disc = dx * dx + dy * dy < 15 * 15;
      p[0] = static_cast<unsigned char>(disc ? 230 : x * 4);
      p[1] = static_cast<unsigned char>(disc ? 60 : y * 5);
      p[2] = static_cast<unsigned char>(disc ? 40 : 160);
      p[3] = static_cast<unsigned char>(x == 0 || y == 0 ? 0 : 255);
    }
  return rgba;
}

// libpng reports errors by longjmp: these two functions keep no C++ object
// alive across its setjmp.

/** libpng writes the picture to `f`. */
bool write_png(std::FILE *f, const unsigned char *rgba) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png == nullptr ? nullptr : png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (unsigned y = 0; y < height; ++y)
    png_write_row(png, rgba + std::size_t(y) * width * 4);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

/** libpng reads a `width` x `height` RGBA picture from `f` into `rgba`. */
bool read_png(std::FILE *f, unsigned char *rgba) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png == nullptr ? nullptr : png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_init_io(png, f);
  png_read_info(png, info);
  const bool ok =
      png_get_image_width(png, info) == width && png_get_image_height(png, info) == height &&
      png_get_color_type(png, info) == PNG_COLOR_TYPE_RGBA && png_get_bit_depth(png, info) == 8;
  if (ok) {
    for (unsigned y = 0; y < height; ++y)
      png_read_row(png, rgba + std::size_t(y) * width * 4, nullptr);
    png_read_end(png, nullptr);
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return ok;
}

int fail(const char *what) {
  std::fprintf(stderr, "png_in_memory: %s\n", what);
  return 1;
}

} // namespace

int main() {
  const std::vector<unsigned char> pixels = draw();

  // 1. libpng writes into memory through a FILE*; 2. the PNG becomes a data URI.
  bytesio::bytes_buf png;
  std::FILE *out = bytesio::open_file(png, "wb");
  if (out == nullptr || !write_png(out, pixels.data())) // png_init_io(png_ptr, out) inside
    return fail("libpng could not write the image");
  if (std::fclose(out) != 0) // flushes stdio's buffer into png
    return fail("fclose failed");
  const std::string uri = "data:image/png;base64," + bytesio::base64_encode(png.view());
  std::printf("%zu x %zu pixels, PNG of %zu bytes, data URI of %zu characters:\n%.72s...\n",
              std::size_t(width), std::size_t(height), png.size(), uri.size(), uri.c_str());

  // 3. Back from the URI: the same bytes, and libpng reads the same pixels.
  constexpr std::string_view prefix = "data:image/png;base64,";
  if (!uri.starts_with(prefix))
    return fail("not a PNG data URI");
  const bytesio::byte_vector decoded = bytesio::base64_decode(uri.substr(prefix.size()));
  if (decoded != bytesio::byte_vector(png.view()))
    return fail("the URI does not decode to the PNG");
  bytesio::span_buf in(decoded);
  std::FILE *f = bytesio::open_file(in, "rb");
  std::vector<unsigned char> back(pixels.size());
  if (f == nullptr || !read_png(f, back.data()))
    return fail("libpng could not read the image back");
  std::fclose(f);
  if (back != pixels)
    return fail("the pixels differ after the round trip");
  std::printf("decoded back: %zu bytes, every pixel equal\n", decoded.size());
  return 0;
}
