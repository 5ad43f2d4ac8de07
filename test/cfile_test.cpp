// SPDX-License-Identifier: BSL-1.0
#include "bytesio/cfile.hpp"

#define BOOST_TEST_MODULE cfile
#include <boost/test/unit_test.hpp>

#if defined(__GLIBC__)
static_assert(BYTESIO_HAS_OPEN_FILE, "glibc has fopencookie: open_file must be declared");
#endif

#if BYTESIO_HAS_OPEN_FILE

// The FILE contract over every buffer, on this platform's backend; and what
// only glibc's backend here is asked: offsets past 4 GiB. The C libraries
// that take a FILE* are cfile_clients_test; the funopen branch is
// cfile_funopen_test.

#include "support/cfile_suite.hpp"

#include <sys/resource.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>

namespace utf = boost::unit_test;
using namespace bytesio::test;

namespace {

/** Peak resident set of this process, in KiB. */
long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// A write at 5 GiB costs bytes_buf no memory for the gap (fresh pages are
// not zero-filled: measured, the peak RSS grows by a few MiB), so unlike
// large_offsets_test this needs no free memory; BYTESIO_SKIP_LARGE=1 still
// skips it, and it needs a 64-bit size_t and off_t.
boost::test_tools::assertion_result large_offsets_work(utf::test_unit_id) {
  boost::test_tools::assertion_result ok(true);
  if (sizeof(std::size_t) < 8 || sizeof(off_t) < 8) {
    ok = false;
    ok.message() << "size_t or off_t is narrower than 64 bits";
  } else if (const char *skip = std::getenv("BYTESIO_SKIP_LARGE");
             skip != nullptr && std::string_view(skip) == "1") {
    ok = false;
    ok.message() << "BYTESIO_SKIP_LARGE=1";
  }
  return ok;
}

} // namespace

BOOST_AUTO_TEST_CASE(fseeko_past_4gib_writes_there, *utf::precondition(large_offsets_work)) {
  const long rss_before = peak_rss_kib();
  const off_t far = (off_t(5) << 30) + 123; // past 4 GiB and not a multiple of anything
  bytes_subject<bytesio::byte_vector> b{"head"};
  {
    c_stream f = open(b, "r+");
    BOOST_TEST(fseeko(f, far, SEEK_SET) == 0);
    BOOST_TEST(ftello(f) == far);
    BOOST_TEST(put(f, "tail"));
    BOOST_TEST(std::fflush(f) == 0);
    BOOST_TEST(b.size() == static_cast<std::uint64_t>(far) + 4);
    BOOST_TEST(b.tell() == static_cast<std::uint64_t>(far) + 4);
    BOOST_TEST(ftello(f) == far + 4);
    // Back across 4 GiB by a relative seek, and read the gap's end and the tail.
    BOOST_TEST(fseeko(f, -6, SEEK_CUR) == 0);
    BOOST_TEST(ftello(f) == far - 2);
    BOOST_TEST(get_bytes(f, 100) == std::string("\0\0tail", 6));
    BOOST_TEST(fseeko(f, -(far + 4), SEEK_END) == 0);
    BOOST_TEST(get_bytes(f, 4) == "head");
    BOOST_TEST(f.close() == 0);
  }
  const auto view = b.view();
  BOOST_TEST(str(view.subspan(static_cast<std::size_t>(far))) == "tail");
  BOOST_TEST((view[std::size_t(1) << 32] == std::byte{0})); // the gap reads as zeros
  // The gap was never touched: far less than the 5 GiB it spans is resident.
  BOOST_TEST(peak_rss_kib() - rss_before < 256 * 1024);
}

BOOST_AUTO_TEST_CASE(a_seek_beyond_int64_max_is_eoverflow) {
  bytes_subject<bytesio::byte_vector> b{"abc"};
  c_stream f = open(b, "r");
  BOOST_TEST(fseeko(f, std::numeric_limits<off_t>::max(), SEEK_SET) == 0);
  errno = 0;
  BOOST_TEST(fseeko(f, 1, SEEK_CUR) == -1);
  BOOST_TEST((errno == EOVERFLOW || errno == EINVAL)); // glibc may refuse it first
  BOOST_TEST(fseeko(f, 1, SEEK_SET) == 0);
  BOOST_TEST(std::fgetc(f) == 'b');
  BOOST_TEST(f.close() == 0);
}

#else

BOOST_AUTO_TEST_CASE(open_file_is_not_declared_here) {
  BOOST_TEST_MESSAGE("no fopencookie or funopen: open_file is not declared on this platform");
}

#endif
