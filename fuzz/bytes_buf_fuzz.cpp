// SPDX-License-Identifier: BSL-1.0
// Target 1: operation sequences on bytes_stream (file-like calls on its
// bytes_buf, stream-level calls on the stream) against the reference model.

#include "bytesio/bytes_stream.hpp"

#include "op_sequence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  bytesio::fuzz::run_op_sequence<bytesio::bytes_stream>(in, [] { return bytesio::bytes_stream(); });
  return 0;
}
