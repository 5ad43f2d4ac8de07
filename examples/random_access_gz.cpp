// SPDX-License-Identifier: BSL-1.0
// Random access into a gzip'ed CSV: records fetched at random offsets of
// the decompressed data without decompressing what comes before them.
//
// A 64 MiB CSV is gzip'ed in memory (igzip_compressor into a bytes_buf) and
// written to a file, as a producer would. The reader maps the file, builds
// the index once in one pass and saves it next to the file (the GZIDX
// format: Python's indexed_gzip reads it too). A later reader loads the
// index and reads records at random offsets through a `gunzip_stream` with
// `std::getline`: each seek decodes at most the index spacing (1 MiB).
// Then the same CSV as BGZF, the blocked gzip of bioinformatics, on two
// threads (bgzf_compressor): its index comes from the compressor, saved as
// the `.gzi` that `bgzip -r` would write, and a reader seeks through it.
// Every record is checked against the row it must be.

#include <bytesio/bgzf.hpp>
#include <bytesio/bytes_buf.hpp>
#include <bytesio/gunzip_buf.hpp>
#include <bytesio/igzip.hpp>
#include <bytesio/iostreams.hpp>
#include <bytesio/mapped_file.hpp>

#include <boost/iostreams/filtering_stream.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

const char *const cities[] = {"Berlin", "Lisbon", "Osaka", "Lima", "Quito", "Oslo", "Accra"};

/** Row `id` of the CSV: every field follows from the id, so any row can be checked. */
std::string row(std::uint64_t id) {
  return std::to_string(id) + ',' + cities[id % 7] + ',' + std::to_string(id * 7919 % 100000) +
         ".00\n";
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

/** 64 MiB of the CSV through `filter` into memory; the number of rows. */
template <class Filter>
std::uint64_t produce(const Filter &filter, bytesio::bytes_buf &gz) {
  std::uint64_t rows = 0;
  boost::iostreams::filtering_ostream out;
  out.push(filter);
  out.push(bytesio::bytes_device(gz));
  for (std::uint64_t written = 0; written < (std::uint64_t{64} << 20); ++rows) {
    const std::string r = row(rows);
    out << r;
    written += r.size();
  }
  out.reset(); // the end of the gzip: trailer, or BGZF's EOF block
  return rows;
}

/** Fetches 200 records at random offsets through `in`; the number that were wrong. */
int fetch_records(bytesio::gunzip_stream &in, std::uint64_t rows, const char *what) {
  const std::uint64_t size = in.buf().size(); // known from the index: nothing decoded
  std::mt19937_64 rng(42);
  int failures = 0;
  const auto t = std::chrono::steady_clock::now();
  constexpr int fetches = 200;
  for (int i = 0; i < fetches; ++i) {
    in.seekg(static_cast<std::streamoff>(rng() % (size - 100)));
    std::string partial, record;
    std::getline(in, partial); // the rest of the row the offset fell in
    std::getline(in, record);  // the next whole row
    const std::uint64_t id = std::strtoull(record.c_str(), nullptr, 10);
    if (!in || record + '\n' != row(id) || id >= rows) {
      std::cerr << "random_access_gz: FAILED (" << what << "): record '" << record << "'\n";
      ++failures;
    }
  }
  std::cout << what << ": " << fetches << " records at random offsets in " << ms_since(t)
            << " ms, e.g. " << row(12345);
  return failures;
}

} // namespace

int main() {
  const fs::path dir =
      fs::temp_directory_path() / ("bytesio-random-access-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path gz_file = dir / "orders.csv.gz", index_file = dir / "orders.csv.gz.gzidx";

  // The producer: 64 MiB of CSV, gzip'ed in memory, written to a file.
  std::uint64_t rows = 0;
  {
    bytesio::bytes_buf gz;
    rows = produce(bytesio::igzip_compressor(1), gz);
    std::ofstream(gz_file, std::ios::binary)
        .write(reinterpret_cast<const char *>(gz.view().data()),
               static_cast<std::streamsize>(gz.view().size()));
  }

  // The first reader: one pass builds the index; it is saved for later.
  const bytesio::mapped_file gz(gz_file);
  auto t = std::chrono::steady_clock::now();
  {
    bytesio::gunzip_buf whole(gz.bytes());
    const bytesio::gzip_index &index = whole.build_index();
    std::ofstream saved(index_file, std::ios::binary);
    index.save(saved);
    std::cout << "indexed " << index.uncompressed_size() << " bytes (" << gz.size()
              << " compressed) in " << ms_since(t) << " ms: " << index.size() << " points, "
              << index.memory() / 1024 << " KiB\n";
  }

  // A later reader: loads the index, then fetches records at random offsets.
  std::ifstream saved(index_file, std::ios::binary);
  bytesio::gunzip_stream in(gz.bytes(), bytesio::gzip_index::load(saved));
  int failures = fetch_records(in, rows, "gzip + GZIDX");

  // BGZF on two threads: the compressor's index is saved as the .gzi, and a
  // reader loads it (the block starts; the sizes come from the blocks).
  bytesio::bytes_buf bgzf_data;
  bytesio::bgzf_compressor bgzf(1, 2); // copies share its state: this one sees the index
  produce(bgzf, bgzf_data);
  const fs::path gzi_file = dir / "orders.csv.bgz.gzi";
  {
    std::ofstream gzi(gzi_file, std::ios::binary);
    bgzf.index().save_gzi(gzi); // what `bgzip -r` writes for this file
  }
  std::cout << "BGZF: " << bgzf_data.size() << " bytes, " << bgzf.index().size() - 2 << " blocks\n";
  std::ifstream gzi(gzi_file, std::ios::binary);
  bytesio::gunzip_stream blocks(bgzf_data.view(), bytesio::gzip_index::load_gzi(gzi));
  failures += fetch_records(blocks, rows, "BGZF + .gzi");
  fs::remove_all(dir);
  if (failures != 0)
    return EXIT_FAILURE;
  std::cout << "random_access_gz: ok\n";
  return EXIT_SUCCESS;
}
