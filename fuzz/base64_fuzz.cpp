// SPDX-License-Identifier: BSL-1.0
// Target 3: base64. The first input bytes pick the options; the rest is
//  a) decoded as text: the decoder either fails with invalid_base64 or its
//     output re-encodes to the input (whitespace dropped when ignored), since
//     the strict decoder accepts only the canonical encoding;
//  b) encoded as bytes under the options and decoded back: exact round trip;
//  c) fed through base64_encoder / base64_decoder in random chunks, on the
//     output side (write + close) and the input side (read + close): same
//     bytes and same success as the one-shot functions.

#include "bytesio/base64_filters.hpp"

#include "fuzz_common.hpp"

#include <boost/iostreams/close.hpp>
#include <boost/iostreams/operations.hpp>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using bytesio::fuzz::die;

// Output side: appends to a string.
struct string_sink {
  using char_type = char;
  using category = boost::iostreams::sink_tag;
  std::string *out;
  std::streamsize write(const char *s, std::streamsize n) {
    out->append(s, static_cast<std::size_t>(n));
    return n;
  }
};

// Input side: hands out the text in the chunk sizes the fuzzer chose.
struct chunked_source {
  using char_type = char;
  using category = boost::iostreams::source_tag;
  std::string_view text;
  const std::vector<std::size_t> *chunks;
  std::size_t next = 0;
  std::streamsize read(char *s, std::streamsize n) {
    if (text.empty())
      return -1;
    const std::size_t want = (*chunks)[next++ % chunks->size()];
    const std::size_t k = std::min({want, text.size(), static_cast<std::size_t>(n)});
    std::copy_n(text.data(), k, s);
    text.remove_prefix(k);
    return static_cast<std::streamsize>(k);
  }
};

struct outcome {
  std::optional<std::string> value; // nullopt: failed with invalid_base64
};

template <class Filter>
outcome stream_write(const Filter &proto, std::string_view text,
                     const std::vector<std::size_t> &chunks) {
  Filter f = proto;
  std::string out;
  string_sink snk{&out};
  try {
    std::size_t i = 0;
    while (!text.empty()) {
      const std::size_t k = std::min(chunks[i++ % chunks.size()], text.size());
      std::streamsize done = 0;
      while (done < static_cast<std::streamsize>(k)) {
        const std::streamsize r = boost::iostreams::write(f, snk, text.data() + done,
                                                          static_cast<std::streamsize>(k) - done);
        if (r <= 0)
          die("filter write consumed nothing", "");
        done += r;
      }
      text.remove_prefix(k);
    }
    boost::iostreams::close(f, snk, std::ios_base::out);
  } catch (const std::ios_base::failure &e) {
    if (bytesio::fuzz::error_of(e) != static_cast<int>(bytesio::errc::invalid_base64))
      die(std::string("filter write threw another error: ") + e.what(), "");
    return {};
  }
  return {std::move(out)};
}

template <class Filter>
outcome stream_read(const Filter &proto, std::string_view text,
                    const std::vector<std::size_t> &chunks) {
  Filter f = proto;
  std::string out;
  chunked_source src{text, &chunks};
  try {
    char buf[97];
    std::size_t i = 0;
    for (;;) {
      const auto n = static_cast<std::streamsize>(1 + chunks[i++ % chunks.size()] % sizeof buf);
      const std::streamsize r = boost::iostreams::read(f, src, buf, n);
      if (r < 0)
        break;
      out.append(buf, static_cast<std::size_t>(r));
    }
    boost::iostreams::close(f, src, std::ios_base::in);
  } catch (const std::ios_base::failure &e) {
    if (bytesio::fuzz::error_of(e) != static_cast<int>(bytesio::errc::invalid_base64))
      die(std::string("filter read threw another error: ") + e.what(), "");
    return {};
  }
  return {std::move(out)};
}

std::string to_string(const bytesio::byte_vector &v) {
  return {reinterpret_cast<const char *>(v.data()), v.size()};
}

void agree(const outcome &streamed, const outcome &oneshot, const char *what) {
  if (streamed.value.has_value() != oneshot.value.has_value())
    die(std::string(what) + ": streaming " + (streamed.value ? "succeeded" : "failed") +
            ", one-shot " + (oneshot.value ? "succeeded" : "failed"),
        "");
  if (streamed.value && *streamed.value != *oneshot.value)
    die(std::string(what) + ": streaming output differs from one-shot", "");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  const std::uint8_t flags = in.u8();
  static constexpr std::size_t line_lengths[] = {0, 1, 4, 64, 76, 3, 5, 0};
  static constexpr std::string_view endings[] = {"\r\n", "\n", "\r\n", "\n"};
  bytesio::base64_options opt;
  opt.alphabet = flags & 1 ? bytesio::base64_alphabet::url : bytesio::base64_alphabet::standard;
  opt.padding = (flags & 2) == 0;
  opt.ignore_whitespace = (flags & 4) != 0;
  opt.line_length = line_lengths[(flags >> 3) & 7];
  opt.line_ending = endings[(flags >> 6) & 3];
  std::vector<std::size_t> chunks;
  for (std::uint8_t n = in.u8() % 8 + 1; n != 0; --n)
    chunks.push_back(std::size_t{in.u8()} % 70 + 1);
  const auto rest = in.bytes(in.left());
  const std::string_view text(reinterpret_cast<const char *>(rest.data()), rest.size());

  // a) decode arbitrary text
  outcome decoded;
  try {
    decoded.value = to_string(bytesio::base64_decode(text, opt));
  } catch (const std::ios_base::failure &e) {
    if (bytesio::fuzz::error_of(e) != static_cast<int>(bytesio::errc::invalid_base64))
      die(std::string("decode threw another error: ") + e.what(), "");
  }
  if (decoded.value) {
    std::string canonical(text);
    if (opt.ignore_whitespace)
      std::erase_if(canonical,
                    [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
    bytesio::base64_options plain = opt;
    plain.line_length = 0;
    if (bytesio::base64_encode(std::string_view(*decoded.value), plain) != canonical)
      die("decoded text does not re-encode to its canonical form", "");
  }
  agree(stream_write(bytesio::base64_decoder(opt), text, chunks), decoded, "decoder (write)");
  agree(stream_read(bytesio::base64_decoder(opt), text, chunks), decoded, "decoder (read)");

  // b) round trip of arbitrary bytes
  const std::string encoded = bytesio::base64_encode(rest, opt);
  bytesio::base64_options dec = opt;
  dec.ignore_whitespace = opt.line_length != 0 || opt.ignore_whitespace;
  try {
    if (to_string(bytesio::base64_decode(encoded, dec)) != std::string(text))
      die("round trip differs", "");
  } catch (const std::ios_base::failure &e) {
    die(std::string("round trip failed to decode: ") + e.what(), "");
  }
  if (opt.line_length == 0 && !opt.ignore_whitespace &&
      encoded.find_first_of(" \t\r\n") != std::string::npos)
    die("unbroken encoding contains whitespace", "");

  // c) the encoder filter agrees with the one-shot encoder
  const outcome want{encoded};
  agree(stream_write(bytesio::base64_encoder(opt), text, chunks), want, "encoder (write)");
  agree(stream_read(bytesio::base64_encoder(opt), text, chunks), want, "encoder (read)");

  // d) into memory the caller has: what the one-shot functions give, in the
  //    room promised, nothing written past the result; one byte less refused
  const std::size_t room = bytesio::base64_decoded_size_max(text.size());
  std::string into(room + 16, '\x5a');
  try {
    const std::size_t n = bytesio::base64_decode_into(
        text, std::as_writable_bytes(std::span<char>(into.data(), room)), opt);
    if (!decoded.value || std::string_view(into).substr(0, n) != *decoded.value)
      die("decode_into differs from decode", "");
    if (into.find_first_not_of('\x5a', n) != std::string::npos)
      die("decode_into wrote past its result", "");
  } catch (const std::ios_base::failure &e) {
    std::string one_shot;
    try {
      (void)bytesio::base64_decode(text, opt);
    } catch (const std::ios_base::failure &f) {
      one_shot = f.what();
    }
    if (decoded.value || one_shot != e.what())
      die(std::string("decode_into failed unlike decode: ") + e.what(), "");
  }
  if (decoded.value && !decoded.value->empty()) {
    std::string small(decoded.value->size() - 1, '\0');
    try {
      (void)bytesio::base64_decode_into(text, std::as_writable_bytes(std::span<char>(small)), opt);
      die("decode_into took less room than the result", "");
    } catch (const std::ios_base::failure &e) {
      if (bytesio::fuzz::error_of(e) != static_cast<int>(bytesio::errc::invalid_argument))
        die(std::string("decode_into into too little room: ") + e.what(), "");
    }
  }
  std::string enc(bytesio::base64_encoded_size(rest.size(), opt), '\0');
  if (bytesio::base64_encode_into(rest, enc, opt) != encoded.size() || enc != encoded)
    die("encode_into differs from encode", "");
  return 0;
}
