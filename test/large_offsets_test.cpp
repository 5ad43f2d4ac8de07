// SPDX-License-Identifier: BSL-1.0
#include "bytesio/bytes_stream.hpp"

#define BOOST_TEST_MODULE large_offsets
#include "support/unit_test.hpp"

#include "support/test_support.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <ios>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

// Offsets and sizes beyond 2 GiB and 4 GiB: the streambuf must never funnel
// them through int (pbump/gbump) or 32-bit arithmetic. The big test writes
// past 4 GiB; where fresh pages are known zeros (Linux, Windows) that costs a
// few pages, elsewhere (the realloc fallback) about 4.5 GiB, so it is skipped when
// the available memory (/proc/meminfo's MemAvailable, Windows'
// available physical memory) is under 12 GiB or BYTESIO_SKIP_LARGE=1 is set.
// CI has the memory and runs it.

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif

namespace utf = boost::unit_test;
using namespace std::string_literals;

using namespace bytesio::test;

namespace {

constexpr std::uint64_t gib = std::uint64_t(1) << 30;
constexpr std::uint64_t far_away = 4 * gib + 100;

// The memory the system can give without swapping, in KiB.
std::uint64_t mem_available_kib() {
#if defined(_WIN32)
  MEMORYSTATUSEX status{};
  status.dwLength = sizeof status;
  return ::GlobalMemoryStatusEx(&status) ? status.ullAvailPhys / 1024 : 0;
#else
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream in(line);
    std::string key;
    std::uint64_t kib = 0;
    if (in >> key >> kib && key == "MemAvailable:")
      return kib;
  }
  return 0;
#endif
}

boost::test_tools::assertion_result enough_memory(utf::test_unit_id) {
  boost::test_tools::assertion_result ok(true);
  if (sizeof(std::size_t) < 8) {
    ok = false;
    ok.message() << "size_t is narrower than 64 bits";
  } else if (const char *skip = std::getenv("BYTESIO_SKIP_LARGE");
             skip != nullptr && std::string_view(skip) == "1") {
    ok = false;
    ok.message() << "BYTESIO_SKIP_LARGE=1";
  } else if (const std::uint64_t kib = mem_available_kib(); kib < 12 * 1024 * 1024) {
    ok = false;
    ok.message() << "MemAvailable is " << kib / 1024 << " MiB, under 12 GiB";
  }
  return ok;
}

std::streampos spos(std::uint64_t p) { return std::streampos(std::streamoff(p)); }

} // namespace

BOOST_AUTO_TEST_CASE(positions_beyond_4gib_without_writing) {
  bytesio::bytes_stream s{std::string_view("abc")};
  s.seekg(std::streamoff(far_away));
  BOOST_TEST(s.good());
  BOOST_TEST(s.tellp() == spos(far_away));
  BOOST_TEST(s.buf().tell() == far_away);
  BOOST_TEST(s.rdbuf()->in_avail() == 0);
  BOOST_TEST(s.get() == std::char_traits<char>::eof());
  s.clear();
  BOOST_TEST(s.buf().seek(std::int64_t(far_away) * 1000, std::ios_base::beg) == far_away * 1000);
  BOOST_TEST(s.tellg() == spos(far_away * 1000));
  BOOST_TEST(s.size() == 3u);
}

BOOST_AUTO_TEST_CASE(write_past_4gib_and_read_back, *utf::precondition(enough_memory)) {
  bytesio::bytes_stream s;
  auto &b = s.buf();

  // The file-like API.
  BOOST_TEST(b.seek(std::int64_t(far_away)) == far_away);
  BOOST_TEST(b.write(std::string_view("tail")) == 4u);
  BOOST_TEST(b.size() == far_away + 4);
  BOOST_TEST(b.tell() == far_away + 4);
  const std::span<const std::byte> all = b.view();
  BOOST_TEST(all.size() == far_away + 4);
  for (const std::uint64_t at :
       {std::uint64_t(0), 2 * gib - 1, 2 * gib, 2 * gib + 1, 4 * gib - 1, 4 * gib, far_away - 1})
    BOOST_TEST((all[at] == std::byte{0}), "gap byte at " << at);
  BOOST_TEST(b.seek(std::int64_t(far_away)) == far_away);
  BOOST_TEST(str(b.read(100)) == "tail");
  BOOST_TEST(b.tell() == far_away + 4);
  BOOST_TEST(b.seek(-4, std::ios_base::end) == far_away);
  std::array<std::byte, 8> out{};
  BOOST_TEST(b.readinto(out) == 4u);
  BOOST_TEST(str(std::span(out).first(4)) == "tail");
  BOOST_TEST(b.seek(-2, std::ios_base::cur) == far_away + 2);
  BOOST_TEST(str(b.readline()) == "il");
  b.seek(std::int64_t(3 * gib));
  BOOST_TEST(b.write(std::string_view("mid")) == 3u); // in place, beyond 2^31
  BOOST_TEST(b.size() == far_away + 4);

  // The stream, through seekg/seekp and read/write.
  s.seekg(std::streamoff(far_away));
  BOOST_TEST(s.tellg() == spos(far_away));
  BOOST_TEST(s.rdbuf()->in_avail() == 4);
  char in[8] = {};
  s.read(in, 4);
  BOOST_TEST(s.gcount() == 4);
  BOOST_TEST(std::string(in, 4) == "tail");
  BOOST_TEST(s.tellg() == spos(far_away + 4));
  s.seekg(std::streamoff(3 * gib));
  s.read(in, 3);
  BOOST_TEST(std::string(in, 3) == "mid");
  BOOST_TEST(s.tellp() == spos(3 * gib + 3));
  s.seekg(std::streamoff(2 * gib + 1));
  BOOST_TEST(s.get() == 0);
  s.seekp(std::streamoff(far_away + 2));
  s << "IL";
  BOOST_TEST(s.good());
  BOOST_TEST(s.tellg() == spos(far_away + 4));
  BOOST_TEST(s.rdbuf()->pubseekpos(spos(far_away)) == spos(far_away));
  BOOST_TEST(s.rdbuf()->sgetc() == 't');
  BOOST_TEST(str(b.read()) == "taIL");
  // Output past the end, through the stream, zero-fills beyond 4 GiB.
  s.seekp(std::streamoff(far_away + 10));
  s.put('E');
  BOOST_TEST(s.good());
  BOOST_TEST(s.size() == far_away + 11);
  s.seekg(-11, std::ios_base::end);
  s.read(in, 8);
  BOOST_TEST(std::string(in, 8) == "taIL\0\0\0\0"s);
  BOOST_TEST(s.tellg() == spos(far_away + 8));
  BOOST_TEST(s.rdbuf()->sungetc() == 0);
  BOOST_TEST(s.tellg() == spos(far_away + 7));

  // truncate and take at that size.
  BOOST_TEST(b.truncate(far_away + 2) == far_away + 2);
  BOOST_TEST(b.tell() == far_away + 7);
  BOOST_TEST(b.size() == far_away + 2);
  const std::byte *p = b.view().data();
  const auto taken = s.take();
  BOOST_TEST(taken.size() == far_away + 2);
  BOOST_TEST(taken.data() == p);
  BOOST_TEST(s.size() == 0u);
}
