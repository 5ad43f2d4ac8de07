// SPDX-License-Identifier: BSL-1.0
// A spooled upload: small payloads stay in memory, large ones spill to an
// anonymous temporary file, and the code that handles them does not change.
//
// A 50 MiB upload arrives in 64 KiB chunks and is written through a
// `crc32_filter` (the CRC-32 a gzip trailer or a checksum header carries)
// into a `spooled_stream` with a 1 MiB threshold (Python's
// `SpooledTemporaryFile(max_size=1 << 20)`). It rolls over to a temporary
// file that has no name (nothing is left on disk, even if the process is
// killed), is read back through a gzip chain into memory, then decompressed
// through a `crc32_filter` and a `counter_filter` and checked against the CRC
// of what was sent and the CRC zlib wrote into the gzip trailer.

#include <bytesio/bytes_buf.hpp>
#include <bytesio/filters.hpp>
#include <bytesio/iostreams.hpp>
#include <bytesio/spooled_buf.hpp>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/null.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <span>
#include <string>

namespace io = boost::iostreams;

namespace {

constexpr std::size_t chunk_size = 64 << 10;
constexpr std::size_t upload_size = 50 << 20;

/** The n-th chunk of the upload: log-like text, compressible as real data are. */
std::string make_chunk(std::size_t n) {
  std::string chunk;
  chunk.reserve(chunk_size);
  char line[96];
  for (std::size_t i = 0; chunk.size() < chunk_size; ++i) {
    const int len =
        std::snprintf(line, sizeof line, "chunk %zu record %zu status=%s value=%zu\n", n, i,
                      (n + i) % 7 == 0 ? "warn" : "ok", (n * 131 + i * 17) % 9973);
    chunk.append(line, static_cast<std::size_t>(len));
  }
  chunk.resize(chunk_size);
  return chunk;
}

/** The CRC-32 in a gzip member's trailer (little-endian, 8 bytes from the end). */
std::uint32_t trailer_crc(std::span<const std::byte> gz) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = v << 8 | std::to_integer<std::uint32_t>(gz[gz.size() - 8 + static_cast<std::size_t>(i)]);
  return v;
}

} // namespace

int main() {
  // [tour: spooling]
  bytesio::spooled_stream upload(1 << 20); // memory up to 1 MiB, then a temporary file
  bytesio::crc32_filter sent_crc;          // copies share the value: the chain's copy computes it
  io::filtering_ostream receive;
  receive.push(sent_crc);
  receive.push(upload);
  bool first_chunk_in_memory = false;
  for (std::size_t n = 0; n * chunk_size < upload_size; ++n) {
    const std::string chunk = make_chunk(n); // as it arrives from the network
    receive.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (n == 0) {
      receive.flush();                          // hand it on now, to look at the spool
      first_chunk_in_memory = !upload.rolled(); // true: 64 KiB stay in memory
    }
  }
  receive.reset(); // ends the stream: the last bytes reach the spool, the CRC is final
  std::cout << "rolled over to a file: " << upload.rolled() << '\n'; // 1
  // [end]
  if (!first_chunk_in_memory || !upload || !upload.rolled() || upload.size() != upload_size) {
    std::cerr << "the upload did not land in a temporary file\n";
    return 1;
  }

  // The temporary file has no name: its link count is 0.
  struct stat st {};
  if (::fstat(upload.buf().fileno(), &st) != 0 || st.st_nlink != 0 ||
      static_cast<std::size_t>(st.st_size) != upload_size) {
    std::cerr << "the spool file is visible on disk or has the wrong size\n";
    return 1;
  }

  // Stream it back out through gzip, into memory.
  upload.seekg(0);
  bytesio::bytes_buf gz;
  {
    io::filtering_ostream out;
    out.push(io::gzip_compressor(io::gzip_params(io::gzip::best_speed)));
    out.push(bytesio::bytes_device(gz));
    io::copy(upload, out);
  }

  // Decompress, checksumming and counting what comes out of gunzip.
  gz.seek(0);
  bytesio::crc32_filter got_crc;
  bytesio::counter_filter got;
  {
    io::filtering_istream in;
    in.push(got_crc);
    in.push(got);
    in.push(io::gzip_decompressor());
    in.push(bytesio::bytes_device(gz));
    io::copy(in, io::null_sink());
  }
  if (got.bytes() != upload_size || got_crc.value() != sent_crc.value() ||
      trailer_crc(gz.view()) != sent_crc.value()) {
    std::cerr << "the round trip through gzip changed the upload\n";
    return 1;
  }

  std::printf("spooled %zu MiB (threshold 1 MiB, rolled over: yes, unlinked file), gzip %zu "
              "bytes in memory, decompressed and verified (%llu lines, crc32 %08x, the gzip "
              "trailer's too)\n",
              upload_size >> 20, gz.size(), static_cast<unsigned long long>(got.lines()),
              static_cast<unsigned>(sent_crc.value()));
  return 0;
}
