// SPDX-License-Identifier: BSL-1.0
// Target 2: the operation sequences of target 1 on spooled_stream with a
// tiny threshold (1 to 16 bytes, from the first input byte), so sequences
// cross the rollover to the temporary file, against the same model; and
// contents longer than the threshold are never still in memory.

#include "bytesio/spooled_buf.hpp"

#include "op_sequence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  const std::size_t threshold = in.u8() % 16 + 1;
  bytesio::fuzz::run_op_sequence<bytesio::spooled_stream>(
      in, [threshold] { return bytesio::spooled_stream(threshold); },
      [threshold](bytesio::spooled_stream &s, const bytesio::test::bytes_model &m,
                  const std::string &trace) {
        // Only a write that ends past the threshold makes the contents longer
        // than it, and that write rolls over first.
        if (!m.closed && m.data.size() > threshold && !s.buf().rolled())
          bytesio::fuzz::die("contents of " + std::to_string(m.data.size()) +
                                 " bytes past the threshold " + std::to_string(threshold) +
                                 " still in memory",
                             trace);
      });
  return 0;
}
