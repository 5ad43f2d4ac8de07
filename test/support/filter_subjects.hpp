// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_FILTER_SUBJECTS_HPP
#define BYTESIO_TEST_SUPPORT_FILTER_SUBJECTS_HPP

// The filters the filter contract (test/support/filter_contract.hpp) runs
// over, each wrapped as a "subject" that holds a fresh filter and says what
// it makes of a plain text. Adding a filter is one line in
// `filter_subjects` below (with a subject of its own where none of these
// templates fits).

#include "bytesio/base64_filters.hpp"
#include "bytesio/bgzf.hpp"
#include "bytesio/filters.hpp"
#include "bytesio/igzip.hpp"

#include "filter_contract.hpp"
#include "watch_references.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace bytesio::test {

// --- encoders and decoders ------------------------------------------------------

/** base64_encoder: its output is the one-shot function's; base64_decoder undoes it. */
struct base64_encoder_subject {
  base64_encoder filter;
  static constexpr std::streamsize buffer = 16384;
  static constexpr bool dual_use = true;
  static constexpr bool copies_share_state = false;
  static std::string input(std::string_view plain) { return std::string(plain); }
  static std::string output(std::string_view plain) { return base64_encode(bytes(plain)); }
  static base64_decoder inverse() { return base64_decoder(); }
};

/** base64_decoder: the one-shot encoding back to the bytes. */
struct base64_decoder_subject {
  base64_decoder filter;
  static constexpr std::streamsize buffer = 16384;
  static constexpr bool dual_use = true;
  static constexpr bool copies_share_state = false;
  static std::string input(std::string_view plain) { return base64_encode(bytes(plain)); }
  static std::string output(std::string_view plain) { return std::string(plain); }
  static bad_input bad() {
    const std::string payload = random_bytes(60000, 12);
    return {base64_encode(bytes(payload)) + "*", payload, make_error_code(errc::invalid_base64),
            "byte offset 80000:"};
  }
};

/**
 * What igzip_decompressor makes of `gz` (it reads every member, strictly),
 * written to and read from: the two uses must agree.
 */
inline std::string gunzip(std::string_view gz) {
  std::string data = read_through(igzip_decompressor(), gz);
  BOOST_TEST((write_through(igzip_decompressor(), gz) == data), "the two uses of the decompressor");
  return data;
}

/**
 * A gzip compressor `Compressor(Level, Threads)` declaring `Buffer`, checked
 * by decompressing what it writes. With one thread ISA-L cuts its blocks
 * where the input arrives, so only the decompressed bytes are fixed; with
 * more, and for BGZF with any thread count, the output is the same bytes
 * for every chunking and direction.
 */
template <class Compressor, int Level, unsigned Threads, std::streamsize Buffer>
struct compressor_subject {
  static constexpr bool same_bytes = Threads >= 2 || std::is_same_v<Compressor, bgzf_compressor>;
  Compressor filter{Level, Threads};
  static constexpr std::streamsize buffer = Buffer;
  static constexpr bool dual_use = true;
  static constexpr bool copies_share_state = true;
  static std::string input(std::string_view plain) { return std::string(plain); }
  static std::string decode(std::string_view gz) { return gunzip(gz); }
  static std::string output(std::string_view plain) requires same_bytes {
    return write_through(Compressor(Level, Threads), plain);
  }
  static igzip_decompressor inverse() { return igzip_decompressor(); }
};

/** igzip_decompressor: what igzip_compressor wrote, back to the bytes. */
struct igzip_decompressor_subject {
  igzip_decompressor filter;
  static constexpr std::streamsize buffer = 64 * 1024;
  static constexpr bool dual_use = true;
  static constexpr bool copies_share_state = true;
  static std::string input(std::string_view plain) {
    return write_through(igzip_compressor(), plain);
  }
  static std::string output(std::string_view plain) { return std::string(plain); }
  static bad_input bad() {
    const std::string data = text(300000, 5);
    std::string gz = input(data);
    const std::size_t trailer = gz.size() - 8;
    gz[trailer] = static_cast<char>(gz[trailer] ^ 1);
    return {gz, data, make_error_code(errc::invalid_gzip),
            "CRC-32 mismatch in the trailer at offset " + std::to_string(trailer)};
  }
};

// --- the watching filters -----------------------------------------------------------
//
// A subject holds the filter the user made and checks the values it shows
// against a reference, given the contents of every stream that ended since
// the last check (crc32 and counter show only the last; progress records
// every call). With no stream, the values must be those of the last one
// checked: they stay until a stream starts. `values()` is what a filter
// object shows, to compare two copies.

/** What the watching filters declare: 64 KiB less 16 (filters.hpp says why). */
inline constexpr std::streamsize watching_buffer = 64 * 1024 - 16;

struct crc_subject : pass_through {
  crc32_filter filter;
  static constexpr std::streamsize buffer = watching_buffer;

  static std::vector<std::uint64_t> values(const crc32_filter &f) { return {f.value()}; }

  std::string last; // the last stream checked: the values stay until the next one

  bool check(const std::vector<std::string_view> &streams) {
    if (!streams.empty())
      last = streams.back();
    const std::uint32_t want = zlib_crc(last);
    BOOST_TEST_INFO("crc32 " << filter.value() << " want " << want);
    return filter.value() == want;
  }
};

struct counter_subject : pass_through {
  counter_filter filter;
  static constexpr std::streamsize buffer = watching_buffer;

  static std::vector<std::uint64_t> values(const counter_filter &f) {
    return {f.bytes(), f.lines()};
  }

  std::string last;

  bool check(const std::vector<std::string_view> &streams) {
    if (!streams.empty())
      last = streams.back();
    BOOST_TEST_INFO("bytes " << filter.bytes() << " lines " << filter.lines() << " want "
                             << last.size() << ", " << newlines(last));
    return filter.bytes() == last.size() && filter.lines() == newlines(last);
  }
};

// Every 1000 bytes: the sizes the contract uses cross 0, 1 and many
// multiples, and hit them exactly.
struct progress_subject : pass_through {
  static constexpr std::uint64_t every = 1000;
  static constexpr std::streamsize buffer = watching_buffer;
  std::shared_ptr<std::vector<std::uint64_t>> calls =
      std::make_shared<std::vector<std::uint64_t>>();
  progress_filter filter{[c = calls](std::uint64_t n) { c->push_back(n); }, every};

  static std::vector<std::uint64_t> values(const progress_filter &f) {
    return {f.bytes(), f.every()};
  }

  std::string last;

  bool check(const std::vector<std::string_view> &streams) {
    if (!streams.empty())
      last = streams.back();
    std::vector<std::uint64_t> want;
    for (std::string_view s : streams) {
      const auto one = progress_calls(s.size(), every);
      want.insert(want.end(), one.begin(), one.end());
    }
    const bool ok = *calls == want && filter.bytes() == last.size();
    BOOST_TEST_INFO("progress: " << calls->size() << " calls, " << want.size() << " wanted");
    calls->clear();
    return ok;
  }
};

// --- every filter ---------------------------------------------------------------------

/** Every filter of the library, one line each. */
using filter_subjects =
    std::tuple<base64_encoder_subject, base64_decoder_subject,
               compressor_subject<igzip_compressor, 1, 1, 256 * 1024>,
               compressor_subject<igzip_compressor, 1, 2, 64 * 1024>,
               compressor_subject<igzip_compressor, 1, 3, 64 * 1024>, igzip_decompressor_subject,
               compressor_subject<bgzf_compressor, 1, 1, 64 * 1024>,
               compressor_subject<bgzf_compressor, 2, 2, 64 * 1024>, crc_subject, counter_subject,
               progress_subject>;

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_FILTER_SUBJECTS_HPP
