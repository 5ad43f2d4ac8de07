#ifndef BYTESIO_DETAIL_BASE64_HPP
#define BYTESIO_DETAIL_BASE64_HPP

// Internals of base64.hpp: the streaming codec cores (compiled in
// src/base64.cpp) and the Boost.Iostreams filter skeleton shared by
// base64_encoder and base64_decoder. Include <bytesio/base64.hpp> instead.

#include "bytesio/detail/sticky_failure.hpp"

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
class base64_encoder_core {
public:
  explicit base64_encoder_core(const base64_options &options);

  /** Upper bound of the characters `process(in, n, out)` writes. */
  std::size_t max_output(std::size_t n) const noexcept;

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
class base64_decoder_core {
public:
  explicit base64_decoder_core(const base64_options &options);

  /**
   * Upper bound of the bytes `process(in, n, out)` writes, including the 8
   * bytes of slack the wide stores use. Up to 3 sextets carried over from
   * the previous call complete one more group, hence `n + 3`.
   */
  std::size_t max_output(std::size_t n) const noexcept { return (n + 3) / 4 * 3 + 8; }

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

#if BYTESIO_BASE64_FILTERS

/**
 * The Boost.Iostreams side of base64_encoder/base64_decoder: buffering
 * between the chain and a codec core, and the dual-use close protocol.
 *
 * The filter remembers which of `read`/`write` it has seen and ends the
 * stream only on the matching close (`boost::iostreams::close(f, dev)`
 * closes both directions). Its first failure sticks (`failure_`, see
 * sticky_failure.hpp) until that close has thrown it.
 *
 * Buffer layout (`out_` holds converted bytes not yet handed on):
 *
 *     out_.data()      pos_            end_               out_.size()
 *     |  already given |  pending      |  free             |
 */
template <class Core>
class base64_filter {
public:
  using char_type = char;
  struct category : boost::iostreams::dual_use,
                    boost::iostreams::filter_tag,
                    boost::iostreams::multichar_tag,
                    boost::iostreams::closable_tag,
                    boost::iostreams::optimally_buffered_tag {};

  /** The buffer size the chain should give this filter. */
  std::streamsize optimal_buffer_size() const noexcept { return chunk; }

  /** Converts what `src` supplies into `s[0, n)`; -1 at the end. Sticky on failure. */
  template <class Source>
  std::streamsize read(Source &src, char *s, std::streamsize n);

  /** Converts `s[0, n)` and hands it to `snk`; returns the count consumed. Sticky on failure. */
  template <class Sink>
  std::streamsize write(Sink &snk, const char *s, std::streamsize n);

  /**
   * Finishes (output side) or drops (input side) the stream; then resets.
   * Throws the stored failure first, if any.
   */
  template <class Device>
  void close(Device &dev, std::ios_base::openmode which);

protected:
  explicit base64_filter(const base64_options &options) : core_(options) {}

private:
  static constexpr std::size_t chunk = 16384;
  enum class mode : unsigned char { idle, reading, writing };

  template <class Sink>
  bool flush(Sink &snk);
  void reserve_out(std::size_t n);
  void reset() noexcept;

  Core core_;
  std::vector<char> out_;
  std::vector<char> in_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  mode mode_ = mode::idle;
  bool eof_ = false;
  sticky_failure failure_;
};

#endif // BYTESIO_BASE64_FILTERS

} // namespace detail
} // namespace bytesio

#endif // BYTESIO_DETAIL_BASE64_HPP
