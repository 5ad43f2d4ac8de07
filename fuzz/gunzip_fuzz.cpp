// SPDX-License-Identifier: BSL-1.0
// Target: gunzip_buf, random seeks and reads against the whole decompression.
//
// The references are igzip_inflate_engine fed the whole input (igzip_decompressor's
// engine: the rules and messages gunzip_buf promises) and zlib (the bytes).
// A gunzip_buf read from the start in one pass must give the engine's
// message where it fails (BGZF whose block sizes lie: a message of
// gunzip_buf's own, and the engine must fail too), and zlib's bytes: all of
// them where it succeeds, else a prefix of what zlib decodes before it
// meets the damage. Then random operations (seek from the start, the
// position or the end, read, readline, readinto, tell), on a buffer
// indexing as it goes and on one built from the first's index saved and
// loaded, must agree: every byte a read returns is zlib's byte at its
// offset, a read fails only with invalid_gzip and only where the one pass
// failed, the position moves as io.BytesIO says.
//
//   byte 0      spacing: 32 KiB << (byte % 4)
//   bytes 1-2   n: the gzip input is the next n bytes (u16)
//   the rest    operations, 4 bytes each: kind, then an argument (u8, u16)
//
// fuzz/make_gunzip_seeds.py writes the seeds in this encoding.

#include "bytesio/gunzip_buf.hpp"

#include "fuzz_common.hpp"
#include "support/engine_reference.hpp"
#include "support/zlib_reference.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>

namespace {

using bytesio::fuzz::die;

struct outcome {
  std::string bytes;
  std::string message; // empty: the input decoded
};

std::string message_of(const std::ios_base::failure &e) {
  if (bytesio::fuzz::error_of(e) != static_cast<int>(bytesio::errc::invalid_gzip))
    die("an error other than invalid_gzip", e.what());
  std::string m = e.what();
  // The component's name differs; the rest is the same message.
  for (const std::string_view name : {"igzip_decompressor: ", "gunzip_buf: "})
    if (const auto at = m.find(name); at != std::string::npos)
      m.erase(at, name.size());
  return m;
}

outcome reference(std::string_view gz) {
  bytesio::test::engine_decoding e = bytesio::test::engine_gunzip(gz);
  outcome r{std::move(e.bytes), {}};
  if (e.error) {
    try {
      std::rethrow_exception(e.error);
    } catch (const std::ios_base::failure &f) {
      r.message = message_of(f);
    }
  }
  return r;
}

std::string str(const bytesio::byte_vector &v) {
  return {reinterpret_cast<const char *>(v.data()), v.size()};
}

// Where damaged deflate data stops a decoder depends on how its calls were
// cut: the output of the call that finds the damage is dropped (up to 256
// KiB), and ISA-L may find it while decoding up to 64 KiB ahead into its own
// buffer. A decoding restarted elsewhere may stop this much sooner or later.
constexpr std::uint64_t error_slack = std::uint64_t{320} << 10;

// How the bytes a read returns are checked.
struct expected {
  std::string_view truth;  // the bytes at their offsets: zlib's decoding
  std::uint64_t n = 0;     // the one-pass length: where the end is, or the damage
  bool failed = false;     // the one pass ended in an error
  bool past_truth = false; // reads may go past `truth`: BGZF blocks after the damage,
                           // or past an incomplete Huffman code (isal_decodes_on)
};

// The random operations on `b`.
void operate(bytesio::gunzip_buf &b, const expected &ref, bytesio::fuzz::input ops,
             const char *which) {
  const std::uint64_t n = ref.n;
  const bool failed = ref.failed;
  std::uint64_t pos = 0;
  std::string trace = which;
  auto check_bytes = [&](const std::string &got, std::uint64_t at) {
    const std::uint64_t t = ref.truth.size();
    const std::uint64_t known = at >= t ? 0 : std::min<std::uint64_t>(got.size(), t - at);
    if (ref.truth.compare(at < t ? at : t, known, std::string_view(got).substr(0, known)) != 0)
      die("read bytes that differ from zlib's decoding", trace);
    if (known != got.size() && !ref.past_truth)
      die("read bytes past the end of zlib's decoding", trace);
  };
  std::uint64_t wanted_end = 0; // the end of what the current operation asked for
  while (!ops.empty()) {
    const std::uint8_t kind = ops.u8() % 6;
    const std::uint8_t small = ops.u8();
    const std::uint16_t arg = ops.u16();
    trace += " " + std::to_string(kind) + ":" + std::to_string(arg) + "@" + std::to_string(pos);
    try {
      switch (kind) {
      case 0: { // seek from the start, up to twice the length
        const std::uint64_t to = n == 0 ? arg : (std::uint64_t{arg} << small % 16) % (2 * n + 1);
        pos = b.seek(static_cast<std::int64_t>(to));
        if (pos != to)
          die("seek(beg) moved elsewhere", trace);
        break;
      }
      case 1: { // from the position or the end, either way
        const std::int64_t by = std::int64_t{arg} * (small & 1 ? 1 : -1) << (small >> 1) % 12;
        const auto dir = small & 0x80 ? std::ios_base::end : std::ios_base::cur;
        const std::uint64_t base = dir == std::ios_base::end ? n : pos;
        if (failed && dir == std::ios_base::end) {
          // The length is past the damage (an error), or, for BGZF, in the
          // block headers, which may claim a length the data does not reach.
          wanted_end = n;
          pos = b.seek(by, dir);
          break;
        }
        const std::uint64_t want =
            by < 0 && std::uint64_t(-by) > base ? 0 : base + static_cast<std::uint64_t>(by);
        pos = b.seek(by, dir);
        if (pos != want)
          die("seek(cur/end) moved elsewhere", trace);
        break;
      }
      case 2: {
        wanted_end = pos + (std::size_t{arg} << small % 8);
        const std::string got = str(b.read(std::size_t{arg} << small % 8));
        check_bytes(got, pos);
        if (!failed && got.size() != std::min<std::uint64_t>(std::size_t{arg} << small % 8,
                                                             pos < n ? n - pos : 0))
          die("read returned short", trace);
        pos += got.size();
        break;
      }
      case 3: {
        wanted_end = n; // a line may reach any way
        const std::string got = str(b.readline(small % 2 ? arg : bytesio::gunzip_buf::npos));
        check_bytes(got, pos);
        pos += got.size();
        break;
      }
      case 4: {
        std::string out(arg % 4096, '\0');
        wanted_end = pos + out.size();
        const std::size_t k = b.readinto(std::as_writable_bytes(std::span(out)));
        out.resize(k);
        check_bytes(out, pos);
        pos += k;
        break;
      }
      default:
        if (b.tell() != pos)
          die("tell disagrees", trace);
      }
    } catch (const std::ios_base::failure &e) {
      message_of(e);
      if (!failed)
        die("a read of an input that decodes failed", trace + ": " + e.what());
      if (b.tell() != pos)
        die("a failed operation moved the position", trace);
      if (wanted_end + error_slack < n)
        die("a read failed well before the damage", trace + ": " + e.what());
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  bytesio::fuzz::input in(data, size);
  const std::uint64_t spacing = bytesio::gzip_index::window_size << (in.u8() % 4);
  const auto gz_bytes = in.bytes(in.u16());
  const std::string_view gz(reinterpret_cast<const char *>(gz_bytes.data()), gz_bytes.size());
  const outcome ref = reference(gz);

  // One pass from the start: the reference's bytes and message.
  outcome seq;
  bool constructed = false;
  try {
    bytesio::gunzip_buf b(gz_bytes, {.spacing = spacing});
    constructed = true;
    for (;;) {
      const bytesio::byte_vector got = b.read(4093);
      if (got.empty())
        break;
      seq.bytes += str(got);
    }
  } catch (const std::ios_base::failure &e) {
    seq.message = message_of(e);
  }
  // BGZF whose block sizes lie is refused by gunzip_buf, which reads it by
  // its blocks, with a message of its own; igzip_decompressor reads the
  // members as they decode and must refuse it too.
  const bool lying_blocks = seq.message.find("does not match the data") != std::string::npos;
  if (lying_blocks ? ref.message.empty() : seq.message != ref.message)
    die("the one-pass message differs from igzip_decompressor's",
        "'" + seq.message + "' vs '" + ref.message + "'");
  if (ref.message.empty() && seq.bytes != ref.bytes)
    die("the one-pass bytes differ from igzip_decompressor's", "");
  const bytesio::test::zlib_decoding z = bytesio::test::zlib_gunzip(gz);
  const bool on = bytesio::test::isal_decodes_on(z); // then zlib is a reference only so far
  const bool failed = !seq.message.empty();
  if (!on && !failed && (!z.ok || z.bytes != seq.bytes))
    die("the one-pass decoding differs from zlib's", z.ok ? "other bytes" : z.message);
  const std::size_t known = on ? std::min(seq.bytes.size(), z.bytes.size()) : seq.bytes.size();
  if (failed && !z.bytes.starts_with(std::string_view(seq.bytes).substr(0, known)))
    die("the one pass returned bytes zlib does not decode before the damage",
        std::to_string(seq.bytes.size()) + " bytes, zlib " + std::to_string(z.bytes.size()));
  if (!constructed)
    return 0;

  bytesio::gunzip_buf b(gz_bytes, {.spacing = spacing});
  // BGZF: the constructor walked the block headers, so a seek may land in a
  // block after the damage and read right bytes that zlib never reaches.
  const bool blocks_walked = b.index().size() > 1;
  // Lying BGZF block sizes put blocks at other offsets than zlib's (which
  // reads by the deflate data): there the one pass is the reference.
  const expected want{.truth =
                          lying_blocks ? std::string_view(seq.bytes) : std::string_view(z.bytes),
                      .n = seq.bytes.size(),
                      .failed = failed,
                      .past_truth = on || (failed && blocks_walked)};
  operate(b, want, in, "indexing:");

  // The index saved and loaded serves the same reads.
  if (failed)
    return 0;
  bytesio::gunzip_buf whole(gz_bytes, {.spacing = spacing});
  std::stringstream saved;
  whole.build_index().save(saved);
  bytesio::gunzip_buf loaded(gz_bytes, bytesio::gzip_index::load(saved));
  if (loaded.size() != seq.bytes.size())
    die("the loaded index gives another size", "");
  bytesio::fuzz::input again(data, size);
  again.bytes(3 + gz_bytes.size());
  operate(loaded, {.truth = seq.bytes, .n = seq.bytes.size()}, again, "loaded:");
  return 0;
}
