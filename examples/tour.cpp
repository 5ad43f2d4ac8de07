// SPDX-License-Identifier: BSL-1.0
// The README's tour, compiled and checked: every snippet in README.md is
// copied from this file (or from another example) verbatim, and the
// `readme_snippets` test fails if the two drift apart.

#include <bytesio.hpp>
#include <bytesio/base64_filters.hpp>
#include <bytesio/iostreams.hpp>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok, const char *what) {
  if (!ok)
    throw std::runtime_error(what);
}

std::string text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char *>(bytes.data()), bytes.size()};
}

std::string text(const bytesio::byte_vector &bytes) { return text({bytes.data(), bytes.size()}); }

void write_read_seek() {
  // [tour: write, read, seek]
  bytesio::bytes_buf f;
  f.write("hello, world\n");
  f.write("second line\n");
  f.seek(0);
  bytesio::byte_vector line = f.readline(); // "hello, world\n"
  f.seek(7);
  bytesio::byte_vector word = f.read(5); // "world"
  f.seek(2, std::ios_base::end);         // past the end: allowed
  f.write("!");                          // the 2-byte gap is zero-filled
  // [end]
  check(text(line) == "hello, world\n", "readline");
  check(text(word) == "world", "read");
  check(f.size() == 28 && text(f.view().last(3)) == std::string("\0\0!", 3), "gap");
  check(f.tell() == 28, "tell");
}

void streams() {
  // [tour: streams]
  bytesio::bytes_stream s;
  s << "width=" << 640 << " height=" << 480; // any std::ostream code
  s.seekg(0);                                // one position for reading and writing
  std::string key;
  std::getline(s, key, '=');
  int width = 0;
  s >> width; // any std::istream code
  // [end]
  check(key == "width" && width == 640, "stream");
  check(s.tellg() == s.tellp(), "one position");
}

void take_and_adopt() {
  bytesio::bytes_stream s;
  s << "report";
  const std::byte *where = s.view().data();
  // [tour: take]
  bytesio::byte_vector bytes = s.take();      // moves the memory out, no copy
  bytesio::bytes_buf again(std::move(bytes)); // adopts it, no copy
  std::vector<char> v{'a', 'b', 'c'};
  bytesio::basic_bytes_buf<std::vector<char>> other(std::move(v)); // any byte container
  // [end]
  check(s.size() == 0 && again.view().data() == where && again.size() == 6, "take/adopt");
  check(other.size() == 3, "adopt vector");
}

void getbuffer() {
  bytesio::bytes_buf f("hello");
  // [tour: getbuffer]
  {
    auto view = f.getbuffer(); // guarded, writable view of the contents
    view.span()[0] = std::byte{'J'};
    try {
      f.write("more"); // refused while a view is alive: it could move the bytes
    } catch (const std::ios_base::failure &e) {
      std::cout << (e.code() == bytesio::errc::buffer_exported) << '\n'; // 1
    }
  } // the view is released here; writes work again
  f.write("!");
  // [end]
  check(text(f.view()) == "!ello", "getbuffer");
}

void gzip_base64() {
  const std::string report(10000, 'r');
  // [tour: gzip + base64]
  namespace io = boost::iostreams;
  bytesio::bytes_buf encoded;
  {
    io::filtering_ostream out;
    out.push(io::gzip_compressor());
    out.push(bytesio::base64_encoder({.line_length = 76})); // MIME lines
    out.push(bytesio::bytes_device(encoded));
    out << report;
  } // closing the chain writes the gzip trailer and the last base64 line
  encoded.seek(0);
  bytesio::bytes_buf decoded;
  decoded.set_size_limit(1 << 20); // guard against a decompression bomb
  {
    io::filtering_istream in;
    in.push(io::gzip_decompressor());
    in.push(bytesio::base64_decoder({.ignore_whitespace = true}));
    in.push(bytesio::bytes_device(encoded));
    io::copy(in, bytesio::bytes_device(decoded));
  }
  // [end]
  check(text(decoded.view()) == report, "gzip+base64 round trip");
  check(text(encoded.view()).find("\r\n") <= 76, "76 columns");
}

void errors() {
  // [tour: errors]
  bytesio::bytes_buf f;
  f.set_size_limit(4);
  try {
    f.write("too long"); // nothing is written: strong guarantee
  } catch (const std::ios_base::failure &e) {
    if (e.code() == bytesio::errc::size_limit)
      std::cout << "refused: " << e.what() << '\n';
  }
  bytesio::bytes_stream s;
  s.buf().set_size_limit(4);
  s << "too long"; // a stream reports by state, as iostreams do
  bool failed = s.bad();
  // [end]
  check(f.size() == 0 && failed, "errors");
}

} // namespace

int main() try {
  write_read_seek();
  streams();
  take_and_adopt();
  getbuffer();
  gzip_base64();
  errors();
  std::puts("tour: every snippet ran and checked its result");
  return 0;
} catch (const std::exception &e) {
  std::cerr << "tour: " << e.what() << '\n';
  return 1;
}
