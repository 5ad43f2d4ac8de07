// SPDX-License-Identifier: BSL-1.0
// base64 throughput: bytesio's one-shot functions and filters against
// OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock, on the same 64 MiB in one run.
//
// Every rate is of binary bytes (the encoder's input, the decoder's
// output), so encode and decode figures compare. `GB/s` is 1e9 bytes per
// second of process CPU time (user + system, so page faults count): the
// machines this runs on are shared, and CPU time stays honest under load
// where real time does not; on an idle machine the two agree. `x_openssl` is
// OpenSSL's time over ours for the same direction (> 1: we are faster),
// against the `openssl_block` run (output buffer allocated once, OpenSSL's
// best case) and, for the one-shot functions, also against
// `openssl_to_string` (a fresh output string per call, as `base64_encode`
// must return). `codec` runs are the compiled core into a buffer allocated
// once: the like of `openssl_block`; `into` is base64_encode_into /
// base64_decode_into into such a buffer, `x_codec` the codec's time over
// its. base64_buffer_* push each filter with no size (the buffer it
// declares) and with explicit sizes.
#include "bytesio/base64_filters.hpp"

#include <benchmark/benchmark.h>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "support/data.hpp"
#include "support/rows.hpp"
#include "support/timing.hpp"

namespace {

constexpr std::size_t size = 64u << 20;
constexpr std::size_t coded_size = (size + 2) / 3 * 4;

const std::string &plain() {
  static const std::string data = bench::random_bytes(size);
  return data;
}

const std::string &coded() {
  static const std::string text = bytesio::base64_encode(plain());
  return text;
}

std::map<std::string, double> &seconds_of() {
  static std::map<std::string, double> m;
  return m;
}

// Runs `body` per iteration; records the time per call under `name` and
// reports the rate and, when `baseline` has run, the ratio against it.
template <class F>
void run(benchmark::State &state, const std::string &name, const char *baseline, F body) {
  const double per_call = bench::seconds_per_call(state, bench::process_cpu_seconds, body);
  seconds_of()[name] = per_call;
  bench::report_rate(state, size, per_call);
  if (baseline != nullptr) {
    if (auto it = seconds_of().find(baseline); it != seconds_of().end())
      state.counters["x_openssl"] = it->second / per_call;
  }
}

void encode_openssl_block(benchmark::State &state) {
  std::string out(coded_size + 1, '\0');
  run(state, "enc_openssl", nullptr, [&] {
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(plain().data()),
                                  static_cast<int>(size));
    benchmark::DoNotOptimize(n);
  });
}

void encode_openssl_to_string(benchmark::State &state) {
  run(state, "enc_openssl_str", nullptr, [&] {
    std::string out(coded_size + 1, '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                    reinterpret_cast<const unsigned char *>(plain().data()),
                    static_cast<int>(size));
    benchmark::DoNotOptimize(out.data());
  });
}

void encode_one_shot(benchmark::State &state) {
  run(state, "enc_ours", "enc_openssl", [&] {
    std::string out = bytesio::base64_encode(plain());
    benchmark::DoNotOptimize(out.data());
  });
  if (auto it = seconds_of().find("enc_openssl_str"); it != seconds_of().end())
    state.counters["x_openssl_str"] = it->second / seconds_of()["enc_ours"];
}

// The codec alone, into a buffer allocated once: the like of openssl_block.
void encode_codec(benchmark::State &state) {
  std::string out(coded_size + 64, '\0');
  run(state, "enc_codec", "enc_openssl", [&] {
    bytesio::detail::base64_encoder_core core{bytesio::base64_options{}};
    char *end = core.process(plain().data(), size, out.data());
    benchmark::DoNotOptimize(core.finish(end));
  });
  if (out.compare(0, coded_size, coded()) != 0)
    state.SkipWithError("codec output differs");
}

// Into memory the caller has: the codec plus the size check.
void encode_into(benchmark::State &state) {
  std::string out(coded_size, '\0');
  run(state, "enc_into", "enc_openssl", [&] {
    benchmark::DoNotOptimize(bytesio::base64_encode_into(std::as_bytes(std::span(plain())), out));
  });
  if (auto it = seconds_of().find("enc_codec"); it != seconds_of().end())
    state.counters["x_codec"] = it->second / seconds_of()["enc_into"];
  if (out != coded())
    state.SkipWithError("encode_into output differs");
}

void encode_filter(benchmark::State &state) {
  std::string out(coded_size, '\0');
  run(state, "enc_filter", "enc_openssl", [&] {
    boost::iostreams::filtering_ostream os;
    os.push(bytesio::base64_encoder());
    os.push(boost::iostreams::array_sink(out.data(), out.size()));
    os.write(plain().data(), static_cast<std::streamsize>(size));
    os.reset();
    benchmark::DoNotOptimize(out.data());
  });
  if (out != coded())
    state.SkipWithError("filter output differs");
}

void decode_openssl_block(benchmark::State &state) {
  std::string out(size + 3, '\0');
  run(state, "dec_openssl", nullptr, [&] {
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(coded().data()),
                                  static_cast<int>(coded().size()));
    benchmark::DoNotOptimize(n);
  });
}

void decode_openssl_to_string(benchmark::State &state) {
  run(state, "dec_openssl_str", nullptr, [&] {
    std::string out(size + 3, '\0');
    EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                    reinterpret_cast<const unsigned char *>(coded().data()),
                    static_cast<int>(coded().size()));
    benchmark::DoNotOptimize(out.data());
  });
}

void decode_one_shot(benchmark::State &state) {
  run(state, "dec_ours", "dec_openssl", [&] {
    bytesio::byte_vector out = bytesio::base64_decode(coded());
    benchmark::DoNotOptimize(out.data());
  });
  if (auto it = seconds_of().find("dec_openssl_str"); it != seconds_of().end())
    state.counters["x_openssl_str"] = it->second / seconds_of()["dec_ours"];
}

void decode_codec(benchmark::State &state) {
  std::string out(size + 64, '\0');
  run(state, "dec_codec", "dec_openssl", [&] {
    bytesio::detail::base64_decoder_core core{bytesio::base64_options{}};
    char *end = core.process(coded().data(), coded().size(), out.data());
    benchmark::DoNotOptimize(core.finish(end));
  });
  if (out.compare(0, size, plain()) != 0)
    state.SkipWithError("codec output differs");
}

void decode_into(benchmark::State &state) {
  std::vector<std::byte> out(size);
  run(state, "dec_into", "dec_openssl",
      [&] { benchmark::DoNotOptimize(bytesio::base64_decode_into(coded(), out)); });
  if (auto it = seconds_of().find("dec_codec"); it != seconds_of().end())
    state.counters["x_codec"] = it->second / seconds_of()["dec_into"];
  if (std::memcmp(out.data(), plain().data(), size) != 0)
    state.SkipWithError("decode_into output differs");
}

void decode_filter(benchmark::State &state) {
  std::string out(size, '\0');
  run(state, "dec_filter", "dec_openssl", [&] {
    boost::iostreams::filtering_ostream os;
    os.push(bytesio::base64_decoder());
    os.push(boost::iostreams::array_sink(out.data(), out.size()));
    os.write(coded().data(), static_cast<std::streamsize>(coded().size()));
    os.reset();
    benchmark::DoNotOptimize(out.data());
  });
  if (out != plain())
    state.SkipWithError("filter output differs");
}

void decode_filter_istream(benchmark::State &state) {
  std::string out(size, '\0');
  run(state, "dec_filter_in", "dec_openssl", [&] {
    boost::iostreams::filtering_istream is;
    is.push(bytesio::base64_decoder());
    is.push(boost::iostreams::array_source(coded().data(), coded().size()));
    is.read(out.data(), static_cast<std::streamsize>(size));
    benchmark::DoNotOptimize(out.data());
  });
  if (out != plain())
    state.SkipWithError("filter output differs");
}

// Default buffers: each filter pushed with no size (the buffer it declares,
// optimally_buffered_tag) against explicit sizes; range(0) is the size, 0
// for a plain push. The baseline row is the plain push.
template <class Filter>
void buffer_rows(benchmark::State &state, const char *name, const std::string &in,
                 const std::string &want) {
  const auto buffer = static_cast<std::streamsize>(state.range(0));
  std::string out(want.size(), '\0');
  run(state, std::string(name) + std::to_string(buffer), nullptr, [&] {
    boost::iostreams::filtering_ostream os;
    if (buffer > 0)
      os.push(Filter(), buffer);
    else
      os.push(Filter());
    os.push(boost::iostreams::array_sink(out.data(), out.size()));
    os.write(in.data(), static_cast<std::streamsize>(in.size()));
    os.reset();
    benchmark::DoNotOptimize(out.data());
  });
  state.SetLabel(buffer == 0 ? "baseline" : "");
  if (out != want)
    state.SkipWithError("filter output differs");
}

void buffer_encode(benchmark::State &state) {
  buffer_rows<bytesio::base64_encoder>(state, "enc_buffer", plain(), coded());
}

void buffer_decode(benchmark::State &state) {
  buffer_rows<bytesio::base64_decoder>(state, "dec_buffer", coded(), plain());
}

} // namespace

int main(int argc, char **argv) {
  bench::rows(bench::milliseconds, bench::real_time)
      .add("encode/openssl_block", encode_openssl_block)
      .add("encode/openssl_to_string", encode_openssl_to_string)
      .add("encode/one_shot", encode_one_shot)
      .add("encode/codec", encode_codec)
      .add("encode/into", encode_into)
      .add("encode/filter", encode_filter)
      .add("decode/openssl_block", decode_openssl_block)
      .add("decode/openssl_to_string", decode_openssl_to_string)
      .add("decode/one_shot", decode_one_shot)
      .add("decode/codec", decode_codec)
      .add("decode/into", decode_into)
      .add("decode/filter", decode_filter)
      .add("decode/filter_istream", decode_filter_istream);
  bench::rows(bench::milliseconds, bench::chain_buffer_sizes())
      .add("base64_buffer_encode/buffer", buffer_encode)
      .add("base64_buffer_decode/buffer", buffer_decode);
  return bench::run_main(argc, argv);
}
