// SPDX-License-Identifier: BSL-1.0
// Target: gunzip_buf, random seeks and reads against the whole decompression.
//
// The reference is igzip_inflate_engine fed the whole input (igzip_decompressor's
// engine: the rules and messages gunzip_buf promises). A gunzip_buf read from
// the start in one pass must give the reference's bytes and, where the
// reference fails, its message (BGZF whose block sizes lie: a message of
// gunzip_buf's own, and the reference must fail too). Then random operations (seek from the start,
// the position or the end, read, readline, readinto, tell), on a buffer
// indexing as it goes and on one built from the first's index saved and
// loaded, must agree with the bytes of that pass: every byte a read returns
// is the byte at its offset, a read fails only with invalid_gzip and only
// where the reference failed, the position moves as io.BytesIO says.
//
//   byte 0      spacing: 32 KiB << (byte % 4)
//   bytes 1-2   n: the gzip input is the next n bytes (u16)
//   the rest    operations, 4 bytes each: kind, then an argument (u8, u16)
//
// fuzz/make_gunzip_seeds.py writes the seeds in this encoding.

#include "bytesio/detail/igzip_engine.hpp"
#include "bytesio/gunzip_buf.hpp"

#include "fuzz_common.hpp"

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
  outcome r;
  bytesio::detail::igzip_inflate_engine engine;
  std::string out(std::max<std::size_t>(4096, 4 * gz.size()), '\0');
  const char *p = gz.data();
  char *d = out.data();
  try {
    for (;;) {
      const auto used = static_cast<std::size_t>(d - out.data());
      if (used == out.size()) {
        out.resize(2 * out.size());
        d = out.data() + used;
      }
      if (!engine.filter(p, gz.data() + gz.size(), d, out.data() + out.size(), true))
        break;
    }
  } catch (const std::ios_base::failure &e) {
    r.message = message_of(e);
  }
  out.resize(static_cast<std::size_t>(d - out.data()));
  r.bytes = std::move(out);
  return r;
}

std::string str(const bytesio::byte_vector &v) {
  return {reinterpret_cast<const char *>(v.data()), v.size()};
}

// Where damaged deflate data stops a decoder depends on how its calls were
// cut (ISA-L drops what its last call decoded into its own buffer): a
// decoding restarted elsewhere may stop this much sooner or later.
constexpr std::uint64_t error_slack = std::uint64_t{96} << 10;

// The random operations on `b`; `seq` is the one-pass decoding, `failed`
// whether it ended in an error.
void operate(bytesio::gunzip_buf &b, const std::string &seq, bool failed, bytesio::fuzz::input ops,
             const char *which) {
  const std::uint64_t n = seq.size();
  std::uint64_t pos = 0;
  std::string trace = which;
  auto check_bytes = [&](const std::string &got, std::uint64_t at) {
    const std::uint64_t known = at >= n ? 0 : std::min<std::uint64_t>(got.size(), n - at);
    if (seq.compare(at < n ? at : n, known, got, 0, known) != 0)
      die("read bytes that differ from the one-pass decoding", trace);
    if (!failed && known != got.size())
      die("read bytes past the end", trace);
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
  if (!constructed)
    return 0;
  const bool failed = !seq.message.empty();

  bytesio::gunzip_buf b(gz_bytes, {.spacing = spacing});
  operate(b, seq.bytes, failed, in, "indexing:");

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
  operate(loaded, seq.bytes, false, again, "loaded:");
  return 0;
}
