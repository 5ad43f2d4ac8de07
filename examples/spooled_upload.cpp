// A spooled upload: small payloads stay in memory, large ones spill to an
// anonymous temporary file, and the code that handles them does not change.
//
// A 50 MiB upload arrives in 64 KiB chunks into a `spooled_stream` with a
// 1 MiB threshold (Python's `SpooledTemporaryFile(max_size=1 << 20)`). It
// rolls over to a temporary file that has no name (nothing is left on disk,
// even if the process is killed), is read back through a gzip chain into
// memory, then decompressed and checked against the CRC-32 of what was sent.

#include <bytesio/bytes_buf.hpp>
#include <bytesio/iostreams.hpp>
#include <bytesio/spooled_buf.hpp>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <sys/stat.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <iostream>
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

std::uint32_t crc(std::uint32_t crc, const char *data, std::size_t size) {
  return static_cast<std::uint32_t>(
      ::crc32_z(crc, reinterpret_cast<const unsigned char *>(data), size));
}

} // namespace

int main() {
  // [tour: spooling]
  bytesio::spooled_stream upload(1 << 20); // memory up to 1 MiB, then a temporary file
  std::uint32_t sent_crc = 0;
  bool first_chunk_in_memory = false;
  for (std::size_t n = 0; n * chunk_size < upload_size; ++n) {
    const std::string chunk = make_chunk(n); // as it arrives from the network
    upload.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    sent_crc = crc(sent_crc, chunk.data(), chunk.size());
    if (n == 0)
      first_chunk_in_memory = !upload.rolled(); // true: 64 KiB stay in memory
  }
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

  // Decompress in chunks and check the CRC-32 and the length.
  gz.seek(0);
  io::filtering_istream in;
  in.push(io::gzip_decompressor());
  in.push(bytesio::bytes_device(gz));
  std::uint32_t got_crc = 0;
  std::size_t got_size = 0;
  std::string block(chunk_size, '\0');
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    const auto n = static_cast<std::size_t>(in.gcount());
    got_crc = crc(got_crc, block.data(), n);
    got_size += n;
  }
  if (got_size != upload_size || got_crc != sent_crc) {
    std::cerr << "the round trip through gzip changed the upload\n";
    return 1;
  }

  std::printf("spooled %zu MiB (threshold 1 MiB, rolled over: yes, unlinked file), gzip %zu "
              "bytes in memory, decompressed and verified (crc32 %08x)\n",
              upload_size >> 20, gz.size(), static_cast<unsigned>(sent_crc));
  return 0;
}
