// Target 2: the operation sequences of target 1 on spooled_stream with a
// tiny threshold (1 to 16 bytes, from the first input byte), so sequences
// cross the rollover to the temporary file, against the same model.

#include "bytesio/spooled_buf.hpp"

#include "op_sequence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  const std::size_t threshold = in.u8() % 16 + 1;
  bytesio::fuzz::run_op_sequence<bytesio::spooled_stream>(
      in, [threshold] { return bytesio::spooled_stream(threshold); });
  return 0;
}
