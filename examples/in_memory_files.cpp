// SPDX-License-Identifier: BSL-1.0
// Testing with in-memory files.
//
// A parser that reads a file through `std::istream&` is unit-tested here
// without a single file on disk: each test builds its input in a
// `bytes_stream` (valid, truncated at every byte, corrupted, huge) and hands
// the stream to the parser. This program is a Boost.Test suite; it exits
// non-zero when a check fails.

#include <bytesio/bytes_stream.hpp>

#define BOOST_TEST_MODULE in_memory_files
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// ---- the code under test: a reader for a small chunked format -----------
//
//   "CHNK" u8 version(=1) u16le count, then count records of
//   u8 tag_length, tag bytes, u32le data_length, data bytes.
// The reader checks the header, then skips the data of records it is not
// asked for with seekg (the format is seekable, so is the stream).

struct record {
  std::string tag;
  std::string data;
};

class format_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

std::uint32_t read_le(std::istream &in, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    const int c = in.get();
    if (c == std::char_traits<char>::eof())
      throw format_error("truncated integer");
    v |= static_cast<std::uint32_t>(c) << (8 * i);
  }
  return v;
}

/** The data of the record tagged `wanted`, if any; throws format_error. */
std::optional<std::string> find_record(std::istream &in, const std::string &wanted) {
  char magic[4];
  if (!in.read(magic, 4) || std::string(magic, 4) != "CHNK")
    throw format_error("bad magic");
  if (read_le(in, 1) != 1)
    throw format_error("unsupported version");
  const std::uint32_t count = read_le(in, 2);
  std::optional<std::string> found;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string tag(read_le(in, 1), '\0');
    if (!in.read(tag.data(), static_cast<std::streamsize>(tag.size())))
      throw format_error("truncated tag");
    const std::uint32_t length = read_le(in, 4);
    if (tag == wanted && !found) {
      std::string data(length, '\0');
      if (!in.read(data.data(), static_cast<std::streamsize>(length)))
        throw format_error("truncated data");
      found = std::move(data);
    } else {
      // Skip without reading: check first that the data are all there.
      const std::streampos here = in.tellg();
      in.seekg(0, std::ios_base::end);
      const std::streampos end = in.tellg();
      if (end - here < static_cast<std::streamoff>(length))
        throw format_error("truncated data");
      in.seekg(here + static_cast<std::streamoff>(length));
    }
  }
  return found;
}

/** Writes records in the format above (the test's input builder). */
void write_chunks(std::ostream &out, const std::vector<record> &records) {
  auto le = [&out](std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      out.put(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  out.write("CHNK", 4);
  le(1, 1);
  le(static_cast<std::uint32_t>(records.size()), 2);
  for (const record &r : records) {
    le(static_cast<std::uint32_t>(r.tag.size()), 1);
    out << r.tag;
    le(static_cast<std::uint32_t>(r.data.size()), 4);
    out << r.data;
  }
}

const std::vector<record> sample = {
    {"name", "bytesio"}, {"blob", std::string(1000, '\x7f')}, {"note", "in memory"}};

} // namespace

BOOST_AUTO_TEST_CASE(finds_each_record) {
  bytesio::bytes_stream file;
  write_chunks(file, sample);
  for (const record &r : sample) {
    file.seekg(0);
    BOOST_TEST(find_record(file, r.tag).value_or("<missing>") == r.data);
  }
  file.seekg(0);
  BOOST_TEST(!find_record(file, "absent").has_value());
}

BOOST_AUTO_TEST_CASE(rejects_every_truncation) {
  bytesio::bytes_stream whole;
  write_chunks(whole, sample);
  const auto bytes = whole.view();
  // The input cut after every possible byte: the parser must throw, never
  // return a partial record or read past the end.
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    bytesio::bytes_stream file(bytes.first(cut));
    BOOST_CHECK_THROW(find_record(file, "note"), format_error);
  }
}

BOOST_AUTO_TEST_CASE(rejects_corruption) {
  bytesio::bytes_stream file;
  write_chunks(file, sample);
  auto view = file.buf().getbuffer(); // patch the bytes in place
  view.span()[0] = std::byte{'X'};
  BOOST_CHECK_THROW(find_record(file, "name"), format_error);
  view.span()[0] = std::byte{'C'};
  view.span()[4] = std::byte{2}; // version
  file.seekg(0);
  BOOST_CHECK_THROW(find_record(file, "name"), format_error);
}

BOOST_AUTO_TEST_CASE(finds_a_record_after_a_large_one) {
  // 64 MiB of record data before the one asked for: the parser seeks over it.
  bytesio::bytes_stream file;
  write_chunks(file, {{"big", std::string(64u << 20, 'b')}, {"small", "tail"}});
  file.seekg(0);
  BOOST_TEST(find_record(file, "small").value_or("<missing>") == "tail");
}
