// SPDX-License-Identifier: BSL-1.0
// Target: the operation sequences of the bytes_buf target on a span_stream
// over memory the input chooses, against the model of a read-only file over
// the same bytes: reads, seeks, putbacks and refused output must agree, and
// the buffer must read the memory in place (never a copy).

#include "bytesio/span_buf.hpp"

#include "op_sequence.hpp"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  const auto chosen = in.bytes(in.u8());
  const std::vector<std::byte> memory(chosen.begin(), chosen.end());
  bytesio::test::bytes_model start;
  start.data = memory;
  start.read_only = true;
  bytesio::fuzz::run_op_sequence<bytesio::span_stream>(
      in, [&memory] { return bytesio::span_stream(std::span(memory)); },
      [&memory](bytesio::span_stream &s, const bytesio::test::bytes_model &m,
                const std::string &trace) {
        if (!m.closed && !memory.empty() && s.view().data() != memory.data())
          bytesio::fuzz::die("span_buf does not read the caller's memory in place", trace);
      },
      start);
  return 0;
}
