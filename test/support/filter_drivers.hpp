// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_FILTER_DRIVERS_HPP
#define BYTESIO_TEST_SUPPORT_FILTER_DRIVERS_HPP

// The devices and chains every filter test drives its filters with, written
// once: a source that hands out its text in chosen chunks (and can fail), a
// sink that refuses bytes past a limit, and a filter run through a
// filtering_ostream or a filtering_istream in chosen chunk sizes.

#include "bytesio/error.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <algorithm>
#include <cstddef>
#include <ios>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace bytesio::test {

/** Text of lines of varied length (some empty, some CRLF), the same for the same seed. */
inline std::string text(std::size_t n, unsigned seed = 3) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) {
    const auto len = rng() % 90;
    s.append(len, static_cast<char>('a' + rng() % 26));
    s += rng() % 5 == 0 ? "\r\n" : "\n";
  }
  s.resize(n);
  return s;
}

/** "As much as the call allows", as a chunk size. */
inline constexpr std::size_t whole = std::size_t(-1);

/**
 * A Boost Source handing out `text` in chunks of the sizes in `chunks`, in
 * turn (never more than asked), that throws `closed` at its `fail_at`-th
 * call (from 0; -1: never). Not a Direct device, so a filter can be driven
 * over it with `io::read`. `calls` counts the calls of this copy.
 */
struct chunked_source {
  using char_type = char;
  using category = boost::iostreams::source_tag;
  std::string_view text;
  std::vector<std::size_t> chunks = {whole};
  int fail_at = -1;
  int calls = 0;

  std::streamsize read(char *s, std::streamsize n) {
    if (calls++ == fail_at)
      throw std::ios_base::failure("chunked_source: failed", make_error_code(errc::closed));
    if (text.empty())
      return -1;
    const std::size_t k = std::min({chunks[static_cast<std::size_t>(calls - 1) % chunks.size()],
                                    text.size(), static_cast<std::size_t>(n)});
    std::copy_n(text.data(), k, s);
    text.remove_prefix(k);
    return static_cast<std::streamsize>(k);
  }
};

/**
 * A Boost Sink appending to `*out` that refuses (throws `size_limit`) a
 * write that would take `*out` past `limit` bytes: every such write, or with
 * `once` only the first, taking the later ones so that bytes a filter
 * offered again would show. `calls` counts the writes of this copy.
 */
struct refusing_sink {
  using char_type = char;
  using category = boost::iostreams::sink_tag;
  static constexpr const char *message = "refusing_sink: full";
  std::string *out;
  std::size_t limit = whole;
  bool once = false;
  int calls = 0;
  bool refused = false;

  std::streamsize write(const char *s, std::streamsize n) {
    ++calls;
    if (!(once && refused) && out->size() + static_cast<std::size_t>(n) > limit) {
      refused = true;
      throw std::ios_base::failure(message, make_error_code(errc::size_limit));
    }
    out->append(s, static_cast<std::size_t>(n));
    return n;
  }
};

/** Pushes `f` with the chain buffer `buffer` (0: a plain push, the filter's own choice). */
template <class Chain, class Filter>
void push_filter(Chain &chain, const Filter &f, std::streamsize buffer) {
  if (buffer > 0)
    chain.push(f, buffer);
  else
    chain.push(f);
}

/** Writes `data` into `os` in writes of the sizes in `chunks`, in turn (a 0 is an empty write). */
inline void write_chunks(std::ostream &os, std::string_view data,
                         const std::vector<std::size_t> &chunks) {
  for (std::size_t i = 0; !data.empty(); ++i) {
    const std::size_t k = std::min(chunks[i % chunks.size()], data.size());
    os.write(data.data(), static_cast<std::streamsize>(k));
    data.remove_prefix(k);
  }
}

/** Writes `data` into `os` in pseudo-random writes of 1 to `max_chunk` bytes. */
inline void write_chunked(std::ostream &os, std::string_view data, std::size_t max_chunk,
                          unsigned seed) {
  std::mt19937 rng(seed);
  while (!data.empty()) {
    const std::size_t k = std::min<std::size_t>(data.size(), 1 + rng() % max_chunk);
    os.write(data.data(), static_cast<std::streamsize>(k));
    data.remove_prefix(k);
  }
}

/** Reads `is` to its end in pseudo-random reads of 1 to `max_chunk` bytes. */
inline std::string read_chunked(std::istream &is, std::size_t max_chunk, unsigned seed) {
  std::mt19937 rng(seed);
  std::string got;
  std::string block(max_chunk, '\0');
  for (;;) {
    const std::size_t k = 1 + rng() % max_chunk;
    is.read(block.data(), static_cast<std::streamsize>(k));
    got.append(block.data(), static_cast<std::size_t>(is.gcount()));
    if (!is)
      break;
  }
  return got;
}

/**
 * Output use: `data` written through a filtering_ostream holding `f` (chain
 * buffer `buffer`, 0: a plain push) in writes of the sizes in `chunks`, into
 * a string; the chain is reset at the end and throws what failed.
 */
template <class Filter>
std::string write_through(const Filter &f, std::string_view data,
                          const std::vector<std::size_t> &chunks = {whole},
                          std::streamsize buffer = 0) {
  std::string out;
  boost::iostreams::filtering_ostream os;
  push_filter(os, f, buffer);
  os.push(boost::iostreams::back_inserter(out));
  os.exceptions(std::ios_base::badbit);
  write_chunks(os, data, chunks);
  os.reset();
  return out;
}

/**
 * Input use: a filtering_istream holding `f` (chain buffer `buffer`, 0: a
 * plain push) over a source handing out `data` in chunks of the sizes in
 * `chunks`, read to its end in reads of those sizes too (at most 64 KiB),
 * appended to `out` as it goes (so a failure leaves what came before it);
 * throws what failed.
 */
template <class Filter>
void read_into(std::string &out, const Filter &f, std::string_view data,
               const std::vector<std::size_t> &chunks = {whole}, std::streamsize buffer = 0) {
  boost::iostreams::filtering_istream is;
  push_filter(is, f, buffer);
  is.push(chunked_source{data, chunks});
  is.exceptions(std::ios_base::badbit);
  std::vector<char> block(std::size_t{1} << 16);
  for (std::size_t i = 0;; ++i) {
    const std::size_t k = std::clamp<std::size_t>(chunks[i % chunks.size()], 1, block.size());
    is.read(block.data(), static_cast<std::streamsize>(k));
    out.append(block.data(), static_cast<std::size_t>(is.gcount()));
    if (!is)
      break;
  }
}

/** As `read_into`, into a string it returns. */
template <class Filter>
std::string read_through(const Filter &f, std::string_view data,
                         const std::vector<std::size_t> &chunks = {whole},
                         std::streamsize buffer = 0) {
  std::string out;
  read_into(out, f, data, chunks, buffer);
  return out;
}

/** What a run through a chain gave: the bytes that reached the sink and the first failure. */
struct outcome {
  std::string bytes;
  std::error_code code;
  std::string message;          // what() of the failure; empty: none
  const void *object = nullptr; // the exception object thrown
  bool failed() const noexcept { return !message.empty(); }
};

/** The `std::ios_base::failure` that `f()` throws, as an outcome (none: not failed). */
template <class F>
outcome failure_of(F &&f) {
  outcome o;
  try {
    f();
  } catch (const std::ios_base::failure &e) {
    o.code = e.code();
    o.message = e.what();
    o.object = &e;
  }
  return o;
}

/**
 * As `write_through`, but a failure (from a write, or from the reset that
 * ends the chain) is returned with the bytes that reached the sink.
 */
template <class Filter>
outcome write_outcome(const Filter &f, std::string_view data,
                      const std::vector<std::size_t> &chunks = {whole},
                      std::streamsize buffer = 0) {
  outcome o;
  boost::iostreams::filtering_ostream os;
  push_filter(os, f, buffer);
  os.push(boost::iostreams::back_inserter(o.bytes));
  os.exceptions(std::ios_base::badbit);
  const outcome e = failure_of([&] {
    write_chunks(os, data, chunks);
    os.reset();
  });
  if (os.is_complete())
    (void)failure_of([&] { os.reset(); }); // after a failed write: the chain is still whole
  o.code = e.code;
  o.message = e.message;
  return o;
}

/**
 * As `read_through`, but a failure is returned with the bytes read before it.
 */
template <class Filter>
outcome read_outcome(const Filter &f, std::string_view data,
                     const std::vector<std::size_t> &chunks = {whole}, std::streamsize buffer = 0) {
  outcome o;
  const outcome e = failure_of([&] { read_into(o.bytes, f, data, chunks, buffer); });
  o.code = e.code;
  o.message = e.message;
  return o;
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_FILTER_DRIVERS_HPP
