// SPDX-License-Identifier: BSL-1.0
// Target 7: open_file against a real file. The input chooses the mode, the
// stdio buffering, the buffer (bytes_buf, spooled_buf rolled over before or
// during) and the initial contents' size, then a sequence of stdio calls;
// each runs on a FILE over the buffer and on fopen's FILE over a temporary
// file, and any difference in what C reports or in the contents is a finding
// (test/support/cfile_differential.hpp).

#include "bytesio/cfile.hpp"

#include "fuzz_common.hpp"

#if BYTESIO_HAS_OPEN_FILE

#include "support/cfile_differential.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  const bytesio::test::cfile_setup setup = bytesio::test::draw_cfile_setup(in);
  const std::string diff = bytesio::test::run_cfile_differential(in, setup, 200);
  if (!diff.empty())
    bytesio::fuzz::die("open_file and a real file disagree", diff);
  return 0;
}

#else

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *, std::size_t) { return 0; }

#endif
