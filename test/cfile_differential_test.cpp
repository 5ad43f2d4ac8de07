// SPDX-License-Identifier: BSL-1.0
#include "bytesio/cfile.hpp"

#define BOOST_TEST_MODULE cfile_differential
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

// open_file against a real file on this C library: seeded random sequences of
// stdio calls in every mode, with every stdio buffering, over bytes_buf and
// spooled_buf (rolled over before and during), side by side with fopen on a
// temporary file (support/cfile_differential.hpp says what is compared).

#if BYTESIO_HAS_OPEN_FILE

#include "support/cfile_differential.hpp"

#include <cstdint>
#include <string>

namespace bdata = boost::unit_test::data;
using namespace bytesio::test;

namespace {

constexpr int seeds_per_setup = 60; // x 6 modes x 3 bufferings x 3 buffers = 3,240 sequences
constexpr std::size_t ops_per_sequence = 80;

const char *const subject_names[] = {"bytes_buf", "spooled_buf rolled", "spooled_buf rolling"};
const char *const buffering_names[] = {"default", "_IONBF", "7-byte"};

} // namespace

BOOST_DATA_TEST_CASE(open_file_agrees_with_a_real_file,
                     bdata::xrange(3) * bdata::xrange(3) * bdata::xrange(6), subject, buffering,
                     mode) {
  int sequences = 0, disagreements = 0;
  for (int seed = 0; seed < seeds_per_setup; ++seed) {
    seeded_source in(
        static_cast<std::uint64_t>(((subject * 3 + buffering) * 6 + mode) * 1000 + seed));
    cfile_setup setup = draw_cfile_setup(in);
    setup.mode = cfile_modes[mode];
    setup.buffering = static_cast<cfile_buffering>(buffering);
    setup.subject = static_cast<cfile_subject>(subject);
    const std::string diff = run_cfile_differential(in, setup, ops_per_sequence);
    ++sequences;
    if (!diff.empty()) {
      ++disagreements;
      BOOST_TEST(diff.empty(), "seed " << seed << ": " << diff);
    }
  }
  BOOST_TEST_MESSAGE(subject_names[subject] << ", " << buffering_names[buffering] << ", \""
                                            << cfile_modes[mode] << "\": " << sequences
                                            << " sequences, " << disagreements << " disagreements");
}

#else

BOOST_AUTO_TEST_CASE(open_file_is_not_declared_here) {
  BOOST_TEST_MESSAGE("no fopencookie or funopen: open_file is not declared on this platform");
}

#endif
