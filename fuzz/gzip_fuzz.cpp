// SPDX-License-Identifier: BSL-1.0
// Target 4: gzip through Boost.Iostreams chains into a bytes_buf.
//  a) arbitrary input through gzip_decompressor into a bytes_buf with a size
//     limit: never crashes or hangs, fails only with an ios_base::failure,
//     and never leaves more than the limit in memory;
//  b) round trip: the input compressed through a filtering_ostream into a
//     bytes_buf, then decompressed from it through a filtering_istream into
//     another bytes_buf, is exact; with a limit one byte short, the copy
//     fails with size_limit.

#include "bytesio/iostreams.hpp"

#include "fuzz_common.hpp"

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <cstring>

namespace io = boost::iostreams;
using bytesio::fuzz::die;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  const std::uint8_t flags = in.u8();
  const std::streamsize buffer = std::streamsize{in.u8()} * 7 + 1; // chain buffer sizes 1..1786
  const auto rest = in.bytes(in.left());
  const char *text = reinterpret_cast<const char *>(rest.data());
  constexpr std::size_t limit = std::size_t{1} << 20;

  // a) arbitrary input to the decompressor
  {
    bytesio::bytes_buf out;
    out.set_size_limit(limit);
    try {
      io::filtering_istream chain;
      chain.push(io::gzip_decompressor(io::zlib::default_window_bits, buffer), buffer);
      chain.push(io::array_source(text, rest.size()), buffer);
      io::copy(chain, bytesio::bytes_device(out), buffer);
    } catch (const std::ios_base::failure &) {
      // gzip_error, zlib_error and size_limit are all ios_base::failure
    }
    if (out.size() > limit)
      die("decompressed past the size limit", "");
  }

  // b) round trip
  bytesio::bytes_buf packed;
  {
    io::filtering_ostream chain;
    chain.push(io::gzip_compressor(io::gzip_params(flags % 10)), buffer);
    chain.push(bytesio::bytes_device(packed), buffer);
    chain.exceptions(std::ios_base::badbit); // once complete: before, badbit is set
    chain.write(text, static_cast<std::streamsize>(rest.size()));
    chain.reset(); // writes the trailer
  }
  for (const bool tight : {false, true}) {
    if (tight && rest.empty())
      break;
    packed.seek(0);
    bytesio::bytes_buf out;
    out.set_size_limit(rest.size() - (tight ? 1 : 0));
    int error = 0;
    try {
      io::filtering_istream chain;
      chain.push(io::gzip_decompressor(io::zlib::default_window_bits, buffer), buffer);
      chain.push(bytesio::bytes_device(packed), buffer);
      io::copy(chain, bytesio::bytes_device(out), buffer);
    } catch (const std::ios_base::failure &e) {
      error = bytesio::fuzz::error_of(e);
      if (error <= 0)
        die("round trip threw", e.what());
    }
    if (tight) {
      if (error != static_cast<int>(bytesio::errc::size_limit))
        die("decompressing past the limit did not fail with size_limit", "");
      if (out.size() > rest.size() - 1)
        die("a failed write left more than the limit", "");
    } else {
      if (error != 0)
        die("round trip failed with an error", std::to_string(error));
      const auto v = out.view();
      if (v.size() != rest.size() || (v.size() != 0 && std::memcmp(v.data(), text, v.size()) != 0))
        die("round trip differs", "");
    }
  }
  return 0;
}
