// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BASE64_FILTERS_HPP
#define BYTESIO_BASE64_FILTERS_HPP

/**
 * @file
 * base64 (RFC 4648) as Boost.Iostreams filters: `base64_encoder` and
 * `base64_decoder`, which produce the same bytes and the same errors as the
 * one-shot functions of `<bytesio/base64.hpp>` (whose file comment gives
 * the output format and the decoder's rules), for any chunking.
 *
 * Needs Boost.Iostreams' header-only concepts and the compiled library
 * `bytesio`; no compiled Boost library.
 */

#include "bytesio/base64.hpp"
#include "bytesio/detail/base64.hpp"
#include "bytesio/detail/filter_shell.hpp"

namespace bytesio {

/**
 * Boost.Iostreams filter that base64-encodes: dual-use (in a
 * `filtering_ostream` it encodes what is written, in a `filtering_istream` it
 * encodes what it reads from the next device), multichar, closable,
 * optimally buffered (asks the chain for 16 KiB buffers).
 *
 * Output is identical to `base64_encode(all input, options)` whatever the
 * chunk sizes. The final 1 or 2 bytes, their padding and the last line
 * ending are written when the filter is closed for output (`pop()`,
 * `reset()`, `close()` of the stream or chain, or the stream's destructor),
 * or when the next device reports end of input for reading. After a close
 * the filter starts afresh, so one object can encode several streams.
 * In output use the encoded bytes wait in the filter's own 16 KiB buffer
 * until it fills or the stream closes (as Boost's `symmetric_filter`s, gzip
 * included, hold theirs): a chain's `flush()` does not push them on.
 *
 * The options are copied (`line_ending` included), so the caller's
 * `std::string_view` need not outlive the filter. Copyable, like every Boost
 * filter (the chain keeps a copy).
 *
 * Guarantees: `write` consumes all `n` characters unless the next device is
 * non-blocking and takes less, when it returns the count consumed and keeps
 * the encoded rest for the next call; `read` returns -1 at the end.
 *
 * Failures stick (DESIGN.md, "Sticky filter failures"). An exception from
 * the next device (a `bytes_device` over a buffer at its size limit throws
 * `size_limit`) or `std::bad_alloc` propagates and is remembered: every later
 * `write`, `read` and `close` throws that same exception object again,
 * without encoding anything or handing the device another byte, so bytes
 * that Boost's chain offers again after it swallowed the error in `sync()`
 * are never encoded twice. The close that ends the stream (`close(out)`
 * after writes, `close(in)` after reads; a chain's `close()`, `reset()` and
 * `pop()` make it) throws it one last time and returns the filter to its
 * fresh state: that is what "until the filter is reset for a new stream"
 * means. A `filtering_ostream` therefore reports the error from `reset()`,
 * `pop()` or `close()` at the latest, whatever its `exceptions()` are.
 * Each copy has its own state (failure included); the chain's copy is the
 * one that fails. A device pushed with a buffer (Boost's default) gets the
 * chain's last bytes in the `sync()` of Boost's close, which swallows what
 * the device throws before any filter sees it: push a device that may
 * refuse bytes unbuffered (`push(dev, 1)`).
 */
class base64_encoder
    : public detail::filter_shell<detail::base64_engine<detail::base64_encoder_core>> {
public:
  /**
   * A filter that encodes with `options`.
   * @param options alphabet, padding, line wrapping (the decoder-only
   *        `ignore_whitespace` is ignored).
   * @throws std::bad_alloc (copying `line_ending`).
   */
  explicit base64_encoder(const base64_options &options = {})
      : filter_shell(engine_type(options), engine_type::buffer_size, "base64_encoder") {}

private:
  using engine_type = detail::base64_engine<detail::base64_encoder_core>;
};

/**
 * Boost.Iostreams filter that decodes base64 strictly: dual-use, multichar,
 * closable, optimally buffered.
 *
 * Output is identical to `base64_decode(all input, options)` whatever the
 * chunk sizes, and so are the errors: a malformed character throws
 * `std::ios_base::failure` with `code() == errc::invalid_base64` (message
 * with the byte offset from the start of the stream) from the `read` or
 * `write` that meets it; an incomplete final group (truncated input, missing
 * padding) or non-zero trailing bits throw when the filter is closed for
 * output or when the next device reports end of input. A `std::istream` or
 * `std::ostream` over the chain catches it, sets `badbit` and rethrows it
 * when `exceptions()` includes `badbit`. Two Boost.Iostreams habits to know:
 * an error met during `flush()` only sets `badbit` (Boost's `sync()`
 * swallows exceptions), and a `filtering_ostream`'s destructor swallows
 * every error: call `reset()`, `pop()` or `close()` to see it.
 *
 * Failures stick, as for `base64_encoder`: the first error (a malformed
 * character, the end of input, or an exception from the next device) is
 * thrown again, the same object, by every later `write`, `read` and
 * `close`, and nothing more is decoded or handed on, until the close that
 * ends the stream has thrown it one last time and reset the filter. So
 * through a `filtering_ostream` the error reaches the user from `reset()`,
 * `pop()` or `close()` at the latest, with the same code and message (the
 * same offset) as `base64_decode` and the `filtering_istream` direction,
 * however the chain buffered and re-offered the input. The bytes handed on
 * before the error are a prefix of the decoding of the input before the
 * offending character: whole groups, never a byte twice (basic guarantee).
 */
class base64_decoder
    : public detail::filter_shell<detail::base64_engine<detail::base64_decoder_core>> {
public:
  /**
   * A filter that decodes with `options`.
   * @param options alphabet, padding rule, whitespace skipping (the
   *        encoder-only `line_length` and `line_ending` are ignored).
   * @throws std::bad_alloc
   */
  explicit base64_decoder(const base64_options &options = {})
      : filter_shell(engine_type(options), engine_type::buffer_size, "base64_decoder") {}

private:
  using engine_type = detail::base64_engine<detail::base64_decoder_core>;
};

} // namespace bytesio

#endif // BYTESIO_BASE64_FILTERS_HPP
