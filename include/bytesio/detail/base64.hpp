// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_BASE64_HPP
#define BYTESIO_DETAIL_BASE64_HPP

#include "bytesio/detail/export.hpp"

// Internals of base64.hpp and base64_filters.hpp: the streaming codec cores
// and their filter engine, compiled in src/base64.cpp. Standard library only.

#include "bytesio/detail/filter_engine.hpp"

#include <cstddef>
#include <cstdint>
#include <ios>
#include <string>
#include <vector>

namespace bytesio {

enum class base64_alphabet;
struct base64_options;

namespace detail {

/**
 * Streaming base64 encoder state: up to 2 bytes of an unfinished group and
 * the column of the current line. The one-shot function and the filter both
 * drive it, which is why their outputs agree for any chunking.
 *
 * Output buffers are sized by the caller with `max_output` / `max_finish`;
 * the core never writes past those bounds.
 */
class BYTESIO_API base64_encoder_core {
public:
  explicit base64_encoder_core(const base64_options &options);

  /** Upper bound of the characters `process(in, n, out)` writes. */
  std::size_t max_output(std::size_t n) const noexcept;

  /** The most input whose `max_output` fits `room` characters. */
  std::size_t max_input(std::size_t room) const noexcept;

  /** Encodes all of `in[0, n)`; returns the end of what was written at `out`. */
  char *process(const char *in, std::size_t n, char *out) noexcept;

  /** Upper bound of the characters `finish` writes. */
  std::size_t max_finish() const noexcept { return 4 + 5 * line_ending_.size(); }

  /** Writes the final group, padding and last line ending; then resets. */
  char *finish(char *out) noexcept;

  /** Forgets the unfinished group and the column. */
  void reset() noexcept {
    pending_size_ = 0;
    column_ = 0;
  }

private:
  char *put_wrapped(const char *s, std::size_t k, char *out) noexcept;

  const char *table_;        // 12-bit -> 2-char table of the alphabet
  const char *alphabet_;     // the 64 characters
  std::string line_ending_;  // owned: a filter may outlive the caller's view
  std::size_t line_length_;  // 0: no wrapping
  std::size_t column_ = 0;   // characters on the current line, < line_length_
  unsigned char pending_[2]; // bytes of the unfinished group
  unsigned pending_size_ = 0;
  bool padding_;
};

/**
 * Streaming strict base64 decoder state: the sextets of an unfinished group,
 * the '=' seen, and the offset of the next input character (for messages).
 *
 * `process` and `finish` throw `std::ios_base::failure` (`invalid_base64`);
 * after a throw only `reset` is meaningful.
 */
class BYTESIO_API base64_decoder_core {
public:
  explicit base64_decoder_core(const base64_options &options);

  /**
   * Upper bound of the bytes `process(in, n, out)` writes, including the 8
   * bytes of slack the wide stores use. Up to 3 sextets carried over from
   * the previous call complete one more group, hence `n + 3`.
   */
  std::size_t max_output(std::size_t n) const noexcept { return (n + 3) / 4 * 3 + 8; }

  /** The most input whose `max_output` fits `room` bytes. */
  std::size_t max_input(std::size_t room) const noexcept {
    return room < 8 ? 0 : (room - 8) / 3 * 4;
  }

  /** Decodes all of `in[0, n)`; returns the end of what was written at `out`. */
  char *process(const char *in, std::size_t n, char *out);

  /** Upper bound of the bytes `finish` writes. */
  std::size_t max_finish() const noexcept { return 2; }

  /** Checks the end of input, writes the last 1 or 2 unpadded bytes; then resets. */
  char *finish(char *out);

  /** Back to the start of a stream (offset 0). */
  void reset() noexcept {
    bits_ = 0;
    sextets_ = 0;
    pads_ = 0;
    done_ = false;
    offset_ = 0;
  }

private:
  [[noreturn]] void fail(std::uint64_t offset, const char *what, int ch = -1) const;

  const std::uint32_t *table_;      // 4 x 256 entries, bit 24 up = not a sextet
  const unsigned char *sextets_of_; // 256 entries, 0xFF = not in the alphabet
  std::uint32_t bits_ = 0;          // sextets of the unfinished group
  std::uint64_t offset_ = 0;        // input characters consumed before `process`
  std::uint64_t last_data_ = 0;     // offset of the last alphabet character
  unsigned sextets_ = 0;            // 0..3
  unsigned pads_ = 0;               // '=' seen in the unfinished group
  bool done_ = false;               // a padded final group has been read
  bool padding_;
  bool ignore_whitespace_;
};

/**
 * A codec core as a transforming engine of the filter shell (the
 * SymmetricFilter shape of filter_engine.hpp): what base64_encoder and
 * base64_decoder run, and what base64_decode_into decodes with.
 *
 * The core writes straight into the destination as much input as the
 * destination holds in the worst case (`max_input`); the rest goes through
 * a small carry a piece at a time, so any destination size works, one byte
 * included. Copyable: each copy of a filter has its own state.
 */
template <class Core>
class BYTESIO_API base64_engine {
public:
  /** Each copy of the filter has its own state. */
  static constexpr filter_engine_options options{};

  /** The buffer the filters use and ask of a chain. */
  static constexpr std::streamsize buffer_size = 16384;

  explicit base64_engine(const base64_options &o) : core_(o) {}

  /**
   * Converts `[src, src_end)` into `[dst, dst_end)`; with `flush`, ends the
   * stream. @return false once the stream ended and all its output is out.
   * @throws what the core throws (the decoder: `invalid_base64`); std::bad_alloc.
   */
  bool filter(const char *&src, const char *src_end, char *&dst, char *dst_end, bool flush);

  /** Forgets the stream. */
  void close() noexcept {
    core_.reset();
    carry_begin_ = carry_end_ = 0;
    finished_ = false;
  }

  std::size_t optimal_buffer_size() const noexcept { return static_cast<std::size_t>(buffer_size); }

private:
  char *carry_space(std::size_t n);

  Core core_;
  char small_[256];         // the carry, unless a long line ending needs more
  std::vector<char> large_; // the carry once it did
  std::size_t carry_begin_ = 0;
  std::size_t carry_end_ = 0;
  bool finished_ = false; // the core's `finish` ran
};

extern template class base64_engine<base64_encoder_core>;
extern template class base64_engine<base64_decoder_core>;

} // namespace detail
} // namespace bytesio

#endif // BYTESIO_DETAIL_BASE64_HPP
