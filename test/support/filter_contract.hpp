// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_FILTER_CONTRACT_HPP
#define BYTESIO_TEST_SUPPORT_FILTER_CONTRACT_HPP

// The filter contract: what every bytesio filter promises a Boost.Iostreams
// chain, written once (in the shape of Beast's test_file<File>() and of the
// file contract, test/support/contract.hpp) and run over every filter by
// test/filter_contract_test.cpp. Each check takes a subject
// (test/support/filter_subjects.hpp): a type that holds a fresh filter and
// says what the filter makes of a plain text.
//
// A subject S has
//   F filter;                               the filter under test, fresh
//   static constexpr std::streamsize buffer what optimal_buffer_size() declares
//   static constexpr bool dual_use          whether it promises both directions
//   static constexpr bool copies_share_state whether its copies are one filter
//   static std::string input(plain)         what it is given to carry `plain`
//   static std::string output(plain)        what it must give, when that is fixed
//   static std::string decode(out)          else: `plain` back from what it gave
// and optionally
//   static auto inverse()                   the filter undoing it (test_filter_pair)
//   static bad_input bad()                  an input it must reject (decoders)
//   static auto values(const F &)           what the filter shows (watching filters)
//   bool check(streams)                     those values against the streams that
//                                           ended since the last check

#include "filter_drivers.hpp"
#include "test_support.hpp"

#include "bytesio/bytes_buf.hpp"
#include "bytesio/iostreams.hpp"

#include "buffer_probe.hpp"

#include <boost/iostreams/compose.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filter/test.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <boost/iostreams/operations.hpp>

#include <cstddef>
#include <ios>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace bytesio::test {

namespace io = boost::iostreams;

/** An input a decoder must reject, and what it must say. */
struct bad_input {
  std::string text;     // the input
  std::string decoded;  // what decodes validly before the error: any output is a prefix of it
  std::error_code code; // the failure's code
  std::string message;  // part of its message (the offset)
};

/** A subject whose filter hands on its input unchanged (the watching filters). */
struct pass_through {
  static constexpr bool dual_use = true;
  static constexpr bool copies_share_state = true; // filters.hpp, "Shared state"
  static std::string input(std::string_view plain) { return std::string(plain); }
  static std::string output(std::string_view plain) { return std::string(plain); }
};

template <class S>
using filter_of = std::remove_cvref_t<decltype(S::filter)>;

template <class S>
constexpr bool reads =
    std::is_convertible_v<typename io::category_of<filter_of<S>>::type, io::input>;
template <class S>
constexpr bool writes =
    std::is_convertible_v<typename io::category_of<filter_of<S>>::type, io::output>;
template <class S>
constexpr bool fixed_output = requires(std::string_view p) {
  S::output(p);
};
template <class S>
constexpr bool watches = requires(S s, const std::vector<std::string_view> &v) {
  s.check(v);
};

/** Whether `out` is what S's filter must give for `plain`. */
template <class S>
bool gives(std::string_view plain, std::string_view out) {
  if constexpr (fixed_output<S>)
    return out == S::output(plain);
  else
    return S::decode(out) == plain;
}

/** The watching filter's values against the streams that ended since the last check. */
template <class S>
void check_values(S &s, const std::vector<std::string_view> &streams) {
  if constexpr (watches<S>)
    BOOST_TEST(s.check(streams));
}

/** Forgets what a watching filter reported so far (a failed stream's calls). */
template <class S>
void forget_values(S &s) {
  if constexpr (watches<S>)
    (void)s.check({});
}

/** `filter`'s values are those of a fresh filter that saw `seen` (watching filters). */
template <class S>
void check_values_of_prefix(const filter_of<S> &filter, std::string_view seen) {
  if constexpr (requires { S::values(filter); }) {
    S ref;
    std::string sink;
    auto snk = io::back_inserter(sink);
    io::write(ref.filter, snk, seen.data(), static_cast<std::streamsize>(seen.size()));
    BOOST_TEST(S::values(filter) == S::values(ref.filter));
  }
}

/** Text with lines (odd sizes: random bytes), the same for the same seed. */
inline std::string sample(std::size_t n, unsigned seed) {
  return n % 2 ? random_bytes(n, seed) : text(n, seed);
}

/**
 * Checks that `op()` throws a std::ios_base::failure with `first`'s code and
 * message and hands the sink (whose size `size()` gives) nothing.
 */
template <class Op, class Size>
void check_rethrows(const char *what, const outcome &first, Op &&op, Size &&size,
                    bool same_object = false) {
  const std::size_t before = size();
  const outcome again = failure_of(op);
  BOOST_TEST(again.failed(), what << " did not throw");
  BOOST_TEST((again.code == first.code), what << " threw " << again.code.message());
  BOOST_TEST(again.message == first.message, what);
  BOOST_TEST(size() == before, what << " handed on more bytes");
  if (same_object)
    BOOST_TEST(again.object == first.object, what << " threw another exception object");
}

// --- the checks -------------------------------------------------------------------

/** The Boost category the filter promises, and the buffer it declares. */
template <class S>
void check_category() {
  using F = filter_of<S>;
  using cat = typename io::category_of<F>::type;
  BOOST_TEST((std::is_convertible_v<cat, io::filter_tag>));
  BOOST_TEST((std::is_convertible_v<cat, io::multichar_tag>));
  BOOST_TEST((std::is_convertible_v<cat, io::closable_tag>));
  BOOST_TEST((std::is_convertible_v<cat, io::optimally_buffered_tag>));
  BOOST_TEST((std::is_same_v<typename io::char_type_of<F>::type, char>));
  BOOST_TEST((std::is_convertible_v<cat, io::dual_use> == S::dual_use));
  BOOST_TEST((reads<S> || writes<S>));
  BOOST_TEST(io::optimal_buffer_size(S().filter) == S::buffer); // not 128: a plain push is fast
}

/**
 * Boost's own harness (boost/iostreams/filter/test.hpp): every chunk size
 * 5..200 through a non-blocking source or sink, both directions, compose()
 * and copy(). The filter copies it makes share the subject's state, so a
 * watching filter's values are checked too.
 */
template <class S>
void check_boost_harness() {
  for (const std::size_t n :
       {0u, 1u, 2u, 3u, 4u, 5u, 57u, 58u, 127u, 128u, 129u, 999u, 1000u, 1001u, 4096u, 20001u}) {
    const std::string plain = sample(n, static_cast<unsigned>(n));
    BOOST_TEST_CONTEXT("size " << n) {
      S s;
      if constexpr (fixed_output<S>) {
        const std::string in = S::input(plain), out = S::output(plain);
        if constexpr (writes<S>) {
          BOOST_TEST(io::test_output_filter(s.filter, in, out));
          check_values(s, std::vector<std::string_view>(39, plain));
        }
        if constexpr (reads<S>) {
          BOOST_TEST(io::test_input_filter(s.filter, in, out));
          check_values(s, std::vector<std::string_view>(39, plain));
        }
      }
      if constexpr (requires { S::inverse(); }) {
        BOOST_TEST(io::test_filter_pair(s.filter, S::inverse(), plain));
      } else if constexpr (std::is_base_of_v<pass_through, S>) {
        // `s` sees the data four times per chunk size, `in` the data and
        // a copy cut in half, twice.
        S in;
        BOOST_TEST(io::test_filter_pair(s.filter, in.filter, plain));
        check_values(s, std::vector<std::string_view>(160, plain));
        const std::string_view half = std::string_view(plain).substr(0, plain.size() / 2);
        std::vector<std::string_view> in_streams;
        for (int i = 0; i < 80; ++i) {
          in_streams.push_back(plain);
          in_streams.push_back(half);
        }
        check_values(in, in_streams);
      }
    }
  }
}

/**
 * bytesio's drivers where Boost's stop: sizes around the buffers, writes and
 * reads of random sizes through a plain push into and out of a bytes_buf
 * with the chain's copy of the filter (`component<F>(0)`) showing what the
 * user's object shows, chain buffers of the chunk size, and a stream
 * longer than any internal buffer.
 */
template <class S>
void check_both_directions() {
  using F = filter_of<S>;
  unsigned seed = 1;
  for (const std::size_t n : {0u, 1u, 2u, 5u, 127u, 128u, 129u, 999u, 1000u, 1001u, 4096u, 65535u,
                              65536u, 65537u, 200003u}) {
    for (const std::size_t max_chunk : {1u, 7u, 4096u, 100000u}) {
      if (max_chunk == 1 && n > 5000)
        continue;
      ++seed;
      const std::string plain = sample(n, seed);
      const std::string in = S::input(plain);
      BOOST_TEST_CONTEXT("size " << n << ", chunks up to " << max_chunk) {
        if constexpr (writes<S>) {
          S out;
          bytesio::bytes_buf sink;
          io::filtering_ostream os;
          os.push(out.filter);
          os.push(bytesio::bytes_device(sink));
          write_chunked(os, in, max_chunk, seed);
          BOOST_TEST(os.good());
          os.pop(); // closes the chain; the filter stays in it
          BOOST_TEST(gives<S>(plain, str(sink.view())));
          check_values(out, {plain});
          const F *chain_copy = os.template component<F>(0);
          BOOST_TEST_REQUIRE(chain_copy != nullptr);
          if constexpr (requires { S::values(out.filter); })
            BOOST_TEST(S::values(*chain_copy) == S::values(out.filter));
        }
        if constexpr (reads<S>) {
          S rd;
          bytesio::bytes_buf source(std::string_view{in});
          io::filtering_istream is;
          is.push(rd.filter);
          is.push(bytesio::bytes_device(source));
          BOOST_TEST(gives<S>(plain, read_chunked(is, max_chunk, seed)));
          is.pop();
          check_values(rd, {plain});
          const F *chain_copy = is.template component<F>(0);
          BOOST_TEST_REQUIRE(chain_copy != nullptr);
          if constexpr (requires { S::values(rd.filter); })
            BOOST_TEST(S::values(*chain_copy) == S::values(rd.filter));
        }
      }
    }
  }
  // Every chunk size around a base64 group, with a chain buffer of that size.
  {
    const std::string plain = random_bytes(3000, 3), in = S::input(plain);
    for (const std::size_t chunk : {1u, 2u, 3u, 4u, 5u, 7u, 64u, 100u, 4096u, 70000u}) {
      const auto buffer = static_cast<std::streamsize>(chunk);
      if constexpr (writes<S>)
        BOOST_TEST(gives<S>(plain, write_through(S().filter, in, {chunk}, buffer)), chunk);
      if constexpr (reads<S>)
        BOOST_TEST(gives<S>(plain, read_through(S().filter, in, {chunk}, buffer)), chunk);
    }
  }
  // A stream longer than any internal buffer, in large pieces.
  const std::string plain = random_bytes((std::size_t{1} << 20) + 7, 11);
  const std::string in = S::input(plain);
  if constexpr (writes<S>)
    BOOST_TEST(gives<S>(plain, write_through(S().filter, in, {std::size_t{1} << 20})));
  if constexpr (reads<S>)
    BOOST_TEST(gives<S>(plain, read_through(S().filter, in, {std::size_t{1} << 16}, 1 << 16)));
}

/** compose(), copy() and `|` pipelines carry the bytes, and their copies share the state. */
template <class S>
void check_compose_and_pipelines() {
  S s;
  const std::string plain = text(100000, 3);
  const std::string in = S::input(plain);
  if constexpr (requires(bytesio::bytes_buf & b) { s.filter | bytesio::bytes_device(b); }) {
    bytesio::bytes_buf sink;
    {
      io::filtering_ostream os(s.filter | bytesio::bytes_device(sink));
      os << in;
    } // the destructor closes the chain
    BOOST_TEST(gives<S>(plain, str(sink.view())));
    check_values(s, {plain});
  }
  if constexpr (writes<S>) {
    std::string got;
    io::copy(io::array_source(in.data(), in.size()), io::compose(s.filter, io::back_inserter(got)));
    BOOST_TEST(gives<S>(plain, got));
    check_values(s, {plain});
  }
  if constexpr (reads<S>) {
    std::string got;
    io::copy(io::compose(s.filter, io::array_source(in.data(), in.size())), io::back_inserter(got));
    BOOST_TEST(gives<S>(plain, got));
    check_values(s, {plain});
  }
}

/**
 * DESIGN.md, "Sticky filter failures", from bad input: the call that meets
 * it throws, and so does every later read/write and the close of the other
 * direction, with the same code and message, handing on nothing more; the
 * closing call throws it one last time and leaves the filter fresh. Both
 * directions agree with each other, and through a filtering_ostream the
 * error reaches the user from reset() whatever the chain's buffer.
 */
template <class S>
void check_bad_input_sticks() {
  if constexpr (requires { S::bad(); }) {
    const bad_input bad = S::bad();
    const std::string plain = text(3000, 9), valid = S::input(plain);
    outcome first;

    // Output use, the filter driven directly: the input in one write.
    if constexpr (writes<S>) {
      S s;
      std::string out;
      auto snk = io::back_inserter(out);
      first = failure_of([&] {
        io::write(s.filter, snk, bad.text.data(), static_cast<std::streamsize>(bad.text.size()));
      });
      BOOST_TEST_REQUIRE(first.failed());
      BOOST_TEST((first.code == bad.code));
      BOOST_TEST(first.message.find(bad.message) != std::string::npos, first.message);
      BOOST_TEST(is_prefix(out, bad.decoded));
      const auto size = [&] { return out.size(); };
      check_rethrows(
          "a write after the error", first, [&] { io::write(s.filter, snk, "A", 1); }, size);
      check_rethrows(
          "a write of the rest", first,
          [&] {
            io::write(s.filter, snk, valid.data(), static_cast<std::streamsize>(valid.size()));
          },
          size);
      check_rethrows(
          "close(in)", first, [&] { io::close(s.filter, snk, std::ios_base::in); }, size);
      // Copies that share the state share the failure; the closing call of
      // one ends the stream for all.
      filter_of<S> copy = s.filter;
      if constexpr (S::copies_share_state)
        check_rethrows(
            "a write through a copy", first, [&] { io::write(copy, snk, "A", 1); }, size);
      check_rethrows(
          "close(out)", first,
          [&] { io::close(S::copies_share_state ? copy : s.filter, snk, std::ios_base::out); },
          size);
      // That close ended the stream: the filter (every copy) starts afresh.
      out.clear();
      io::write(s.filter, snk, valid.data(), static_cast<std::streamsize>(valid.size()));
      io::close(s.filter, snk, std::ios_base::out);
      BOOST_TEST(gives<S>(plain, out));
    }

    // Input use, the filter driven directly over a source in 4 KiB chunks.
    if constexpr (reads<S>) {
      S s;
      chunked_source src{bad.text, {4096}};
      std::string got;
      char block[333];
      const outcome in_first = failure_of([&] {
        for (std::streamsize r; (r = io::read(s.filter, src, block, sizeof block)) != -1;)
          got.append(block, static_cast<std::size_t>(r));
      });
      BOOST_TEST_REQUIRE(in_first.failed());
      BOOST_TEST((in_first.code == bad.code));
      BOOST_TEST(in_first.message.find(bad.message) != std::string::npos, in_first.message);
      if (first.failed())
        BOOST_TEST(in_first.message == first.message); // both directions say the same
      BOOST_TEST(is_prefix(got, bad.decoded));
      const int calls = src.calls;
      const auto size = [&] { return got.size() + static_cast<std::size_t>(src.calls - calls); };
      check_rethrows(
          "a read after the error", in_first,
          [&] { (void)io::read(s.filter, src, block, sizeof block); }, size);
      check_rethrows(
          "close(out)", in_first, [&] { io::close(s.filter, src, std::ios_base::out); }, size);
      check_rethrows(
          "close(in)", in_first, [&] { io::close(s.filter, src, std::ios_base::in); }, size);
      chunked_source fresh{valid, {1000}};
      got.clear();
      for (std::streamsize r; (r = io::read(s.filter, fresh, block, sizeof block)) != -1;)
        got.append(block, static_cast<std::size_t>(r));
      io::close(s.filter, fresh, std::ios_base::in);
      BOOST_TEST(gives<S>(plain, got));
      if (!first.failed())
        first = in_first;
    }

    // Through a filtering_ostream, whatever the chain's buffer: reset() reports
    // the same error, and the sink holds a prefix of the valid decoding.
    if constexpr (writes<S>) {
      for (const std::streamsize buffer :
           {std::streamsize{0}, std::streamsize{1}, std::streamsize{7}, std::streamsize{1} << 20}) {
        const outcome o = write_outcome(S().filter, bad.text, {whole}, buffer);
        BOOST_TEST(o.message == first.message, "buffer " << buffer);
        BOOST_TEST(is_prefix(o.bytes, bad.decoded), "buffer " << buffer);
      }
    }

    // Through a filtering_istream: badbit, or the error where exceptions() ask for it.
    if constexpr (reads<S>) {
      io::filtering_istream is;
      is.push(S().filter);
      is.push(io::array_source(bad.text.data(), bad.text.size()));
      char block[256];
      while (is.read(block, sizeof block)) {
      }
      BOOST_TEST(is.bad());
      const outcome o = failure_of([&] { (void)read_through(S().filter, bad.text, {256}); });
      BOOST_TEST(o.message == first.message);
    }
  }
}

/**
 * Sticky failures from a sink that refuses bytes, the filter driven
 * directly: the first refusal is thrown again by every later write and
 * close with the same code and message, the sink is never offered a byte
 * again (so nothing is handed on twice), a watching filter shows the values
 * of what the sink took, and after the closing call the filter is fresh.
 */
template <class S>
void check_sink_failure_sticks() {
  if constexpr (writes<S>) {
    // Incompressible and long enough that every filter hands bytes on before it is closed.
    const std::string plain = random_bytes(std::size_t{3} << 20, 17), in = S::input(plain);
    for (const std::size_t limit : {std::size_t{0}, std::size_t{200}, std::size_t{100000}}) {
      BOOST_TEST_CONTEXT("limit " << limit) {
        S s;
        std::string out;
        refusing_sink snk{&out, limit};
        std::size_t offered = 0;
        const outcome first = failure_of([&] {
          for (; offered < in.size(); offered += 100) {
            const auto k =
                static_cast<std::streamsize>(std::min<std::size_t>(100, in.size() - offered));
            BOOST_TEST_REQUIRE(io::write(s.filter, snk, in.data() + offered, k) == k);
          }
        });
        BOOST_TEST_REQUIRE(first.failed(), "the sink refused nothing before the close");
        BOOST_TEST((first.code == errc::size_limit));
        BOOST_TEST(first.message.find(refusing_sink::message) != std::string::npos);
        BOOST_TEST(out.size() <= limit);
        const int calls = snk.calls;
        const auto size = [&] { return out.size() + static_cast<std::size_t>(snk.calls - calls); };
        check_rethrows(
            "a write after the failure", first,
            [&] { io::write(s.filter, snk, in.data() + offered, 100); }, size, watches<S>);
        check_rethrows(
            "close(in)", first, [&] { io::close(s.filter, snk, std::ios_base::in); }, size,
            watches<S>);
        check_values_of_prefix<S>(s.filter, out); // kept after the failure
        filter_of<S> copy = s.filter;
        if constexpr (S::copies_share_state)
          check_rethrows(
              "a write through a copy", first, [&] { io::write(copy, snk, in.data(), 10); }, size,
              watches<S>);
        check_rethrows(
            "close(out)", first,
            [&] { io::close(S::copies_share_state ? copy : s.filter, snk, std::ios_base::out); },
            size, watches<S>);
        check_values_of_prefix<S>(s.filter, out);
        if constexpr (std::is_base_of_v<pass_through, S>) {
          // Every write up to the limit went through whole, the next one failed.
          BOOST_TEST(out == in.substr(0, limit));
          BOOST_TEST(offered == limit);
          BOOST_TEST(snk.calls == static_cast<int>(limit / 100) + 1);
        }
        // What landed is the start of what an unrefused stream of the same
        // writes gives: never a byte twice.
        S ref;
        std::string whole_out;
        auto all = io::back_inserter(whole_out);
        for (std::size_t at = 0; at < in.size(); at += 100)
          io::write(ref.filter, all, in.data() + at,
                    static_cast<std::streamsize>(std::min<std::size_t>(100, in.size() - at)));
        io::close(ref.filter, all, std::ios_base::out);
        BOOST_TEST(is_prefix(out, whole_out));
        // Cleared: a new stream works.
        forget_values(s); // the calls of the failed stream
        out.clear();
        refusing_sink fine{&out};
        const std::string small = S::input("fresh");
        io::write(s.filter, fine, small.data(), static_cast<std::streamsize>(small.size()));
        io::close(s.filter, fine, std::ios_base::out);
        BOOST_TEST(gives<S>("fresh", out));
        check_values(s, {"fresh"});
      }
    }
  }
}

/**
 * The same through a filtering_ostream into a bytes_device over a buffer
 * with a size limit, pushed unbuffered so that its failure reaches the
 * filter: Boost swallows the first throw in sync() and offers the bytes
 * again at close; they are not handed on again, and reset() reports it.
 */
template <class S>
void check_size_limited_device_stops_the_chain() {
  if constexpr (writes<S>) {
    const std::string plain = random_bytes(std::size_t{4} << 20, 9), in = S::input(plain);
    const std::string whole_out = write_through(S().filter, in, {whole}, 100);
    BOOST_TEST_REQUIRE(whole_out.size() > 1000u);
    S s;
    bytesio::bytes_buf sink;
    sink.set_size_limit(1000);
    io::filtering_ostream os;
    os.push(s.filter, 100); // 100-byte writes: the limit falls between two of them
    os.push(bytesio::bytes_device(sink), 1);
    os.write(in.data(), static_cast<std::streamsize>(in.size()));
    BOOST_TEST(os.bad());
    os.flush(); // Boost's sync() offers the bytes again
    BYTESIO_CHECK_ERRC(os.reset(), errc::size_limit);
    const std::string got = str(sink.view());
    BOOST_TEST(got.size() <= 1000u);
    BOOST_TEST(is_prefix(got, whole_out));
    if constexpr (std::is_base_of_v<pass_through, S>)
      BOOST_TEST(got.size() == 1000u); // a pass-through hands on up to the limit
    check_values_of_prefix<S>(s.filter, got);
    // The chain's close reset the shared state: the filter works again.
    BOOST_TEST(gives<S>(plain, write_through(s.filter, in)));
  }
}

/**
 * A source that fails: the same exception from every later read and from
 * the closing close(in), the source never asked again, a watching filter's
 * values those of what the reader got; then afresh, also through a chain.
 */
template <class S>
void check_source_failure_sticks() {
  if constexpr (reads<S>) {
    const std::string plain = text(1000, 4), in = S::input(plain);
    S s;
    chunked_source src{in, {10}, 3};
    std::string got;
    char block[64];
    const outcome first = failure_of([&] {
      for (std::streamsize r; (r = io::read(s.filter, src, block, sizeof block)) != -1;)
        got.append(block, static_cast<std::size_t>(r));
    });
    BOOST_TEST_REQUIRE(first.failed());
    BOOST_TEST((first.code == errc::closed));
    BOOST_TEST(src.calls == 4);
    if constexpr (fixed_output<S>)
      BOOST_TEST(is_prefix(got, S::output(plain)));
    if constexpr (std::is_base_of_v<pass_through, S>)
      BOOST_TEST(got == in.substr(0, 30)); // all the source gave
    const auto size = [&] { return got.size() + static_cast<std::size_t>(src.calls - 4); };
    check_rethrows(
        "a read after the failure", first,
        [&] { (void)io::read(s.filter, src, block, sizeof block); }, size);
    check_values_of_prefix<S>(s.filter, got);
    check_rethrows(
        "close(out)", first, [&] { io::close(s.filter, src, std::ios_base::out); }, size);
    check_rethrows(
        "close(in)", first, [&] { io::close(s.filter, src, std::ios_base::in); }, size);
    forget_values(s);

    // Through a filtering_istream: reading sets badbit, reset() reports it.
    io::filtering_istream is;
    is.push(s.filter);
    is.push(chunked_source{in, {10}, 2});
    std::string all;
    BOOST_TEST(!std::getline(is, all, '\0'));
    BOOST_TEST(is.bad());
    BYTESIO_CHECK_ERRC(is.reset(), errc::closed);
    forget_values(s);

    // Fresh again.
    chunked_source ok{in, {100}};
    got.clear();
    for (std::streamsize r; (r = io::read(s.filter, ok, block, sizeof block)) != -1;)
      got.append(block, static_cast<std::size_t>(r));
    io::close(s.filter, ok, std::ios_base::in);
    BOOST_TEST(gives<S>(plain, got));
    check_values(s, {plain});
  }
}

/**
 * Closing: a close of the direction not in use changes nothing, the close
 * of the direction in use ends the stream, and a second close ends a second,
 * empty one (what a fresh filter closed at once gives); a chain closed twice
 * closes its filter once. The values stay readable after the close.
 */
template <class S>
void check_close_twice() {
  if constexpr (writes<S>) {
    const std::string plain = text(5000, 6), in = S::input(plain);
    // What a fresh filter gives when closed with nothing written.
    S empty;
    std::string nothing;
    auto nothing_snk = io::back_inserter(nothing);
    const outcome empty_close =
        failure_of([&] { io::close(empty.filter, nothing_snk, std::ios_base::out); });

    S s;
    check_values(s, {}); // a fresh filter: the values of an empty stream, no call yet
    std::string out;
    auto snk = io::back_inserter(out);
    io::write(s.filter, snk, in.data(), static_cast<std::streamsize>(in.size()));
    io::close(s.filter, snk, std::ios_base::in); // not the direction in use
    io::close(s.filter, snk, std::ios_base::out);
    BOOST_TEST(gives<S>(plain, out));
    check_values(s, {plain});
    io::close(s.filter, snk, std::ios_base::in); // still nothing new
    check_values(s, {});

    // The next stream starts afresh.
    const std::string ab = S::input("ab");
    out.clear();
    io::write(s.filter, snk, ab.data(), static_cast<std::streamsize>(ab.size()));
    io::close(s.filter, snk, std::ios_base::out);
    BOOST_TEST(gives<S>("ab", out));
    check_values(s, {"ab"});
    const std::size_t first = out.size();
    const outcome again = failure_of([&] { io::close(s.filter, snk, std::ios_base::out); });
    BOOST_TEST(again.message == empty_close.message); // an empty stream, as a fresh filter's
    BOOST_TEST(out.substr(first) == nothing);
    BOOST_TEST(gives<S>("ab", out.substr(0, first)));
    check_values(s, {""});

    // A chain closed twice: the second close does nothing.
    std::string gz;
    io::filtering_ostream os;
    os.push(s.filter);
    os.push(io::back_inserter(gz));
    os.write(in.data(), static_cast<std::streamsize>(in.size()));
    io::close(os);
    const std::string once = gz;
    io::close(os);
    BOOST_TEST(gz == once);
    BOOST_TEST(gives<S>(plain, gz));
    check_values(s, {plain});
  }
  if constexpr (reads<S>) {
    // Input use, closed in both directions (in, then out): one stream, values kept.
    const std::string plain = text(5000, 7), in = S::input(plain);
    S s;
    chunked_source src{in, {1000}};
    std::string got;
    char block[333];
    for (std::streamsize r; (r = io::read(s.filter, src, block, sizeof block)) != -1;)
      got.append(block, static_cast<std::size_t>(r));
    BOOST_TEST(gives<S>(plain, got));
    if constexpr (std::is_base_of_v<pass_through, S>) {
      io::close(s.filter, src, std::ios_base::in | std::ios_base::out);
      check_values(s, {plain});
      io::close(s.filter, src, std::ios_base::in); // an empty input stream
      check_values(s, {""});
    } else {
      io::close(s.filter, src, std::ios_base::in);
    }
  }
}

/**
 * One filter pushed into a chain, reset, and pushed into another: each
 * stream starts afresh and the second stream's output is right (the same
 * as a fresh filter's), in both directions.
 */
template <class S>
void check_reset_and_reuse() {
  const std::vector<std::string> plains = {text(70000, 1), text(10, 2), std::string()};
  if constexpr (writes<S>) {
    S s;
    for (const std::string &plain : plains) {
      const std::string in = S::input(plain);
      bytesio::bytes_buf sink;
      io::filtering_ostream os;
      os.push(s.filter);
      os.push(bytesio::bytes_device(sink));
      os.write(in.data(), static_cast<std::streamsize>(in.size()));
      os.reset();
      const std::string got = str(sink.view());
      BOOST_TEST(gives<S>(plain, got));
      BOOST_TEST(got == write_through(S().filter, in)); // as a fresh filter's
      check_values(s, {plain});
    }
  }
  if constexpr (reads<S>) {
    S s;
    for (const std::string &plain : plains) {
      const std::string in = S::input(plain);
      io::filtering_istream is;
      is.push(s.filter);
      is.push(io::array_source(in.data(), in.size()));
      std::string got;
      io::copy(is, io::back_inserter(got));
      is.reset();
      BOOST_TEST(gives<S>(plain, got));
      check_values(s, {plain});
    }
  }
}

/** A plain push gives the filter the buffer it declares, in both directions. */
template <class S>
void check_declared_buffer_is_used() {
  const std::string in = S::input(random_bytes(std::size_t{1} << 20, 18));
  check_declared_buffer(S().filter, in, S::buffer);
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_FILTER_CONTRACT_HPP
