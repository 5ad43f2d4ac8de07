// SPDX-License-Identifier: BSL-1.0
// The consumer tests' program for the compiled components: built with
// BYTESIO_CONSUMER_IGZIP (bytesio::igzip: gunzip_buf, which needs ISA-L on
// the link line) and/or BYTESIO_CONSUMER_FILTERS (bytesio::filters:
// crc32_filter, ISA-L's or zlib's CRC-32). The consumer's build names only
// the bytesio targets, so a package that forgets a dependency fails to link.

#include <bytesio/version.hpp>
#ifdef BYTESIO_CONSUMER_IGZIP
#include <bytesio/gunzip_buf.hpp>
#endif
#ifdef BYTESIO_CONSUMER_FILTERS
#include <bytesio/filters.hpp>

#include <boost/iostreams/device/null.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#endif

#include <cstdio>
#include <string>

static_assert(BYTESIO_VERSION >= 100, "bytesio/version.hpp");

int main() {
  bool ok = true;
  const std::string text = "hello, bytesio\n";
#ifdef BYTESIO_CONSUMER_IGZIP
  // gzip.compress(text, mtime=0), from Python
  const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                              0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x48,
                              0xaa, 0x2c, 0x49, 0x2d, 0xce, 0xcc, 0xe7, 0x02, 0x00,
                              0x97, 0xce, 0xd4, 0xe9, 0x0f, 0x00, 0x00, 0x00};
  bytesio::gunzip_buf in(std::as_bytes(std::span(gz)));
  const bytesio::byte_vector plain = in.read();
  ok = ok && std::string(reinterpret_cast<const char *>(plain.data()), plain.size()) == text;
  std::puts("consumer: igzip ran");
#endif
#ifdef BYTESIO_CONSUMER_FILTERS
  bytesio::crc32_filter crc;
  {
    boost::iostreams::filtering_ostream out;
    out.push(crc);
    out.push(boost::iostreams::null_sink());
    out << text;
  }
  ok = ok && crc.value() == 0xe9d4ce97u;
  std::puts("consumer: filters ran");
#endif
  std::puts(ok ? "consumer: ok" : "consumer: FAILED");
  return ok ? 0 : 1;
}
