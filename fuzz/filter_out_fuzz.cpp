// SPDX-License-Identifier: BSL-1.0
// Target: the decoders as output filters (DESIGN.md, "Sticky filter
// failures"). The input picks base64_decoder or igzip_decompressor, its
// options, the chain's filter and device buffer sizes, igzip's own buffer
// size, the output stream's exceptions() and sink, and the chunks the text
// is written in; the rest is the text. A filtering_ostream (written in those
// chunks, then reset()) and a filtering_istream (reading in those chunks)
// must agree with the reference (base64_decode; the inflate engine fed the
// whole input) on accept/reject and on the whole error message (code and
// offset); on success on the bytes; on failure each sink holds a prefix of
// the longest right decoding before the error (base64's core fed a
// character at a time; what zlib decodes before it meets the damage), and
// reset() throws the error the stream saw first. The inflate engine and
// zlib must agree on accept/reject and the bytes, but past an incomplete
// Huffman code, which ISA-L reads and zlib refuses (isal_decodes_on).
// fuzz/make_filter_out_seeds.py writes the seeds in this encoding:
//
//   byte 0       flags: 1 igzip (else base64), 2 url alphabet, 4 no padding,
//                8 ignore whitespace, 16 exceptions(badbit), 32 bytes_device sink
//   byte 1, 2-3  chain filter buffer: 1 + u16 % 2^(byte 1 % 21)
//   byte 4       device buffer: 0 unbuffered, else 16 * byte
//   byte 5, 6-7  igzip buffer_size: 1 + u16 % 2^(byte 5 % 21)
//   byte 8       n = byte % 8 + 1 chunk sizes follow, u16 each: 1 + u16 % 4096
//   the rest     the text to decode

#include "bytesio/base64_filters.hpp"
#include "bytesio/bytes_buf.hpp"
#include "bytesio/igzip.hpp"
#include "bytesio/iostreams.hpp"

#include "fuzz_common.hpp"
#include "support/engine_reference.hpp"
#include "support/zlib_reference.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace io = boost::iostreams;
using bytesio::fuzz::die;

// Output past which an igzip input counts as a bomb: the chains would only take long.
constexpr std::size_t bomb_limit = std::size_t{64} << 20;

struct outcome {
  std::string bytes;
  bool ok = true;
  std::string message;
};

void fail_with(outcome &o, const std::ios_base::failure &e) {
  const int code = bytesio::fuzz::error_of(e);
  if (code != static_cast<int>(bytesio::errc::invalid_base64) &&
      code != static_cast<int>(bytesio::errc::invalid_gzip))
    die("a decoder threw another error", e.what());
  o.ok = false;
  o.message = e.what();
}

struct setup {
  bool igzip = false;
  bytesio::base64_options options;
  bool exceptions = false;
  bool bytes_sink = false;
  std::streamsize filter_buffer = 1;
  std::streamsize device_buffer = 1;
  std::streamsize igzip_buffer = 1;
  std::vector<std::size_t> chunks;
};

std::streamsize sized(bytesio::fuzz::input &in) {
  const unsigned e = in.u8() % 21u;
  return static_cast<std::streamsize>(1 + in.u16() % (std::uint32_t{1} << e));
}

// A Source handing out `text` in the chunk sizes, in turn.
struct chunked_source {
  using char_type = char;
  using category = io::source_tag;
  std::string_view text;
  const std::vector<std::size_t> *chunks;
  std::size_t next = 0;
  std::streamsize read(char *s, std::streamsize n) {
    if (text.empty())
      return -1;
    const std::size_t k =
        std::min({(*chunks)[next++ % chunks->size()], text.size(), static_cast<std::size_t>(n)});
    std::copy_n(text.data(), k, s);
    text.remove_prefix(k);
    return static_cast<std::streamsize>(k);
  }
};

template <class Filter>
outcome via_ostream(const Filter &f, std::string_view text, const setup &s) {
  outcome o;
  std::string str_sink;
  bytesio::bytes_buf buf_sink;
  {
    io::filtering_ostream os;
    os.push(f, s.filter_buffer);
    if (s.bytes_sink)
      os.push(bytesio::bytes_device(buf_sink), s.device_buffer);
    else
      os.push(io::back_inserter(str_sink), s.device_buffer);
    if (s.exceptions)
      os.exceptions(std::ios_base::badbit);
    try {
      for (std::size_t at = 0, i = 0; at < text.size(); ++i) {
        const std::size_t k = std::min(s.chunks[i % s.chunks.size()], text.size() - at);
        os.write(text.data() + at, static_cast<std::streamsize>(k));
        at += k;
      }
    } catch (const std::ios_base::failure &e) {
      fail_with(o, e);
    }
    try {
      os.reset();
      if (!o.ok)
        die("reset() did not throw the error a write met", o.message);
    } catch (const std::ios_base::failure &e) {
      if (o.ok)
        fail_with(o, e);
      else if (o.message != e.what())
        die("reset() threw another error than the write", o.message + " | " + e.what());
    }
  }
  o.bytes = s.bytes_sink ? std::string(reinterpret_cast<const char *>(buf_sink.view().data()),
                                       buf_sink.size())
                         : std::move(str_sink);
  return o;
}

template <class Filter>
outcome via_istream(const Filter &f, std::string_view text, const setup &s) {
  outcome o;
  io::filtering_istream is;
  is.push(f, s.filter_buffer);
  is.push(chunked_source{text, &s.chunks}, s.device_buffer);
  is.exceptions(std::ios_base::badbit);
  std::vector<char> buf(4096);
  try {
    for (std::size_t i = 0;; ++i) {
      is.read(buf.data(), static_cast<std::streamsize>(s.chunks[i % s.chunks.size()]));
      o.bytes.append(buf.data(), static_cast<std::size_t>(is.gcount()));
      if (!is)
        break;
    }
  } catch (const std::ios_base::failure &e) {
    fail_with(o, e);
  }
  return o;
}

// base64_decode, and the output of the core fed one character at a time
// (everything before the error).
outcome base64_reference(std::string_view text, const bytesio::base64_options &o,
                         std::string &longest) {
  outcome r;
  try {
    const auto v = bytesio::base64_decode(text, o);
    r.bytes.assign(reinterpret_cast<const char *>(v.data()), v.size());
  } catch (const std::ios_base::failure &e) {
    fail_with(r, e);
  }
  bytesio::detail::base64_decoder_core core(o);
  std::vector<char> tmp(core.max_output(1) + core.max_finish());
  try {
    for (char c : text) {
      const char *end = core.process(&c, 1, tmp.data());
      longest.append(tmp.data(), static_cast<std::size_t>(end - tmp.data()));
    }
    const char *end = core.finish(tmp.data());
    longest.append(tmp.data(), static_cast<std::size_t>(end - tmp.data()));
  } catch (const std::ios_base::failure &) {
  }
  return r;
}

// The inflate engine fed the whole input (up to the bomb limit).
outcome igzip_reference(std::string_view gz) {
  bytesio::test::engine_decoding e = bytesio::test::engine_gunzip(gz, {.total = bomb_limit});
  outcome r;
  r.bytes = std::move(e.bytes); // at the limit, a bomb: compare no further than this
  if (e.error) {
    try {
      std::rethrow_exception(e.error);
    } catch (const std::ios_base::failure &f) {
      fail_with(r, f);
    }
  }
  return r;
}

// `longest_ends`: false where the longest decoding is known only so far.
void agree(const outcome &got, const outcome &ref, const std::string &longest, const char *what,
           bool longest_ends = true) {
  if (got.ok != ref.ok)
    die(std::string(what) + (got.ok ? " accepted" : " rejected") + ", the reference " +
            (ref.ok ? "accepted" : "rejected"),
        got.ok ? ref.message : got.message);
  if (!got.ok && got.message != ref.message)
    die(std::string(what) + " reported another error", got.message + " | " + ref.message);
  if (got.ok && got.bytes != ref.bytes)
    die(std::string(what) + " decoded other bytes", "");
  const std::size_t known =
      longest_ends ? got.bytes.size() : std::min(got.bytes.size(), longest.size());
  if (!got.ok &&
      !std::string_view(longest).starts_with(std::string_view(got.bytes).substr(0, known)))
    die(std::string(what) + " handed on more than a prefix of the decoding",
        std::to_string(got.bytes.size()) + " of " + std::to_string(longest.size()) + " bytes");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  setup s;
  const std::uint8_t flags = in.u8();
  s.igzip = (flags & 1) != 0;
  s.options.alphabet =
      (flags & 2) != 0 ? bytesio::base64_alphabet::url : bytesio::base64_alphabet::standard;
  s.options.padding = (flags & 4) == 0;
  s.options.ignore_whitespace = (flags & 8) != 0;
  s.exceptions = (flags & 16) != 0;
  s.bytes_sink = (flags & 32) != 0;
  s.filter_buffer = sized(in);
  const std::uint8_t device = in.u8();
  s.device_buffer = device == 0 ? 1 : 16 * std::streamsize{device};
  s.igzip_buffer = sized(in);
  for (unsigned n = in.u8() % 8u + 1; n != 0; --n)
    s.chunks.push_back(1 + std::size_t{in.u16()} % 4096);
  const auto rest = in.bytes(in.left());
  const std::string_view text(reinterpret_cast<const char *>(rest.data()), rest.size());

  if (s.igzip) {
    const outcome ref = igzip_reference(text);
    if (ref.ok && ref.bytes.size() == bomb_limit)
      return 0; // a bomb: the chains would only take long
    // What zlib decodes before it meets the damage: ISA-L's call that finds
    // it may have written bytes decoded from past it (up to 927 measured),
    // which no chain may hand on (the regression seed
    // regress-isal-decodes-past-damage has 226).
    const bytesio::test::zlib_decoding z = bytesio::test::zlib_gunzip(text, bomb_limit);
    const bool on = bytesio::test::isal_decodes_on(z); // then zlib is a reference only so far
    if (!on && (z.ok != ref.ok || (ref.ok && z.bytes != ref.bytes)))
      die(std::string("zlib ") + (z.ok ? "accepted" : "rejected") + " the input, the engine " +
              (ref.ok ? "accepted" : "rejected") + (z.ok == ref.ok ? " (other bytes)" : ""),
          ref.message + " | " + z.message);
    const bytesio::igzip_decompressor f(s.igzip_buffer);
    agree(via_ostream(f, text, s), ref, z.bytes, "igzip output chain", !on);
    agree(via_istream(f, text, s), ref, z.bytes, "igzip input chain", !on);
  } else {
    std::string longest;
    const outcome ref = base64_reference(text, s.options, longest);
    const bytesio::base64_decoder f(s.options);
    agree(via_ostream(f, text, s), ref, longest, "base64 output chain");
    agree(via_istream(f, text, s), ref, longest, "base64 input chain");
  }
  return 0;
}
