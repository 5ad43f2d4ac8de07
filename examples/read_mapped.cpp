// SPDX-License-Identifier: BSL-1.0
// Reading memory you already have: a file mapped with `mapped_file` goes to
// `std::getline` through a `span_stream`, and a `.gz` file is decompressed
// from its mapping through a `span_device` into a `bytes_buf`, with no copy
// of either input. The proof: every view the buffers return points into
// the mapping itself.
//
// The example writes its own inputs (a CSV file and its gzip) into a fresh
// temporary directory, reads them back, and checks the results.

#include <bytesio/bytes_buf.hpp>
#include <bytesio/iostreams.hpp>
#include <bytesio/mapped_file.hpp>
#include <bytesio/span_buf.hpp>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace io = boost::iostreams;
namespace fs = std::filesystem;

namespace {

int failures = 0;

void check(bool ok, const char *what) {
  if (!ok) {
    std::cerr << "read_mapped: FAILED: " << what << '\n';
    ++failures;
  }
}

/** A CSV of `rows` rows: id,name,amount. */
std::string make_csv(int rows) {
  std::ostringstream csv;
  csv << "id,name,amount\n";
  for (int i = 1; i <= rows; ++i)
    csv << i << ",customer" << i % 97 << ',' << (i * 37) % 1000 << '\n';
  return csv.str();
}

void write_file(const fs::path &p, const std::string &bytes) {
  std::ofstream(p, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/** The sum of the third column, read with std::getline from any istream. */
std::uint64_t sum_amounts(std::istream &in) {
  std::string line;
  std::getline(in, line); // the header
  std::uint64_t sum = 0;
  while (std::getline(in, line))
    sum += std::stoul(line.substr(line.rfind(',') + 1));
  return sum;
}

} // namespace

int main() try {
  const fs::path dir = fs::temp_directory_path() / ("read_mapped-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string csv = make_csv(200000);
  write_file(dir / "orders.csv", csv);
  {
    std::ofstream gz(dir / "orders.csv.gz", std::ios::binary);
    io::filtering_ostream out;
    out.push(io::gzip_compressor());
    out.push(gz);
    out << csv;
  }
  std::istringstream reference(csv);
  const std::uint64_t expected = sum_amounts(reference);

  // [tour: mapped]
  bytesio::mapped_file file(dir / "orders.csv"); // the file's pages, not a copy
  bytesio::span_stream in(file.bytes());         // any std::istream code reads them
  const std::uint64_t total = sum_amounts(in);
  // [end]
  check(total == expected, "the sum read from the mapping");
  std::cout << "orders.csv: " << file.size() << " bytes mapped, sum of amounts " << total << '\n';

  // The file-like API on the same memory, still without a copy.
  bytesio::span_buf lines(file);
  const std::span<const std::byte> header = lines.readline_view();
  check(header.data() == file.data(), "readline_view points into the mapping");
  check(std::string_view(reinterpret_cast<const char *>(header.data()), header.size()) ==
            "id,name,amount\n",
        "the header line");
  const std::span<const std::byte> next = lines.read_view(10);
  check(next.data() == file.data() + header.size(), "read_view points into the mapping");

  // [tour: mapped gzip]
  bytesio::mapped_file packed(dir / "orders.csv.gz");
  bytesio::span_buf compressed(packed); // reads the mapping in place
  bytesio::bytes_buf unpacked;
  io::filtering_istream gunzip;
  gunzip.push(io::gzip_decompressor());
  gunzip.push(bytesio::span_device(compressed));
  io::copy(gunzip, bytesio::bytes_device(unpacked));
  // [end]
  check(compressed.view().data() == packed.data(), "the gzip input is the mapping itself");
  check(compressed.tell() == packed.size(), "the decompressor read the whole mapping");
  check(unpacked.size() == csv.size() &&
            std::string_view(reinterpret_cast<const char *>(unpacked.view().data()),
                             unpacked.size()) == csv,
        "the decompressed bytes");
  std::cout << "orders.csv.gz: " << packed.size() << " bytes mapped, " << unpacked.size()
            << " decompressed into a bytes_buf\n";

  fs::remove_all(dir);
  if (failures == 0)
    std::cout << "read_mapped: all checks passed\n";
  return failures == 0 ? 0 : 1;
} catch (const std::exception &e) {
  std::cerr << "read_mapped: " << e.what() << '\n';
  return 1;
}
