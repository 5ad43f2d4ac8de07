// SPDX-License-Identifier: BSL-1.0
#include "bytesio/base64.hpp"
#include "bytesio/base64_filters.hpp"

#define BOOST_TEST_MODULE base64
#include "support/unit_test.hpp"

#include "bytesio/iostreams.hpp"

#include "support/buffer_probe.hpp"
#include "support/filter_drivers.hpp"
#include "support/test_support.hpp"

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filter/test.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace io = boost::iostreams;
using bytesio::base64_alphabet;
using bytesio::base64_decode;
using bytesio::base64_decoder;
using bytesio::base64_encode;
using bytesio::base64_encoder;
using bytesio::base64_options;

namespace {

using bytesio::test::random_bytes;
using bytesio::test::read_file;
using bytesio::test::str;
using bytesio::test::write_file;

std::string decode(std::string_view text, base64_options o = {}) {
  return str(base64_decode(text, o));
}

base64_options unpadded() {
  base64_options o;
  o.padding = false;
  return o;
}

base64_options url() {
  base64_options o;
  o.alphabet = base64_alphabet::url;
  return o;
}

base64_options wrapped(std::size_t n, std::string_view ending) {
  base64_options o;
  o.line_length = n;
  o.line_ending = ending;
  return o;
}

// True when `f` throws std::ios_base::failure with invalid_base64 and a
// message naming `offset`.
template <class F>
bool fails_at(F &&f, std::uint64_t offset) {
  try {
    f();
  } catch (const std::ios_base::failure &e) {
    const std::string want = "byte offset " + std::to_string(offset) + ":";
    const std::string what = e.what();
    if (e.code() != bytesio::errc::invalid_base64 || what.find(want) == std::string::npos) {
      BOOST_TEST_MESSAGE("unexpected error: " << what << " (wanted " << want << ")");
      return false;
    }
    return true;
  }
  return false;
}

bool decode_fails_at(std::string_view text, std::uint64_t offset, base64_options o = {}) {
  return fails_at([&] { (void)base64_decode(text, o); }, offset);
}

// The filters, through a filtering_ostream (plain push, errors from reset())
// and a filtering_istream (a chain buffer of the chunk size).
template <class Filter>
std::string through_ostream(const Filter &f, const std::string &data, std::size_t chunk) {
  return bytesio::test::write_through(f, data, {chunk});
}

template <class Filter>
std::string through_istream(const Filter &f, const std::string &data, std::size_t chunk) {
  return bytesio::test::read_through(f, data, {chunk}, static_cast<std::streamsize>(chunk));
}

const std::pair<const char *, const char *> rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

} // namespace

// --- RFC 4648 and the alphabets ----------------------------------------------

BOOST_AUTO_TEST_CASE(rfc4648_section10_vectors_both_directions) {
  for (const auto &[plain, coded] : rfc4648) {
    BOOST_TEST(base64_encode(std::string_view(plain)) == coded);
    BOOST_TEST(decode(coded) == plain);
    BOOST_TEST(through_ostream(base64_encoder(), plain, 1) == coded);
    BOOST_TEST(through_istream(base64_decoder(), coded, 1) == plain);
  }
}

BOOST_AUTO_TEST_CASE(rfc4648_vectors_unpadded) {
  for (const auto &[plain, coded] : rfc4648) {
    std::string bare = coded;
    bare.erase(bare.find_last_not_of('=') + 1);
    BOOST_TEST(base64_encode(std::string_view(plain), unpadded()) == bare);
    BOOST_TEST(decode(bare, unpadded()) == plain);
  }
}

BOOST_AUTO_TEST_CASE(span_overload_and_all_byte_values) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  const auto bytes = std::as_bytes(std::span<const char>(all.data(), all.size()));
  const std::string coded = base64_encode(bytes);
  BOOST_TEST(coded.size() == 344u);
  BOOST_TEST(coded.substr(0, 8) == "AAECAwQF");
  BOOST_TEST(coded.substr(coded.size() - 8) == "/P3+/w==");
  BOOST_TEST(decode(coded) == all);
  BOOST_TEST(decode(base64_encode(bytes, url()), url()) == all);
}

BOOST_AUTO_TEST_CASE(url_alphabet_uses_minus_and_underscore) {
  const std::string data("\xfb\xff\xbf", 3);
  BOOST_TEST(base64_encode(data) == "+/+/");
  BOOST_TEST(base64_encode(data, url()) == "-_-_");
  BOOST_TEST(decode("-_-_", url()) == data);
  BOOST_TEST(decode("+/+/") == data);
  BOOST_TEST(base64_encode(std::string("\xff", 1), url()) == "_w==");
}

BOOST_AUTO_TEST_CASE(every_length_round_trips_one_shot) {
  const std::string data = random_bytes(300, 7);
  for (std::size_t n = 0; n <= data.size(); ++n) {
    const std::string part = data.substr(0, n);
    const std::string coded = base64_encode(part);
    BOOST_TEST(coded.size() == (n + 2) / 3 * 4);
    BOOST_TEST(decode(coded) == part);
    const std::string bare = base64_encode(part, unpadded());
    BOOST_TEST(bare.size() == (n * 4 + 2) / 3);
    BOOST_TEST(decode(bare, unpadded()) == part);
  }
}

namespace {

// Six bits at a time, the way RFC 4648 describes it: the reference that the
// table-driven and SIMD kernels must match.
std::string reference_encode(const std::string &data, bool url_alphabet, bool pad) {
  const char *chars = url_alphabet
                          ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : data) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(chars[(bits >> count) & 63]);
    }
  }
  if (count > 0)
    out.push_back(chars[(bits << (6 - count)) & 63]);
  while (pad && out.size() % 4 != 0)
    out.push_back('=');
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(matches_reference_at_every_length_and_offset) {
  const std::string data = random_bytes(5000, 99);
  for (std::size_t n = 0; n <= 1100; n += (n < 300 ? 1 : 37)) {
    for (std::size_t start : {0u, 1u, 5u}) {
      const std::string part = data.substr(start, n);
      for (bool u : {false, true}) {
        base64_options o = u ? url() : base64_options{};
        const std::string want = reference_encode(part, u, true);
        BOOST_TEST(base64_encode(part, o) == want);
        BOOST_TEST(decode(want, o) == part);
        // A wrong byte anywhere is caught at its own offset, SIMD block or not.
        if (!want.empty()) {
          std::string bad = want;
          const std::size_t at = (n * 7 + start) % want.size();
          bad[at] = '*';
          BOOST_TEST(decode_fails_at(bad, at, o));
        }
      }
    }
  }
}

// --- strict decoding: each failure on its own ----------------------------------

BOOST_AUTO_TEST_CASE(rejects_characters_outside_the_alphabet) {
  BOOST_TEST(decode_fails_at(std::string_view("Zm9\0", 4), 3));
  BOOST_TEST(decode_fails_at(std::string_view("\0Zm9", 4), 0));
  BOOST_TEST(decode_fails_at("Zm9v\xff"
                             "aaa",
                             4));
  BOOST_TEST(decode_fails_at("Zm9vYmF\x80", 7));
  BOOST_TEST(decode_fails_at("Zm-v", 2));
  BOOST_TEST(decode_fails_at("Zm_v", 2));
  BOOST_TEST(decode_fails_at("Zm+v", 2, url()));
  BOOST_TEST(decode_fails_at("Zm/v", 2, url()));
  BOOST_TEST(decode_fails_at("Zm9v.", 4));
  BOOST_TEST(decode_fails_at("Zm9v\x7f", 4));
  // Whitespace is an error unless asked for, and only the four MIME ones are skipped.
  BOOST_TEST(decode_fails_at("Zm9v\nYmFy", 4));
  BOOST_TEST(decode_fails_at("Zm9v Zm9v", 4));
  base64_options ws;
  ws.ignore_whitespace = true;
  BOOST_TEST(decode_fails_at("Zm9v\vYmFy", 4, ws));
  BOOST_TEST(decode_fails_at("Zm9v\fYmFy", 4, ws));
  // Every byte outside the alphabet, in the first and the last position of a group.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int c = 0; c < 256; ++c) {
    if (alphabet.find(static_cast<char>(c)) != std::string::npos || c == '=')
      continue;
    std::string first = "Zm9vYmFy";
    first[4] = static_cast<char>(c);
    BOOST_TEST(decode_fails_at(first, 4));
    std::string last = "Zm9vYmFyZm9vYmFy";
    last[15] = static_cast<char>(c);
    BOOST_TEST(decode_fails_at(last, 15));
  }
}

BOOST_AUTO_TEST_CASE(rejects_misplaced_padding) {
  BOOST_TEST(decode_fails_at("=Zm9", 0));
  BOOST_TEST(decode_fails_at("Z=m9", 1));
  BOOST_TEST(decode_fails_at("====", 0));
  BOOST_TEST(decode_fails_at("Zm=v", 3));
  BOOST_TEST(decode_fails_at("Zm9v=Zm9", 4));
  BOOST_TEST(decode_fails_at("Z===", 1));
}

BOOST_AUTO_TEST_CASE(rejects_missing_padding_and_partial_groups) {
  BOOST_TEST(decode_fails_at("Zg", 2));
  BOOST_TEST(decode_fails_at("Zm8", 3));
  BOOST_TEST(decode_fails_at("Zg=", 3));
  BOOST_TEST(decode_fails_at("Z", 1));
  BOOST_TEST(decode_fails_at("Zm9vY", 5));
  BOOST_TEST(decode_fails_at("Zm9vYmFyZm9", 11));
  base64_options ws;
  ws.ignore_whitespace = true;
  BOOST_TEST(decode_fails_at("Zm9v\nZg\n", 8, ws));
}

BOOST_AUTO_TEST_CASE(rejects_data_after_padding) {
  BOOST_TEST(decode_fails_at("Zg==Zm9v", 4));
  BOOST_TEST(decode_fails_at("Zm8=Zg==", 4));
  BOOST_TEST(decode_fails_at("Zg===", 4));
  BOOST_TEST(decode_fails_at("Zm8==", 4));
  base64_options ws;
  ws.ignore_whitespace = true;
  BOOST_TEST(decode("Zg==\r\n", ws) == "f"); // trailing whitespace is fine
  BOOST_TEST(decode_fails_at("Zg==\nZg==", 5, ws));
}

BOOST_AUTO_TEST_CASE(rejects_non_zero_trailing_bits) {
  BOOST_TEST(decode("YWE=") == "aa");
  BOOST_TEST(decode_fails_at("YWF=", 2));
  BOOST_TEST(decode_fails_at("YWH=", 2));
  BOOST_TEST(decode_fails_at("YR==", 1));
  BOOST_TEST(decode_fails_at("Zm9vYh==", 5));
  BOOST_TEST(decode_fails_at("YWF", 2, unpadded()));
  BOOST_TEST(decode_fails_at("YR", 1, unpadded()));
}

BOOST_AUTO_TEST_CASE(unpadded_mode_rejects_padding) {
  BOOST_TEST(decode_fails_at("Zg==", 2, unpadded()));
  BOOST_TEST(decode_fails_at("Zm8=", 3, unpadded()));
  BOOST_TEST(decode_fails_at("Z", 1, unpadded()));
  BOOST_TEST(decode_fails_at("Zm9vY", 5, unpadded()));
  BOOST_TEST(decode("Zm9vYg", unpadded()) == "foob");
}

BOOST_AUTO_TEST_CASE(offsets_count_skipped_whitespace) {
  base64_options ws;
  ws.ignore_whitespace = true;
  BOOST_TEST(decode(" Z m\t9v\r\nYm Fy\n", ws) == "foobar");
  BOOST_TEST(decode_fails_at(" Z m\t9v\r\n-m Fy\n", 9, ws));
}

BOOST_AUTO_TEST_CASE(error_code_and_category) {
  try {
    (void)base64_decode("Zm9v!");
    BOOST_FAIL("no exception");
  } catch (const std::ios_base::failure &e) {
    BOOST_TEST((e.code() == bytesio::errc::invalid_base64));
    BOOST_TEST(&e.code().category() == &bytesio::error_category());
    BOOST_TEST(std::string(e.what()).find("byte offset 4") != std::string::npos);
  }
}

// --- filters: streaming, chains, errors --------------------------------------

BOOST_AUTO_TEST_CASE(boost_filter_pair_sweeps_chunk_sizes) {
  // The default options: the filter contract (test/filter_contract_test.cpp).
  const std::vector<base64_options> options = {
      unpadded(),         url(),          wrapped(76, "\r\n"), wrapped(76, "\n"), wrapped(5, "\n"),
      wrapped(1, "\r\n"), wrapped(64, "")};
  for (std::size_t size : {0u, 1u, 2u, 3u, 4u, 5u, 57u, 58u, 1000u, 20000u}) {
    const std::string data = random_bytes(size, static_cast<unsigned>(size));
    for (base64_options o : options) {
      o.ignore_whitespace = o.line_length != 0;
      BOOST_TEST(io::test_filter_pair(base64_encoder(o), base64_decoder(o), data));
      const std::string coded = base64_encode(data, o);
      BOOST_TEST(io::test_output_filter(base64_encoder(o), data, coded));
      BOOST_TEST(io::test_input_filter(base64_encoder(o), data, coded));
      BOOST_TEST(io::test_output_filter(base64_decoder(o), coded, data));
      BOOST_TEST(io::test_input_filter(base64_decoder(o), coded, data));
    }
  }
}

BOOST_AUTO_TEST_CASE(filters_match_one_shot_at_every_chunk_size) {
  const std::string data = random_bytes(3000, 3);
  // The default options: the filter contract (test/filter_contract_test.cpp).
  for (const base64_options &o : {wrapped(76, "\r\n"), wrapped(7, "\n")}) {
    base64_options d = o;
    d.ignore_whitespace = true;
    const std::string coded = base64_encode(data, o);
    for (std::size_t chunk : {1u, 2u, 3u, 4u, 5u, 7u, 64u, 100u, 4096u, 70000u}) {
      BOOST_TEST(through_ostream(base64_encoder(o), data, chunk) == coded);
      BOOST_TEST(through_istream(base64_encoder(o), data, chunk) == coded);
      BOOST_TEST(through_ostream(base64_decoder(d), coded, chunk) == data);
      BOOST_TEST(through_istream(base64_decoder(d), coded, chunk) == data);
    }
  }
}

BOOST_AUTO_TEST_CASE(one_shot_round_trips_a_large_input) {
  // Through the filters: the filter contract's long stream.
  const std::string data = random_bytes((1u << 20) + 7, 11);
  BOOST_TEST(decode(base64_encode(data)) == data);
}

BOOST_AUTO_TEST_CASE(encoder_writes_final_group_on_close_and_is_reusable) {
  std::string out;
  io::filtering_ostream os;
  os.push(base64_encoder());
  os.push(io::back_inserter(out));
  os << "fo";
  os.flush();
  BOOST_TEST(out == ""); // the final group waits for close
  os.pop();
  BOOST_TEST(out == "Zm8=");
  // The same filter object class closes cleanly on an empty stream.
  std::string empty;
  {
    io::filtering_ostream e;
    e.push(base64_encoder(wrapped(76, "\n")));
    e.push(io::back_inserter(empty));
  }
  BOOST_TEST(empty == "");
}

BOOST_AUTO_TEST_CASE(filter_copies_line_ending) {
  std::string out;
  {
    std::string ending = "|\n";
    base64_options o;
    o.line_length = 4;
    o.line_ending = ending;
    base64_encoder enc(o);
    ending = "XX";
    io::filtering_ostream os;
    os.push(enc);
    os.push(io::back_inserter(out));
    os << "foobarx";
  }
  BOOST_TEST(out == "Zm9v|\nYmFy|\neA==|\n");
}

BOOST_AUTO_TEST_CASE(decoder_error_in_istream_sets_badbit_or_rethrows) {
  const std::string bad = "Zm9vYmFy" + std::string(5000, 'A') + "-AAA";
  {
    io::filtering_istream is;
    is.push(base64_decoder());
    is.push(io::array_source(bad.data(), bad.size()));
    char buf[256];
    while (is.read(buf, sizeof buf)) {
    }
    BOOST_TEST(is.bad());
  }
  {
    io::filtering_istream is;
    is.push(base64_decoder());
    is.push(io::array_source(bad.data(), bad.size()));
    is.exceptions(std::ios_base::badbit);
    BOOST_TEST(fails_at(
        [&] {
          char buf[256];
          while (is.read(buf, sizeof buf)) {
          }
        },
        5008));
  }
  {
    const std::string truncated = "Zm9vYmF";
    io::filtering_istream is;
    is.push(base64_decoder());
    is.push(io::array_source(truncated.data(), truncated.size()));
    is.exceptions(std::ios_base::badbit);
    char buf[16];
    BOOST_TEST(fails_at([&] { is.read(buf, sizeof buf); }, 7));
  }
}

BOOST_AUTO_TEST_CASE(decoder_error_in_ostream) {
  {
    // Met while the stream hands on a full buffer: our exception, rethrown.
    const std::string bad = std::string(40000, 'A') + "Zm9v*m9v" + std::string(40000, 'A');
    std::string out;
    io::filtering_ostream os;
    os.push(base64_decoder());
    os.push(io::back_inserter(out));
    os.exceptions(std::ios_base::badbit);
    BOOST_TEST(
        fails_at([&] { os.write(bad.data(), static_cast<std::streamsize>(bad.size())); }, 40004));
  }
  {
    // Met in flush(): Boost's sync() swallows exceptions, so only badbit tells.
    std::string out;
    io::filtering_ostream os;
    os.push(base64_decoder());
    os.push(io::back_inserter(out));
    os << "Zm9v*m9v";
    os.flush();
    BOOST_TEST(os.bad());
  }
  {
    // An incomplete final group is found when the chain is closed.
    std::string out;
    io::filtering_ostream os;
    os.push(base64_decoder());
    os.push(io::back_inserter(out));
    os << "Zm9vYg=";
    os.flush();
    BOOST_TEST(os.good());
    BOOST_TEST(fails_at([&] { os.reset(); }, 7));
  }
  {
    std::string out;
    io::filtering_ostream os;
    os.push(base64_decoder());
    os.push(io::back_inserter(out));
    os << "Zm9vYg==";
    os.reset();
    BOOST_TEST(out == "foob");
  }
}

BOOST_AUTO_TEST_CASE(chain_into_bytes_stream) {
  bytesio::bytes_stream target;
  {
    io::filtering_ostream os;
    os.push(base64_encoder(wrapped(4, "\n")));
    os.push(bytesio::bytes_device(target));
    os << "foobar";
  }
  BOOST_TEST(str(target.getvalue()) == "Zm9v\nYmFy\n");
  target.buf().seek(0);
  base64_options ws;
  ws.ignore_whitespace = true;
  io::filtering_istream is;
  is.push(base64_decoder(ws));
  is.push(bytesio::bytes_device(target));
  std::string back;
  is >> back;
  BOOST_TEST(back == "foobar");
}

// --- line wrapping and coreutils ------------------------------------------------

BOOST_AUTO_TEST_CASE(line_wrapping_terminates_every_line) {
  BOOST_TEST(base64_encode(std::string_view("foobar"), wrapped(4, "\n")) == "Zm9v\nYmFy\n");
  BOOST_TEST(base64_encode(std::string_view("foobar"), wrapped(3, "\n")) == "Zm9\nvYm\nFy\n");
  BOOST_TEST(base64_encode(std::string_view("fooba"), wrapped(3, "\r\n")) ==
             "Zm9\r\nvYm\r\nE=\r\n");
  BOOST_TEST(base64_encode(std::string_view("f"), wrapped(1, "\n")) == "Z\ng\n=\n=\n");
  BOOST_TEST(base64_encode(std::string_view(""), wrapped(76, "\n")) == "");
  BOOST_TEST(base64_encode(std::string_view("foobar"), wrapped(76, "\r\n")) == "Zm9vYmFy\r\n");
  const std::string line = base64_encode(random_bytes(57), wrapped(76, "\r\n"));
  BOOST_TEST(line.size() == 78u); // one full line, one ending
  const std::string two = base64_encode(random_bytes(58), wrapped(76, "\r\n"));
  BOOST_TEST(two.size() == 76u + 2 + 4 + 2);
  BOOST_TEST(two.substr(76, 2) == "\r\n");
}

BOOST_AUTO_TEST_CASE(byte_identical_to_coreutils_base64_w76) {
#ifdef _WIN32
  BOOST_TEST_MESSAGE("coreutils base64 is a POSIX tool; skipped");
#else
  if (std::system("base64 --version > /dev/null 2>&1") != 0) {
    BOOST_TEST_MESSAGE("coreutils base64 not found; skipped");
    return;
  }
  const bytesio::test::temp_dir dir("bytesio-base64");
  const auto in = dir / "in.bin", coded = dir / "coded.txt", back = dir / "back.bin",
             ours = dir / "ours.txt";
  base64_options o = wrapped(76, "\n");
  base64_options d;
  d.ignore_whitespace = true;
  for (std::size_t n : {0u, 1u, 2u, 56u, 57u, 58u, 114u, 1000u, 100000u}) {
    const std::string data = random_bytes(n, static_cast<unsigned>(n) + 1);
    write_file(in, data);
    const std::string cmd = "base64 -w 76 " + in.string() + " > " + coded.string();
    BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0);
    const std::string tool = read_file(coded);
    BOOST_TEST(base64_encode(data, o) == tool, "n = " << n);
    BOOST_TEST(through_ostream(base64_encoder(o), data, 1000) == tool, "n = " << n);
    BOOST_TEST(decode(tool, d) == data, "n = " << n);
    // And the tool reads what we write, wrapped or not.
    write_file(ours, base64_encode(data, n % 2 ? base64_options{} : wrapped(64, "\n")));
    const std::string rev = "base64 -d " + ours.string() + " > " + back.string();
    BOOST_TEST_REQUIRE(std::system(rev.c_str()) == 0);
    BOOST_TEST(read_file(back) == data, "n = " << n);
  }
#endif
}

// --- sticky failures (DESIGN.md, "Sticky filter failures") ----------------------
//
// The protocol (every later call throws the same error, nothing is handed on
// twice, the closing call leaves the filter fresh), from bad input and from
// a refusing sink: the filter contract. Here: the cases of issue 12.

namespace {

std::string one_shot_error(const std::string &text, base64_options o) {
  return bytesio::test::failure_of([&] { (void)base64_decode(text, o); }).message;
}

// The decoder through a filtering_ostream: the first error, from reset().
std::string ostream_error(const std::string &text, base64_options o) {
  const bytesio::test::outcome e = bytesio::test::write_outcome(base64_decoder(o), text);
  BOOST_TEST((e.code == bytesio::errc::invalid_base64));
  BOOST_TEST(e.bytes.size() <= 3u);
  return e.message;
}

} // namespace

BOOST_AUTO_TEST_CASE(ostream_reports_the_first_error_from_reset) {
  // reset() used to return normally.
  BOOST_TEST(ostream_error("QUJD*", {}) == one_shot_error("QUJD*", {}));
  BOOST_TEST(one_shot_error("QUJD*", {}).find("byte offset 4:") != std::string::npos);
  BOOST_TEST(ostream_error("=", unpadded()) == one_shot_error("=", unpadded()));
  BOOST_TEST(!one_shot_error("=", unpadded()).empty());
}

// --- into the caller's memory ---------------------------------------------------

namespace {

// Every option set the size rules distinguish.
std::vector<base64_options> option_sets() {
  std::vector<base64_options> v;
  for (bool padding : {true, false})
    for (std::size_t line :
         {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{76}})
      for (std::string_view ending :
           {std::string_view("\r\n"), std::string_view("\n"), std::string_view("")}) {
        base64_options o;
        o.padding = padding;
        o.line_length = line;
        o.line_ending = ending;
        v.push_back(o);
        if (line == 0)
          break; // the ending does not matter
      }
  return v;
}

std::string describe(const base64_options &o) {
  return "padding " + std::to_string(o.padding) + " line " + std::to_string(o.line_length) +
         " ending " + std::to_string(o.line_ending.size()) + " ws " +
         std::to_string(o.ignore_whitespace);
}

// What decode_into makes of `text` with an `out` of `room` bytes, each
// byte past the result checked untouched: the bytes, or the error message.
std::string decode_into(std::string_view text, std::size_t room, base64_options o, bool &ok) {
  std::vector<std::byte> out(room + 16, std::byte{0xA5});
  ok = true;
  try {
    const std::size_t n =
        bytesio::base64_decode_into(text, std::span<std::byte>(out.data(), room), o);
    for (std::size_t i = n; i < out.size(); ++i)
      if (out[i] != std::byte{0xA5})
        return "byte " + std::to_string(i) + " past the result was written";
    return str(std::span<const std::byte>(out.data(), n));
  } catch (const std::ios_base::failure &e) {
    ok = false;
    return std::to_string(e.code().value()) + ": " + e.what();
  }
}

std::string decode_or_error(std::string_view text, base64_options o, bool &ok) {
  ok = true;
  try {
    return decode(text, o);
  } catch (const std::ios_base::failure &e) {
    ok = false;
    return std::to_string(e.code().value()) + ": " + e.what();
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(encoded_size_is_exact_for_every_length_and_option) {
  for (const base64_options &o : option_sets())
    for (std::size_t n = 0; n <= 300; ++n)
      BOOST_TEST(bytesio::base64_encoded_size(n, o) == base64_encode(random_bytes(n), o).size(),
                 describe(o) << " n " << n);
  static_assert(bytesio::base64_encoded_size(32) == 44);
  static_assert(bytesio::base64_encoded_size(0, {.line_length = 76}) == 0);
  static_assert(bytesio::base64_encoded_size(57, {.line_length = 76}) == 78);
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  BOOST_CHECK_THROW((void)bytesio::base64_encoded_size(max), std::length_error);
  BOOST_CHECK_THROW((void)bytesio::base64_encoded_size(max / 4 * 3, wrapped(1, "\r\n")),
                    std::length_error);
  // The largest input whose encoding fits: 2^64 - 4 characters.
  BOOST_TEST(bytesio::base64_encoded_size(max / 4 * 3 - 1) == max / 4 * 4);
  BOOST_CHECK_THROW((void)bytesio::base64_encoded_size(max / 4 * 3), std::length_error);
}

BOOST_AUTO_TEST_CASE(decoded_size_max_bounds_every_decoding) {
  static_assert(bytesio::base64_decoded_size_max(0) == 0);
  static_assert(bytesio::base64_decoded_size_max(44) == 33);
  for (std::size_t n = 0; n <= 64; ++n) {
    // Unpadded text is the longest decoding of its length.
    const std::string text = base64_encode(random_bytes(n), unpadded());
    BOOST_TEST(bytesio::base64_decoded_size_max(text.size()) == n);
    BOOST_TEST(bytesio::base64_decoded_size_max(base64_encode(random_bytes(n)).size()) >= n);
  }
  BOOST_TEST(bytesio::base64_decoded_size_max(1) == 0u); // no valid text of length 1
}

BOOST_AUTO_TEST_CASE(encode_into_writes_what_encode_returns_and_nothing_past_it) {
  for (const base64_options &o : option_sets()) {
    for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 28u, 29u, 30u, 100u, 1000u, 4097u}) {
      const std::string data = random_bytes(n, 5);
      const std::string want = base64_encode(data, o);
      std::string out(want.size() + 20, '#');
      const std::size_t k = bytesio::base64_encode_into(bytesio::test::bytes(data), out, o);
      BOOST_TEST(k == want.size());
      BOOST_TEST(out.substr(0, k) == want, describe(o) << " n " << n);
      BOOST_TEST(out.substr(k) == std::string(20, '#'));
      if (want.empty())
        continue;
      // One character short: refused before a byte is written.
      std::string small(want.size() - 1, '#');
      BYTESIO_CHECK_ERRC(bytesio::base64_encode_into(bytesio::test::bytes(data), small, o),
                         bytesio::errc::invalid_argument);
      BOOST_TEST(small == std::string(want.size() - 1, '#'));
    }
  }
}

BOOST_AUTO_TEST_CASE(decode_into_needs_what_the_text_decodes_to) {
  // A 32-byte key in 44 characters ("...=") fits 32 bytes, not 33.
  const std::string key = random_bytes(32, 9);
  const std::string text = base64_encode(key);
  BOOST_TEST(text.size() == 44u);
  std::array<std::byte, 32> out{};
  BOOST_TEST(bytesio::base64_decode_into(text, out) == 32u);
  BOOST_TEST(str(out) == key);
  std::array<std::byte, 31> small{};
  try {
    (void)bytesio::base64_decode_into(text, small);
    BOOST_ERROR("31 bytes accepted");
  } catch (const std::ios_base::failure &e) {
    BOOST_TEST((e.code() == bytesio::errc::invalid_argument));
    BOOST_TEST(std::string(e.what()).find("room for 31 bytes, the text decodes to 32") !=
               std::string::npos);
  }
  BOOST_TEST((small == std::array<std::byte, 31>{}));
  // With whitespace skipped, the room is what the characters decode to.
  base64_options ws;
  ws.ignore_whitespace = true;
  const std::string mime = base64_encode(key, wrapped(8, "\r\n"));
  BOOST_TEST(bytesio::base64_decode_into(mime, out, ws) == 32u);
  BOOST_TEST(str(out) == key);
  BYTESIO_CHECK_ERRC((void)bytesio::base64_decode_into(mime + " \n", small, ws),
                     bytesio::errc::invalid_argument);
  // Errors are base64_decode's, message and all.
  bool ok = true;
  const std::string bad = "Zm9v!mFy";
  BOOST_TEST(decode_into(bad, 6, {}, ok) == decode_or_error(bad, {}, ok));
  BOOST_TEST(!ok);
}

BOOST_AUTO_TEST_CASE(decode_into_agrees_with_decode_on_random_texts) {
  // Valid texts of every option, cut, corrupted and padded with whitespace;
  // each decoded into the least room it needs, into base64_decoded_size_max,
  // and into one byte less.
  std::mt19937_64 rng(4648);
  const std::string noise = "=\r\n \t!-_+/A";
  int cases = 0, rejected = 0;
  for (int i = 0; i < 4000; ++i) {
    base64_options o;
    o.alphabet = rng() % 2 ? base64_alphabet::url : base64_alphabet::standard;
    o.padding = rng() % 3 != 0;
    o.ignore_whitespace = rng() % 2 == 0;
    base64_options enc = o;
    if (rng() % 2 == 0)
      enc = wrapped(1 + rng() % 80, rng() % 2 ? "\r\n" : "\n");
    enc.alphabet = o.alphabet;
    enc.padding = o.padding;
    std::string text = base64_encode(random_bytes(rng() % (i % 50 == 0 ? 5000 : 70), 7), enc);
    switch (rng() % 4) {
    case 0:
      break;
    case 1:
      if (!text.empty())
        text.resize(rng() % text.size());
      break;
    case 2:
      if (!text.empty())
        text[rng() % text.size()] = noise[rng() % noise.size()];
      break;
    default:
      text.insert(rng() % (text.size() + 1), 1, noise[rng() % 5]);
      break;
    }
    bool want_ok = true;
    const std::string want = decode_or_error(text, o, want_ok);
    ++cases;
    rejected += want_ok ? 0 : 1;
    bool ok = true;
    BOOST_TEST(decode_into(text, bytesio::base64_decoded_size_max(text.size()), o, ok) == want,
               describe(o) << " text '" << text << "'");
    BOOST_TEST(ok == want_ok);
    if (!want_ok)
      continue;
    BOOST_TEST(decode_into(text, want.size(), o, ok) == want, describe(o) << " '" << text << "'");
    if (!want.empty()) {
      const std::string got = decode_into(text, want.size() - 1, o, ok);
      BOOST_TEST(!ok);
      BOOST_TEST(got.find("room for") != std::string::npos, got);
    }
  }
  BOOST_TEST_MESSAGE("decode_into: " << cases << " texts, " << rejected << " rejected");
  BOOST_TEST(rejected > 500);
  BOOST_TEST(cases - rejected > 1500);
}

BOOST_AUTO_TEST_CASE(readme_base64_into_caller_memory) {
  const auto make_key = [] {
    std::array<std::byte, 32> k{};
    for (std::size_t i = 0; i < k.size(); ++i)
      k[i] = static_cast<std::byte>(i * 7);
    return k;
  };
  // clang-format off
  const std::array<std::byte, 32> key = make_key();
  std::array<char, bytesio::base64_encoded_size(32)> text; // 44 characters, no allocation
  bytesio::base64_encode_into(key, text);
  std::array<std::byte, 32> back; // 44 characters ending in '=' hold 32 bytes
  std::size_t n = bytesio::base64_decode_into(std::string_view(text.data(), text.size()), back);
  // clang-format on
  BOOST_TEST(n == 32u);
  BOOST_TEST((back == key));
  BOOST_TEST(std::string_view(text.data(), text.size()) == base64_encode(key));
}
