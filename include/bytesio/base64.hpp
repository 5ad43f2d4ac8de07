// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BASE64_HPP
#define BYTESIO_BASE64_HPP

#include "bytesio/detail/export.hpp"

/**
 * @file
 * base64 (RFC 4648) for bytesio: the one-shot functions.
 *
 * `base64_encode`, `base64_decode`, their `_into` variants (into memory the
 * caller has, no allocation), the size functions, `base64_alphabet` and
 * `base64_options` need only the standard library and the compiled library
 * `bytesio`. The Boost.Iostreams filters `base64_encoder` and
 * `base64_decoder`, which produce the same bytes, are in
 * `<bytesio/base64_filters.hpp>`.
 *
 * Output format of the encoder (one-shot and filter alike):
 * - groups of 4 characters from the chosen alphabet; the final 1 or 2 bytes
 *   give "xx==" or "xxx=" when `padding` is true, "xx" or "xxx" when false;
 * - with `line_length` N > 0, `line_ending` follows every N characters and
 *   also ends the last, shorter line; empty input gives empty output. This is
 *   what GNU `base64 -w N` and PEM write (every line terminated), so
 *   `line_length = 76, line_ending = "\n"` is byte-identical to
 *   `base64 -w 76`.
 *
 * The decoder is strict (RFC 4648 section 3). Errors are
 * `std::ios_base::failure` with `code() == bytesio::errc::invalid_base64` and
 * a message that names the byte offset (counting every input character,
 * skipped whitespace included) where the input went wrong:
 * - a character outside the alphabet (NUL, 0xFF, '-' and '_' in `standard`,
 *   '+' and '/' in `url`; whitespace unless `ignore_whitespace`);
 * - with `padding` true: '=' anywhere but the last one or two places of the
 *   final group, a final group without its '=' (the input must be a whole
 *   number of 4-character groups), any data after the padded group;
 * - with `padding` false: any '=' at all (unpadded input is required, as Go's
 *   `RawStdEncoding` does), and a final group of 1 character;
 * - non-zero trailing bits in the final group ("YWF=" instead of "YWE=").
 */

#include "bytesio/byte_vector.hpp"
#include "bytesio/error.hpp"

#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bytesio {

/** The two alphabets of RFC 4648. */
enum class base64_alphabet {
  standard, ///< section 4: 'A'-'Z', 'a'-'z', '0'-'9', '+', '/'
  url,      ///< section 5, URL and filename safe: '-' and '_' instead of '+' and '/'
};

/**
 * How to encode and decode base64. Plain aggregate; every member has the
 * default shown. Encoder-only members are ignored by the decoder and the
 * other way round.
 */
struct base64_options {
  /** The alphabet, for both directions; the other alphabet's two characters are invalid. */
  base64_alphabet alphabet = base64_alphabet::standard;
  /**
   * true: the encoder writes '=' to fill the final group and the decoder
   * requires it. false: the encoder writes no '=' and the decoder rejects
   * any '=' (it accepts a final group of 2 or 3 characters).
   */
  bool padding = true;
  /**
   * Encoder: 0 for one unbroken line; N > 0 puts `line_ending` after every N
   * characters and after the last, shorter line (76: MIME, 64: PEM).
   */
  std::size_t line_length = 0;
  /**
   * Encoder: what ends each line when `line_length` > 0. The one-shot
   * function reads it during the call; the filter copies it.
   */
  std::string_view line_ending = "\r\n";
  /** Decoder: skip ' ', '\t', '\r', '\n' anywhere (MIME, PEM, `base64 -w`). */
  bool ignore_whitespace = false;
};

/**
 * One-shot encode: the base64 text of `data`.
 *
 * Same bytes as a `base64_encoder` with the same options fed `data` in any
 * chunks and then closed.
 *
 * @param data the bytes to encode (may be empty: the result is empty).
 * @param options alphabet, padding, line wrapping; `options.line_ending` is
 *        read during the call only.
 * @return the text, `4 * ceil(size / 3)` characters (fewer without padding)
 *         plus the line endings.
 * @throws std::bad_alloc; nothing else. Strong guarantee (no state).
 */
BYTESIO_API std::string base64_encode(std::span<const std::byte> data, base64_options options = {});

/**
 * One-shot encode of the characters of `data` taken as bytes; the same as
 * the `std::span<const std::byte>` overload (a convenience for string data).
 *
 * @param data the bytes to encode.
 * @param options as for the span overload.
 * @return the base64 text.
 * @throws std::bad_alloc. Strong guarantee.
 */
BYTESIO_API std::string base64_encode(std::string_view data, base64_options options = {});

/**
 * One-shot strict decode of `text`.
 *
 * Same bytes and same errors as a `base64_decoder` with the same options fed
 * `text` in any chunks and then closed.
 *
 * @param text the base64 text (may be empty: the result is empty).
 * @param options alphabet, whether padding is required (true) or forbidden
 *        (false), whether ' ', '\\t', '\\r', '\\n' are skipped.
 * @return the decoded bytes.
 * @throws std::ios_base::failure with `code() == errc::invalid_base64` and
 *         the byte offset in the message, on malformed input (see the file
 *         comment for the exact rules); std::bad_alloc. Strong guarantee:
 *         nothing is returned on failure and there is no other state.
 */
BYTESIO_API byte_vector base64_decode(std::string_view text, base64_options options = {});

/**
 * The exact length of the base64 text of `n` bytes with `options`: the
 * characters (`4 * ceil(n / 3)` with padding; without it, `4 * (n / 3)` plus
 * 0, 2 or 3) and, with `line_length` L > 0, one `line_ending` after every L
 * characters and after the last, shorter line (none for empty input).
 *
 * What `base64_encode` returns and `base64_encode_into` writes, exactly.
 * `constexpr`, so it can size an array: `std::array<char,
 * base64_encoded_size(32)>` holds the 44 characters of a 32-byte key.
 *
 * @throws std::length_error if that length does not fit `std::size_t`.
 */
constexpr std::size_t base64_encoded_size(std::size_t n, base64_options options = {}) {
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  if (n / 3 > max / 4 - 1)
    throw std::length_error("base64_encoded_size: the encoding does not fit std::size_t");
  const std::size_t rest = n % 3;
  const std::size_t chars = n / 3 * 4 + (rest == 0 ? 0 : options.padding ? 4 : rest + 1);
  if (options.line_length == 0 || chars == 0)
    return chars;
  const std::size_t lines =
      chars / options.line_length + (chars % options.line_length != 0 ? 1 : 0);
  const std::size_t ending = options.line_ending.size();
  if (ending != 0 && lines > (max - chars) / ending)
    throw std::length_error("base64_encoded_size: the encoding does not fit std::size_t");
  return chars + lines * ending;
}

/**
 * The most bytes base64 text of `n` characters can decode to, whatever the
 * options: `3 * (n / 4)` plus 0, 0, 1 or 2 for a final group of 0 to 3
 * characters (unpadded input). Padding and skipped whitespace only make the
 * result smaller, so an `out` of this size always suits
 * `base64_decode_into`; the exact size it needs may be smaller (see there).
 */
constexpr std::size_t base64_decoded_size_max(std::size_t n) noexcept {
  return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

/**
 * Encodes `data` into memory the caller has: the text `base64_encode(data,
 * options)` would return, written at `out.data()`, nothing past it.
 *
 * Built on the same codec as `base64_encode` (which calls this), so the
 * bytes are the same; no allocation.
 *
 * @param data the bytes to encode (may be empty).
 * @param out where the text goes; needs `base64_encoded_size(data.size(),
 *        options)` characters, more are left untouched. Must not overlap
 *        `data`.
 * @param options as for `base64_encode`.
 * @return the characters written: `base64_encoded_size(data.size(), options)`.
 * @throws std::ios_base::failure with `code() == errc::invalid_argument`
 *         if `out` is smaller than that, checked before any byte is written
 *         (`out` is then untouched); std::length_error as
 *         `base64_encoded_size`. Nothing else.
 */
BYTESIO_API std::size_t base64_encode_into(std::span<const std::byte> data, std::span<char> out,
                                           base64_options options = {});

/**
 * Strictly decodes `text` into memory the caller has: the bytes
 * `base64_decode(text, options)` would return, written at `out.data()`.
 *
 * Built on the same codec as `base64_decode` (which calls this), so it
 * accepts and rejects the same texts with the same errors (code and
 * message, the byte offset included); no allocation.
 *
 * How much room it needs: what the text decodes to if it is valid, which
 * is known before decoding from the length of the text (with
 * `ignore_whitespace`: of its characters that are not whitespace, one
 * counting pass) and its last one or two '=': for padded text of N
 * characters ending in P '=', `3 * N / 4 - P`. So a 32-byte key encoded in
 * 44 characters ("...=") decodes into a `std::array<std::byte, 32>`.
 * `base64_decoded_size_max(text.size())` is always enough.
 *
 * @param text the base64 text (may be empty).
 * @param out where the bytes go; must not overlap `text`. Bytes past the
 *        room needed are never written.
 * @param options as for `base64_decode`.
 * @return the bytes written.
 * @throws std::ios_base::failure with `code() == errc::invalid_argument` if
 *         `out` is smaller than the room needed (above), checked before any
 *         byte is written; with `code() == errc::invalid_base64` and the
 *         offset in the message on malformed input, as `base64_decode`
 *         (then `out` may hold bytes decoded before the error: basic
 *         guarantee). Nothing else.
 */
BYTESIO_API std::size_t base64_decode_into(std::string_view text, std::span<std::byte> out,
                                           base64_options options = {});

} // namespace bytesio

#endif // BYTESIO_BASE64_HPP
