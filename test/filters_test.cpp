#include "bytesio/filters.hpp"

#define BOOST_TEST_MODULE filters
#include <boost/test/unit_test.hpp>

#include "bytesio/bytes_buf.hpp"
#include "bytesio/iostreams.hpp"

#include "support/test_support.hpp"

#include <boost/iostreams/compose.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/device/null.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/test.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace io = boost::iostreams;
using bytesio::counter_filter;
using bytesio::crc32_filter;
using bytesio::progress_filter;
using bytesio::test::pattern;
using bytesio::test::random_bytes;
using bytesio::test::str;

namespace {

// --- references ---------------------------------------------------------------

std::uint32_t zlib_crc(std::string_view s) {
  return static_cast<std::uint32_t>(
      ::crc32_z(0, reinterpret_cast<const unsigned char *>(s.data()), s.size()));
}

std::uint64_t newlines(std::string_view s) {
  return static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\n'));
}

// The calls a progress filter makes for one stream of `total` bytes.
std::vector<std::uint64_t> progress_calls(std::uint64_t total, std::uint64_t every) {
  std::vector<std::uint64_t> calls;
  if (every != 0)
    for (std::uint64_t k = every; k <= total; k += every)
      calls.push_back(k);
  calls.push_back(total);
  return calls;
}

// Text with lines of varied length, some empty, and CRLF endings.
std::string text(std::size_t n, unsigned seed = 3) {
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

const std::size_t sizes[] = {0,    1,    2,    5,     127,   128,   129,   999,
                             1000, 1001, 4096, 65535, 65536, 65537, 200003};

// --- the three filters as subjects of one contract ------------------------------
//
// A subject holds the filter the user made and checks the values it shows
// against a reference, given the contents of every stream that ended since
// the last check (crc32 and counter show only the last; progress records
// every call). With no stream, the values must be those of the last one
// checked: they stay until a stream starts. `values()` is what a filter
// object shows, to compare two copies.

struct crc_subject {
  crc32_filter filter;

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

struct counter_subject {
  counter_filter filter;

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

// Every 1000 bytes: the sizes above cross 0, 1 and many multiples, and hit
// them exactly.
struct progress_subject {
  static constexpr std::uint64_t every = 1000;
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

using subjects = std::tuple<crc_subject, counter_subject, progress_subject>;

// A Boost Sink appending to a string, which throws `failure` at its
// `fail_at`-th call (counting from 0) and accepts everything otherwise.
struct flaky_sink {
  using char_type = char;
  using category = io::sink_tag;
  std::string *out;
  int fail_at;
  int calls = 0;

  std::streamsize write(const char *s, std::streamsize n) {
    if (calls++ == fail_at)
      throw std::ios_base::failure("flaky sink refused", bytesio::errc::size_limit);
    out->append(s, static_cast<std::size_t>(n));
    return n;
  }
};

// A Boost Source over a string, at most `chunk` bytes a call, that throws at
// its `fail_at`-th call (-1: never). Unlike array_source it is not a Direct
// device, so a filter can be driven over it with io::read.
struct flaky_source {
  using char_type = char;
  using category = io::source_tag;
  std::string_view in;
  int fail_at;
  std::size_t chunk;
  int calls = 0;

  std::streamsize read(char *s, std::streamsize n) {
    if (calls++ == fail_at)
      throw std::ios_base::failure("flaky source failed", bytesio::errc::closed);
    if (in.empty())
      return -1;
    const std::size_t k = std::min({in.size(), static_cast<std::size_t>(n), chunk});
    std::copy_n(in.data(), k, s);
    in.remove_prefix(k);
    return static_cast<std::streamsize>(k);
  }
};

// Writes `data` into `os` in pseudo-random chunks of 1 to `max_chunk` bytes.
void write_chunked(std::ostream &os, std::string_view data, std::size_t max_chunk, unsigned seed) {
  std::mt19937 rng(seed);
  while (!data.empty()) {
    const std::size_t k = std::min<std::size_t>(data.size(), 1 + rng() % max_chunk);
    os.write(data.data(), static_cast<std::streamsize>(k));
    data.remove_prefix(k);
  }
}

// Reads `is` to its end in pseudo-random chunks.
std::string read_chunked(std::istream &is, std::size_t max_chunk, unsigned seed) {
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

// What the filter types promise Boost.Iostreams.
template <class F>
constexpr bool boost_filter() {
  using cat = typename io::category_of<F>::type;
  return std::is_convertible_v<cat, io::dual_use> && std::is_convertible_v<cat, io::filter_tag> &&
         std::is_convertible_v<cat, io::multichar_tag> &&
         std::is_convertible_v<cat, io::closable_tag> &&
         std::is_convertible_v<cat, io::optimally_buffered_tag> &&
         std::is_same_v<typename io::char_type_of<F>::type, char>;
}
static_assert(boost_filter<crc32_filter>());
static_assert(boost_filter<counter_filter>());
static_assert(boost_filter<progress_filter>());
static_assert(std::is_same_v<decltype(counter_filter().bytes()), std::uint64_t>);
static_assert(std::is_same_v<decltype(counter_filter().lines()), std::uint64_t>);
static_assert(std::is_same_v<decltype(crc32_filter().value()), std::uint32_t>);

} // namespace

// --- the contract, over every filter --------------------------------------------

BOOST_AUTO_TEST_SUITE(contract)

// Boost's own harness: every chunk size 5..200 through a non-blocking
// source or sink, both directions, compose() and copy(). The filter copies
// it makes share the subject's state, so the values are checked too.
// (Its chunks are 5 to 200 bytes, so sizes past a few chunks only add time.)
BOOST_AUTO_TEST_CASE_TEMPLATE(boost_test_harness_passes_bytes_unchanged, S, subjects) {
  for (const std::size_t n :
       {0u, 1u, 2u, 5u, 127u, 128u, 129u, 999u, 1000u, 1001u, 4096u, 20001u}) {
    const std::string data = n % 2 ? random_bytes(n, static_cast<unsigned>(n)) : text(n);
    BOOST_TEST_CONTEXT("size " << n) {
      S s;
      BOOST_TEST(io::test_output_filter(s.filter, data, data));
      BOOST_TEST(s.check(std::vector<std::string_view>(39, data)));
      BOOST_TEST(io::test_input_filter(s.filter, data, data));
      BOOST_TEST(s.check(std::vector<std::string_view>(39, data)));

      // test_filter_pair: `out` sees the data four times per chunk size,
      // `in` the data and a copy cut in half, twice.
      S in;
      BOOST_TEST(io::test_filter_pair(s.filter, in.filter, data));
      BOOST_TEST(s.check(std::vector<std::string_view>(160, data)));
      const std::string_view half = std::string_view(data).substr(0, data.size() / 2);
      std::vector<std::string_view> in_streams;
      for (int i = 0; i < 80; ++i) {
        in_streams.push_back(data);
        in_streams.push_back(half);
      }
      BOOST_TEST(in.check(in_streams));
    }
  }
}

// The values against the references through real chains in both
// directions, from the object the user made and from chain.component<T>(0).
BOOST_AUTO_TEST_CASE_TEMPLATE(values_in_both_directions_match_the_reference, S, subjects) {
  using F = decltype(S::filter);
  unsigned seed = 1;
  for (const std::size_t n : sizes) {
    for (const std::size_t max_chunk : {1u, 7u, 4096u, 100000u}) {
      if (max_chunk == 1 && n > 5000)
        continue;
      const std::string data = seed % 2 ? random_bytes(n, seed) : text(n, seed);
      ++seed;
      BOOST_TEST_CONTEXT("size " << n << ", chunks up to " << max_chunk) {
        // Output: filter -> bytes_device.
        S out;
        bytesio::bytes_buf sink;
        io::filtering_ostream os;
        os.push(out.filter);
        os.push(bytesio::bytes_device(sink));
        write_chunked(os, data, max_chunk, seed);
        BOOST_TEST(os.good());
        os.pop(); // closes the chain; the filter stays in it
        BOOST_TEST(str(sink.view()) == data);
        BOOST_TEST(out.check({data}));
        F *chain_copy = os.component<F>(0);
        BOOST_REQUIRE(chain_copy != nullptr);
        BOOST_TEST(S::values(*chain_copy) == S::values(out.filter));

        // Input: bytes_device -> filter -> reader.
        S in;
        bytesio::bytes_buf source(std::string_view{data});
        io::filtering_istream is;
        is.push(in.filter);
        is.push(bytesio::bytes_device(source));
        BOOST_TEST(read_chunked(is, max_chunk, seed) == data);
        is.pop();
        BOOST_TEST(in.check({data}));
        F *input_copy = is.component<F>(0);
        BOOST_REQUIRE(input_copy != nullptr);
        BOOST_TEST(S::values(*input_copy) == S::values(in.filter));
      }
    }
  }
}

// The values stay readable after the close that ends a stream, a close of
// the other direction changes nothing, and the next stream starts from
// zero; a close with nothing read or written ends an empty stream.
BOOST_AUTO_TEST_CASE_TEMPLATE(streams_start_afresh_and_values_stay_after_close, S, subjects) {
  S s;
  BOOST_TEST(s.check({})); // a fresh filter: the values of an empty stream, no call yet
  std::string out;
  io::back_insert_device<std::string> snk(out);
  io::write(s.filter, snk, "hello\nworld\n", 12);
  io::close(s.filter, snk, std::ios_base::in); // not the direction in use
  io::close(s.filter, snk, std::ios_base::out);
  BOOST_TEST(out == "hello\nworld\n");
  BOOST_TEST(s.check({"hello\nworld\n"}));
  io::close(s.filter, snk, std::ios_base::in); // still nothing new
  BOOST_TEST(s.check({}));

  io::write(s.filter, snk, "ab", 2);
  io::close(s.filter, snk, std::ios_base::out);
  BOOST_TEST(s.check({"ab"}));

  io::close(s.filter, snk, std::ios_base::out); // an empty stream
  BOOST_TEST(s.check({""}));

  // Input use, closed in both directions (in, then out): one stream, values kept.
  const std::string data = text(5000);
  flaky_source src{data, -1, 1000};
  std::string got;
  char block[333];
  for (std::streamsize r; (r = io::read(s.filter, src, block, sizeof block)) != -1;)
    got.append(block, static_cast<std::size_t>(r));
  BOOST_TEST(got == data);
  io::close(s.filter, src, std::ios_base::in | std::ios_base::out);
  BOOST_TEST(s.check({data}));
  io::close(s.filter, src, std::ios_base::in); // an empty input stream
  BOOST_TEST(s.check({""}));

  // A chain pushed twice with the same filter counts each stream afresh.
  for (const std::string &chunk : {text(70000, 1), text(10, 2)}) {
    bytesio::bytes_buf sink;
    io::filtering_ostream os;
    os.push(s.filter);
    os.push(bytesio::bytes_device(sink));
    os << chunk;
    os.reset();
    BOOST_TEST(s.check({chunk}));
  }
}

// Pipelines and compose() work, and copies made by either share the state.
BOOST_AUTO_TEST_CASE_TEMPLATE(pipelines_and_compose_share_the_state, S, subjects) {
  S s;
  const std::string data = text(100000);
  bytesio::bytes_buf sink;
  {
    io::filtering_ostream os(s.filter | bytesio::bytes_device(sink));
    os << data;
  } // the destructor closes the chain
  BOOST_TEST(str(sink.view()) == data);
  BOOST_TEST(s.check({data}));

  std::string got;
  io::copy(io::compose(s.filter, io::array_source(data.data(), data.size())),
           io::back_inserter(got));
  BOOST_TEST(got == data);
  BOOST_TEST(s.check({data}));
  BOOST_TEST(io::optimal_buffer_size(s.filter) ==
             64 * 1024 - 16); // not 128: a plain push() is fast
}

// A sink that refuses bytes once: the filter rethrows that very exception
// from every later call, hands the sink nothing more, and shows the values
// of the bytes the sink took; the closing call clears it.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_sink_failure_sticks_and_nothing_is_counted_twice, S, subjects) {
  const std::string data = text(1000);
  S s;
  std::string out;
  flaky_sink snk{&out, 2};
  const void *first = nullptr;
  std::string message;
  std::size_t offered = 0;
  int failures = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    try {
      io::write(s.filter, snk, data.data() + 100 * i, 100);
      offered += 100;
    } catch (const std::ios_base::failure &e) {
      ++failures;
      if (first == nullptr) {
        first = &e;
        message = e.what();
      }
      BOOST_TEST(&e == first); // the same exception object
      BOOST_TEST(e.what() == message);
    }
  }
  BOOST_TEST(failures == 8);
  BOOST_TEST(offered == 200u);
  BOOST_TEST(out == data.substr(0, 200)); // nothing after the failure
  BOOST_TEST(snk.calls == 3);
  // The values are those of a filter that saw only the 200 accepted bytes.
  S ref;
  io::null_sink nul;
  io::write(ref.filter, nul, data.data(), 200);
  BOOST_TEST(S::values(s.filter) == S::values(ref.filter));
  BYTESIO_CHECK_ERRC(io::close(s.filter, snk, std::ios_base::in), bytesio::errc::size_limit);
  BYTESIO_CHECK_ERRC(io::close(s.filter, snk, std::ios_base::out), bytesio::errc::size_limit);
  BOOST_TEST(S::values(s.filter) == S::values(ref.filter)); // kept after the failure
  BOOST_TEST(out.size() == 200u);
  // Cleared: a new stream works.
  out.clear();
  s.check({}); // forget the progress calls of the failed stream
  io::write(s.filter, snk, "fresh", 5);
  io::close(s.filter, snk, std::ios_base::out);
  BOOST_TEST(out == "fresh");
  BOOST_TEST(s.check({"fresh"}));
}

// The same through a filtering_ostream into a bytes_device over a buffer
// with a size limit, pushed unbuffered so its failure reaches the filter:
// Boost swallows the first throw in sync() and offers the bytes again at
// close; they are not handed on or counted again, and reset() reports it.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_size_limited_bytes_device_stops_the_chain, S, subjects) {
  const std::string data = random_bytes(100000, 9);
  S s;
  bytesio::bytes_buf sink;
  sink.set_size_limit(1000);
  io::filtering_ostream os;
  os.push(s.filter, 100); // 100-byte writes: the limit falls between two of them
  os.push(bytesio::bytes_device(sink), 1);
  os.write(data.data(), static_cast<std::streamsize>(data.size()));
  BOOST_TEST(os.bad());
  os.flush(); // Boost's sync() offers the bytes again
  BYTESIO_CHECK_ERRC(os.reset(), bytesio::errc::size_limit);
  BOOST_TEST(str(sink.view()) == data.substr(0, 1000));
  S ref;
  io::null_sink nul;
  io::write(ref.filter, nul, data.data(), 1000);
  BOOST_TEST(S::values(s.filter) == S::values(ref.filter));
}

// A source that fails: the same exception from every later read and from
// the closing close(in), the values of what the reader got, then afresh.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_source_failure_sticks, S, subjects) {
  const std::string data = text(1000);
  S s;
  flaky_source src{data, 3, 10};
  std::string got;
  char block[64];
  const void *first = nullptr;
  for (int i = 0; i < 6; ++i) {
    try {
      const std::streamsize r = io::read(s.filter, src, block, sizeof block);
      got.append(block, static_cast<std::size_t>(r));
    } catch (const std::ios_base::failure &e) {
      if (first == nullptr)
        first = &e;
      BOOST_TEST(&e == first);
      BOOST_TEST(e.code() == bytesio::errc::closed);
    }
  }
  BOOST_TEST(got == data.substr(0, 30));
  BOOST_TEST(src.calls == 4); // never asked again after it failed
  S ref;
  flaky_source ref_src{std::string_view(data).substr(0, 30), -1, 7};
  while (io::read(ref.filter, ref_src, block, sizeof block) != -1) {
  }
  BOOST_TEST(S::values(s.filter) == S::values(ref.filter));
  BYTESIO_CHECK_ERRC(io::close(s.filter, src, std::ios_base::out), bytesio::errc::closed);
  BYTESIO_CHECK_ERRC(io::close(s.filter, src, std::ios_base::in), bytesio::errc::closed);
  s.check({});

  // Through a filtering_istream: reading sets badbit, reset() reports it.
  flaky_source again{data, 2, 10};
  io::filtering_istream is;
  is.push(s.filter);
  is.push(again);
  std::string all;
  BOOST_TEST(!std::getline(is, all, '\0'));
  BYTESIO_CHECK_ERRC(is.reset(), bytesio::errc::closed);
  s.check({});

  // Fresh again.
  flaky_source ok{data, -1, 100};
  got.clear();
  for (std::streamsize r; (r = io::read(s.filter, ok, block, sizeof block)) != -1;)
    got.append(block, static_cast<std::size_t>(r));
  io::close(s.filter, ok, std::ios_base::in);
  BOOST_TEST(got == data);
  BOOST_TEST(s.check({data}));
}

BOOST_AUTO_TEST_SUITE_END()

// --- crc32_filter ----------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(crc)

BOOST_AUTO_TEST_CASE(the_compiled_crc_is_zlibs_for_any_length_alignment_and_split) {
  const std::string data = random_bytes(5000, 11);
  std::mt19937 rng(12);
  for (int i = 0; i < 3000; ++i) {
    const std::size_t off = rng() % 64;
    const std::size_t n = rng() % (data.size() - off);
    const std::string_view s = std::string_view(data).substr(off, n);
    const std::size_t cut = n == 0 ? 0 : rng() % n;
    const std::uint32_t whole = bytesio::detail::crc32_update(0, s.data(), s.size());
    const std::uint32_t split = bytesio::detail::crc32_update(
        bytesio::detail::crc32_update(0, s.data(), cut), s.data() + cut, n - cut);
    BOOST_TEST(whole == zlib_crc(s));
    BOOST_TEST(split == whole);
  }
  BOOST_TEST(bytesio::detail::crc32_update(0, "123456789", 9) == 0xCBF43926u); // the check value
  BOOST_TEST(bytesio::detail::crc32_update(7, nullptr, 0) == 7u);
  const std::string impl = bytesio::detail::crc32_implementation();
  BOOST_TEST((impl == "isa-l" || impl == "zlib"));
  BOOST_TEST_MESSAGE("crc32_filter computes with " << impl);
}

std::uint32_t gzip_trailer_crc(std::string_view gz) {
  BOOST_REQUIRE(gz.size() >= 18);
  const auto *p = reinterpret_cast<const unsigned char *>(gz.data() + gz.size() - 8);
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

// In front of a gzip compressor the filter's value is the trailer's CRC
// (zlib's), and a counter behind it sees the compressed size; reading back,
// a crc32_filter over the decompressor gives the same value.
BOOST_AUTO_TEST_CASE(the_value_is_the_gzip_trailers_in_both_directions) {
  const std::string report = text(300000, 5);
  crc32_filter crc;
  counter_filter compressed;
  bytesio::bytes_buf gz;
  {
    io::filtering_ostream os;
    os.push(crc);
    os.push(io::gzip_compressor());
    os.push(compressed);
    os.push(bytesio::bytes_device(gz));
    write_chunked(os, report, 5000, 1);
    os.reset();
  }
  BOOST_TEST(crc.value() == zlib_crc(report));
  BOOST_TEST(crc.value() == gzip_trailer_crc(str(gz.view())));
  BOOST_TEST(compressed.bytes() == gz.size());

  crc32_filter back;
  counter_filter plain;
  gz.seek(0);
  io::filtering_istream is;
  is.push(back);
  is.push(plain);
  is.push(io::gzip_decompressor());
  is.push(bytesio::bytes_device(gz));
  BOOST_TEST(read_chunked(is, 9000, 2) == report);
  is.reset();
  BOOST_TEST(back.value() == crc.value());
  BOOST_TEST(plain.bytes() == report.size());
  BOOST_TEST(plain.lines() == newlines(report));
}

BOOST_AUTO_TEST_SUITE_END()

// --- counter_filter --------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(counter)

BOOST_AUTO_TEST_CASE(a_line_is_a_newline_byte) {
  for (const auto &[in, lines] : std::vector<std::pair<std::string, std::uint64_t>>{
           {"", 0}, {"a", 0}, {"\n", 1}, {"a\nb", 1}, {"a\r\nb\n", 2}, {"\n\n\n", 3}, {"\r", 0}}) {
    counter_filter c;
    io::null_sink nul;
    io::write(c, nul, in.data(), static_cast<std::streamsize>(in.size()));
    io::close(c, nul, std::ios_base::out);
    BOOST_TEST(c.bytes() == in.size());
    BOOST_TEST(c.lines() == lines);
  }
}

// The memchr / counting-loop switch against std::count, at every density.
BOOST_AUTO_TEST_CASE(newline_counting_matches_std_count) {
  std::mt19937 rng(7);
  for (const unsigned per_mille : {0u, 1u, 10u, 31u, 33u, 100u, 500u, 1000u}) {
    for (int i = 0; i < 100; ++i) {
      std::string s(rng() % 40000, 'x'); // past 255 blocks of 64: the counters' run
      for (char &c : s)
        if (rng() % 1000 < per_mille)
          c = '\n';
      const std::size_t off = s.empty() ? 0 : rng() % std::min<std::size_t>(s.size(), 16);
      const std::string_view v = std::string_view(s).substr(off);
      BOOST_TEST(bytesio::detail::count_newlines(v.data(), v.size()) == newlines(v));
      BOOST_TEST(bytesio::detail::count_newlines_dense(v.data(), v.size()) == newlines(v));
    }
  }
}

// The counts are 64-bit: the state carried across 2^32 without wrapping.
BOOST_AUTO_TEST_CASE(the_state_counts_past_32_bits) {
  bytesio::detail::counter_watcher w;
  w.bytes = 0xFFFF'FFF0u;
  w.lines = 0xFFFF'FFFEu;
  const std::string lines(100, '\n');
  w.observe(lines.data(), lines.size());
  BOOST_TEST(w.bytes == 0x1'0000'0054u);
  BOOST_TEST(w.lines == 0x1'0000'0062u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- all three past 4 GiB ----------------------------------------------------------

// 4 GiB + 4097 bytes through each filter into a null sink, 1 MiB at a time
// (one newline per MiB, so the count runs at memchr speed): no 32-bit
// counter wraps, the CRC matches zlib's combined value, progress lands on
// each GiB.
BOOST_AUTO_TEST_CASE(more_than_4_GiB_pass_through_each_filter) {
  constexpr std::size_t block = 1 << 20;
  constexpr std::uint64_t blocks = 4096;
  constexpr std::size_t tail = 4097;
  std::string data(block, '\0');
  data[block / 2] = '\n';
  const std::uint32_t block_crc = zlib_crc(data);
  const std::uint32_t tail_crc = zlib_crc(std::string_view(data).substr(0, tail));

  crc32_filter crc;
  counter_filter count;
  std::vector<std::uint64_t> calls;
  progress_filter progress([&](std::uint64_t n) { calls.push_back(n); }, std::uint64_t{1} << 30);
  io::null_sink nul;
  std::uint32_t want_crc = 0;
  for (std::uint64_t i = 0; i <= blocks; ++i) {
    const std::size_t n = i == blocks ? tail : block;
    io::write(crc, nul, data.data(), static_cast<std::streamsize>(n));
    io::write(count, nul, data.data(), static_cast<std::streamsize>(n));
    io::write(progress, nul, data.data(), static_cast<std::streamsize>(n));
    want_crc = static_cast<std::uint32_t>(
        ::crc32_combine64(want_crc, i == blocks ? tail_crc : block_crc, static_cast<z_off64_t>(n)));
  }
  io::close(crc, nul, std::ios_base::out);
  io::close(count, nul, std::ios_base::out);
  io::close(progress, nul, std::ios_base::out);
  const std::uint64_t total = blocks * block + tail;
  BOOST_TEST(total > std::uint64_t{0xFFFF'FFFF});
  BOOST_TEST(count.bytes() == total);
  BOOST_TEST(count.lines() == blocks + 0); // the tail stops before its newline
  BOOST_TEST(crc.value() == want_crc);
  BOOST_TEST(progress.bytes() == total);
  BOOST_TEST(calls == progress_calls(total, std::uint64_t{1} << 30));
}

// --- progress_filter ---------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(progress)

// Output use: each call comes when exactly that many bytes have reached the
// sink, the same calls for any chunking and interval.
BOOST_AUTO_TEST_CASE(output_calls_come_when_the_sink_has_the_bytes) {
  std::mt19937 rng(5);
  for (const std::uint64_t every : {1u, 3u, 1000u, 4096u, 65536u}) {
    for (const std::size_t n : {0u, 1u, 999u, 1000u, 1001u, 70000u}) {
      if (every == 1 && n > 2000)
        continue;
      const std::string data = random_bytes(n, static_cast<unsigned>(n + every));
      std::string out;
      std::vector<std::uint64_t> calls;
      bool in_step = true;
      progress_filter f(
          [&](std::uint64_t k) {
            calls.push_back(k);
            in_step = in_step && out.size() == k;
          },
          every);
      io::back_insert_device<std::string> snk(out);
      for (std::size_t done = 0; done < n;) {
        const std::size_t k = std::min<std::size_t>(n - done, 1 + rng() % 20000);
        BOOST_TEST(io::write(f, snk, data.data() + done, static_cast<std::streamsize>(k)) ==
                   static_cast<std::streamsize>(k));
        done += k;
      }
      io::close(f, snk, std::ios_base::out);
      BOOST_TEST_CONTEXT("every " << every << ", size " << n) {
        BOOST_TEST(out == data);
        BOOST_TEST(calls == progress_calls(n, every));
        BOOST_TEST(in_step);
      }
    }
  }
}

// Input use: each call comes once the reader has received that many bytes
// (at the next read, or at the close that ends the stream).
BOOST_AUTO_TEST_CASE(input_calls_come_when_the_reader_has_the_bytes) {
  std::mt19937 rng(6);
  for (const std::uint64_t every : {1u, 7u, 1000u, 65536u}) {
    for (const std::size_t n : {0u, 1u, 999u, 1000u, 1001u, 70000u}) {
      if (every == 1 && n > 2000)
        continue;
      const std::string data = random_bytes(n, static_cast<unsigned>(n * 3 + every));
      std::string got;
      std::vector<std::uint64_t> calls;
      bool in_step = true;
      progress_filter f(
          [&](std::uint64_t k) {
            calls.push_back(k);
            in_step = in_step && got.size() == k;
          },
          every);
      flaky_source src{data, -1, 1 + rng() % 30000};
      std::string block(20000, '\0');
      for (;;) {
        const auto want = static_cast<std::streamsize>(1 + rng() % block.size());
        const std::streamsize r = io::read(f, src, block.data(), want);
        if (r == -1)
          break;
        got.append(block.data(), static_cast<std::size_t>(r));
      }
      io::close(f, src, std::ios_base::in);
      BOOST_TEST_CONTEXT("every " << every << ", size " << n) {
        BOOST_TEST(got == data);
        BOOST_TEST(calls == progress_calls(n, every));
        BOOST_TEST(in_step);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_zero_reports_only_the_end) {
  std::vector<std::uint64_t> calls;
  progress_filter f([&](std::uint64_t k) { calls.push_back(k); }, 0);
  BOOST_TEST(f.every() == 0u);
  bytesio::bytes_buf sink;
  io::filtering_ostream os;
  os.push(f);
  os.push(bytesio::bytes_device(sink));
  const std::string data = text(3 << 20);
  os << data;
  os.reset();
  BOOST_TEST(calls == std::vector<std::uint64_t>{data.size()});
  BOOST_TEST(progress_filter([](std::uint64_t) {}).every() == std::uint64_t{1} << 20);
}

BOOST_AUTO_TEST_CASE(an_empty_callback_is_an_invalid_argument) {
  BYTESIO_CHECK_ERRC(progress_filter(std::function<void(std::uint64_t)>()),
                     bytesio::errc::invalid_argument);
}

// A callback that throws: the bytes it reported have passed and stay
// counted, nothing more passes, the close reports it without calling again.
BOOST_AUTO_TEST_CASE(a_throwing_callback_is_the_streams_failure) {
  std::vector<std::uint64_t> calls;
  progress_filter f(
      [&](std::uint64_t k) {
        calls.push_back(k);
        if (k == 300)
          throw std::runtime_error("stop at 300");
      },
      100);
  const std::string data = random_bytes(1000, 4);
  bytesio::bytes_buf sink;
  io::filtering_ostream os;
  os.push(f);
  os.push(bytesio::bytes_device(sink), 1);
  os.write(data.data(), static_cast<std::streamsize>(data.size()));
  BOOST_CHECK_THROW(os.reset(), std::runtime_error);
  BOOST_TEST(str(sink.view()) == data.substr(0, 300));
  BOOST_TEST(f.bytes() == 300u);
  BOOST_TEST(calls == (std::vector<std::uint64_t>{100, 200, 300}));

  // Thrown from the ending close: propagates once, then the filter is fresh.
  calls.clear();
  std::string out;
  io::back_insert_device<std::string> snk(out);
  progress_filter at_end(
      [&](std::uint64_t k) {
        calls.push_back(k);
        if (k == 5)
          throw std::runtime_error("at the end");
      },
      0);
  io::write(at_end, snk, "hello", 5);
  BOOST_CHECK_THROW(io::close(at_end, snk, std::ios_base::out), std::runtime_error);
  io::write(at_end, snk, "hi", 2);
  io::close(at_end, snk, std::ios_base::out);
  BOOST_TEST(calls == (std::vector<std::uint64_t>{5, 2}));
  BOOST_TEST(out == "hellohi");
}

BOOST_AUTO_TEST_SUITE_END()
