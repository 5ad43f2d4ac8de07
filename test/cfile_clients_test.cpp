// SPDX-License-Identifier: BSL-1.0
#include "bytesio/cfile.hpp"

#define BOOST_TEST_MODULE cfile_clients
#include <boost/test/unit_test.hpp>

#if BYTESIO_HAS_OPEN_FILE

// C libraries that take only a FILE*, on open_file: libpng (png_init_io)
// and libjpeg (jpeg_stdio_dest / jpeg_stdio_src) write an image into a
// bytes_buf and read it back through open_file(..., "rb") on a span_buf
// over those bytes; a third reader, Debian's /usr/bin/python3 with PIL
// (python3-pil: the python3 first on PATH may be another interpreter),
// opens the same bytes from a file, and every reader sees the same pixels.
// The setjmp/longjmp error paths of both libraries are kept in functions
// with no C++ object alive across them.

#include "support/test_support.hpp"

#include <jpeglib.h>
#include <png.h>

#include <sys/wait.h>

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace bytesio::test;

namespace {

struct image {
  unsigned width = 0;
  unsigned height = 0;
  unsigned channels = 0;
  std::vector<unsigned char> pixels; // rows top to bottom, interleaved
};

/** A `w` x `h` RGB image: smooth gradients (JPEG-friendly) with some noise. */
image make_image(unsigned w, unsigned h, unsigned seed) {
  image im{w, h, 3, std::vector<unsigned char>(std::size_t(w) * h * 3)};
  std::uint32_t x = seed * 2654435761u + 1;
  for (unsigned y = 0; y < h; ++y)
    for (unsigned i = 0; i < w; ++i) {
      x = x * 1664525u + 1013904223u;
      unsigned char *p = &im.pixels[(std::size_t(y) * w + i) * 3];
      p[0] = static_cast<unsigned char>(i * 255 / (w - 1));
      p[1] = static_cast<unsigned char>(y * 255 / (h - 1));
      p[2] = static_cast<unsigned char>(((i + y) * 2 + (x >> 29)) & 0xff);
    }
  return im;
}

// ---- libpng --------------------------------------------------------------

/** libpng writes `im` to `f` (png_init_io). @return whether it succeeded. */
bool png_write(std::FILE *f, const image *im) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr)
    return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, im->width, im->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (unsigned y = 0; y < im->height; ++y)
    png_write_row(png, &im->pixels[std::size_t(y) * im->width * 3]);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

/** libpng reads an 8-bit RGB image from `f` into `out` (sized by the caller). */
bool png_read(std::FILE *f, image *out) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr)
    return false;
  png_infop info = png_create_info_struct(png);
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
  const bool rgb8 = png_get_color_type(png, info) == PNG_COLOR_TYPE_RGB &&
                    png_get_bit_depth(png, info) == 8 &&
                    png_get_image_width(png, info) == out->width &&
                    png_get_image_height(png, info) == out->height;
  if (rgb8) {
    for (unsigned y = 0; y < out->height; ++y)
      png_read_row(png, &out->pixels[std::size_t(y) * out->width * 3], nullptr);
    png_read_end(png, nullptr);
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return rgb8;
}

// ---- libjpeg -------------------------------------------------------------

struct jpeg_failure : jpeg_error_mgr {
  std::jmp_buf jump;
};

[[noreturn]] void jpeg_on_error(j_common_ptr cinfo) {
  std::longjmp(static_cast<jpeg_failure *>(cinfo->err)->jump, 1);
}

/** libjpeg writes `im` to `f` (jpeg_stdio_dest) at `quality`. */
bool jpeg_write(std::FILE *f, const image *im, int quality) {
  jpeg_compress_struct cinfo{};
  jpeg_failure err{};
  cinfo.err = jpeg_std_error(&err);
  err.error_exit = jpeg_on_error;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, f);
  cinfo.image_width = im->width;
  cinfo.image_height = im->height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row =
        const_cast<JSAMPROW>(&im->pixels[std::size_t(cinfo.next_scanline) * im->width * 3]);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo); // flushes and checks ferror: JERR_FILE_WRITE
  jpeg_destroy_compress(&cinfo);
  return true;
}

/** libjpeg decodes an RGB image from `f` (jpeg_stdio_src) into `out`. */
bool jpeg_read(std::FILE *f, image *out) {
  jpeg_decompress_struct cinfo{};
  jpeg_failure err{};
  cinfo.err = jpeg_std_error(&err);
  err.error_exit = jpeg_on_error;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  const bool fits = cinfo.output_width == out->width && cinfo.output_height == out->height &&
                    cinfo.output_components == 3;
  if (fits) {
    while (cinfo.output_scanline < cinfo.output_height) {
      JSAMPROW row = &out->pixels[std::size_t(cinfo.output_scanline) * out->width * 3];
      jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
  }
  jpeg_destroy_decompress(&cinfo);
  return fits;
}

// ---- the third reader ----------------------------------------------------

/**
 * What PIL decodes from `file_bytes` (through a temporary file): mode,
 * size, then the raw RGB pixels, from Debian's /usr/bin/python3.
 */
image pil_read(std::string_view file_bytes, std::string &mode) {
  temp_dir dir("bytesio-pil");
  write_file(dir / "image", file_bytes);
  const std::string command =
      "/usr/bin/python3 -c 'import sys; from PIL import Image; im = Image.open(sys.argv[1]); "
      "im.load(); sys.stdout.write(\"%s %d %d\\n\" % (im.mode, im.width, im.height)); "
      "sys.stdout.flush(); sys.stdout.buffer.write(im.convert(\"RGB\").tobytes())' '" +
      (dir / "image").string() + "'";
  std::FILE *p = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(p != nullptr);
  std::string out;
  char chunk[65536];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, p)) > 0;)
    out.append(chunk, n);
  const int status = ::pclose(p);
  BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                        "/usr/bin/python3 with PIL failed (is python3-pil installed?)");
  const std::size_t eol = out.find('\n');
  BOOST_REQUIRE(eol != std::string::npos);
  char mode_text[16] = {};
  unsigned w = 0, h = 0;
  BOOST_REQUIRE(std::sscanf(out.c_str(), "%15s %u %u", mode_text, &w, &h) == 3);
  mode = mode_text;
  image im{w, h, 3, {}};
  im.pixels.assign(out.begin() + static_cast<std::ptrdiff_t>(eol) + 1, out.end());
  BOOST_REQUIRE(im.pixels.size() == std::size_t(w) * h * 3);
  return im;
}

double mean_abs_diff(const std::vector<unsigned char> &a, const std::vector<unsigned char> &b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    sum += std::abs(int(a[i]) - int(b[i]));
  return a.empty() ? 0 : sum / double(a.size());
}

} // namespace

BOOST_AUTO_TEST_CASE(libpng_writes_into_a_bytes_buf_and_reads_from_a_span_buf) {
  const image im = make_image(123, 77, 1);
  bytesio::bytes_buf png;
  std::FILE *f = bytesio::open_file(png, "wb");
  BOOST_REQUIRE(f != nullptr);
  BOOST_TEST(png_write(f, &im));
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST(str(png.view()).starts_with("\x89PNG\r\n\x1a\n"));

  // libpng reads the same bytes back, through a FILE over memory it does not own.
  bytesio::span_buf in(png.view());
  f = bytesio::open_file(in, "rb");
  BOOST_REQUIRE(f != nullptr);
  image back{im.width, im.height, 3, std::vector<unsigned char>(im.pixels.size())};
  BOOST_TEST(png_read(f, &back));
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST((back.pixels == im.pixels)); // lossless

  std::string mode;
  const image pil = pil_read(str(png.view()), mode);
  BOOST_TEST(mode == "RGB");
  BOOST_TEST(pil.width == im.width);
  BOOST_TEST(pil.height == im.height);
  BOOST_TEST((pil.pixels == im.pixels));
}

BOOST_AUTO_TEST_CASE(libjpeg_writes_into_a_bytes_buf_and_reads_from_a_span_buf) {
  const image im = make_image(160, 96, 2);
  bytesio::bytes_buf jpg;
  std::FILE *f = bytesio::open_file(jpg, "wb");
  BOOST_REQUIRE(f != nullptr);
  BOOST_TEST(jpeg_write(f, &im, 92));
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST(str(jpg.view()).starts_with("\xff\xd8\xff"));

  bytesio::span_buf in(jpg.view());
  f = bytesio::open_file(in, "rb");
  BOOST_REQUIRE(f != nullptr);
  image back{im.width, im.height, 3, std::vector<unsigned char>(im.pixels.size())};
  BOOST_TEST(jpeg_read(f, &back));
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST(mean_abs_diff(back.pixels, im.pixels) < 4.0); // lossy, but close

  // PIL decodes with the same libjpeg-turbo defaults: the very same pixels.
  std::string mode;
  const image pil = pil_read(str(jpg.view()), mode);
  BOOST_TEST(mode == "RGB");
  BOOST_TEST(pil.width == im.width);
  BOOST_TEST(pil.height == im.height);
  BOOST_TEST((pil.pixels == back.pixels));
}

BOOST_AUTO_TEST_CASE(libjpeg_sees_the_size_limit_as_a_write_error) {
  const image im = make_image(256, 256, 3);
  bytesio::bytes_buf jpg;
  jpg.set_size_limit(5000);
  std::FILE *f = bytesio::open_file(jpg, "wb");
  BOOST_REQUIRE(f != nullptr);
  BOOST_TEST(!jpeg_write(f, &im, 95)); // JERR_FILE_WRITE through ferror()
  BOOST_TEST(std::ferror(f) != 0);
  std::clearerr(f);
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST(jpg.size() == 5000u); // what fitted stayed
  BOOST_TEST(!jpg.closed());
}

BOOST_AUTO_TEST_CASE(libpng_into_a_spooled_buf_that_rolls_over) {
  const image im = make_image(512, 384, 4);
  bytesio::spooled_buf spool(16 * 1024);
  std::FILE *f = bytesio::open_file(spool, "w+b");
  BOOST_REQUIRE(f != nullptr);
  BOOST_TEST(png_write(f, &im));
  BOOST_TEST(std::fflush(f) == 0);
  BOOST_TEST(spool.rolled());
  std::rewind(f);
  image back{im.width, im.height, 3, std::vector<unsigned char>(im.pixels.size())};
  BOOST_TEST(png_read(f, &back)); // read back through the same FILE
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST((back.pixels == im.pixels));
}

#else

BOOST_AUTO_TEST_CASE(open_file_is_not_declared_here) {
  BOOST_TEST_MESSAGE("no fopencookie or funopen: open_file is not declared on this platform");
}

#endif
