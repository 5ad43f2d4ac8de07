// SPDX-License-Identifier: BSL-1.0
// gunzip_buf and gzip_index: random access into gzip in memory.
//
// The reference for every byte is zlib (the inputs are written by zlib, by
// ISA-L through igzip_compressor, and by the gzip tool); the reference for
// every error is igzip_decompressor, whose messages and offsets gunzip_buf
// promises to give. Indexes are checked against Python's indexed_gzip
// (Debian's python3-indexed-gzip), both ways.

#include "bytesio/gunzip_buf.hpp"

#define BOOST_TEST_MODULE gunzip
#include "support/unit_test.hpp"

#include "bytesio/igzip.hpp"
#include "support/gzip_peers.hpp"
#include "support/zlib_reference.hpp"

#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace io = boost::iostreams;
using bytesio::errc;
using bytesio::gunzip_buf;
using bytesio::gunzip_options;
using bytesio::gunzip_stream;
using bytesio::gzip_index;
using namespace bytesio::test;

namespace {

constexpr std::uint64_t min_spacing = gzip_index::window_size;

std::span<const std::byte> span_of(const std::string &s) { return std::as_bytes(std::span(s)); }

/** One gzip member by zlib with a deflate strategy (stored blocks at level 0, fixed codes, RLE). */
std::string zlib_gzip_with(const std::string &data, int level, int strategy) {
  z_stream z{};
  BOOST_REQUIRE(deflateInit2(&z, level, Z_DEFLATED, 31, 8, strategy) == Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  BOOST_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/** gzip by ISA-L, through igzip_compressor (`threads > 1`: blocks ending in empty stored blocks).
 */
std::string isal_gzip(const std::string &data, int level, unsigned threads = 1) {
  std::string out;
  io::filtering_ostream os;
  os.push(bytesio::igzip_compressor(level, threads));
  os.push(io::back_inserter(out));
  os.write(data.data(), static_cast<std::streamsize>(data.size()));
  os.reset();
  return out;
}

/** What `f()` throws, as "code: message", or "" if nothing. */
template <class F>
std::string failure_of(F &&f) {
  try {
    f();
  } catch (const std::ios_base::failure &e) {
    return e.code().message() + ": " + e.what();
  }
  return "";
}

/** The message igzip_decompressor gives for `gz` (under gunzip_buf's name), or "". */
std::string igzip_failure(const std::string &gz) {
  std::string msg = failure_of([&] {
    io::filtering_istream in;
    in.push(bytesio::igzip_decompressor());
    in.push(io::array_source(gz.data(), gz.size()));
    in.exceptions(std::ios_base::badbit);
    char sink[65536];
    while (in.read(sink, sizeof sink) || in.gcount() > 0) {
    }
  });
  const std::string from = "igzip_decompressor:", to = "gunzip_buf:";
  for (std::size_t at; (at = msg.find(from)) != std::string::npos;)
    msg.replace(at, from.size(), to);
  return msg;
}

/** Reads all of `gz` through a gunzip_buf in reads of `step` bytes: the bytes, then the failure. */
std::pair<std::string, std::string> read_all(const std::string &gz, std::size_t step,
                                             gunzip_options options = {}) {
  std::string out;
  const std::string failure = failure_of([&] {
    gunzip_buf b(span_of(gz), options);
    for (;;) {
      const bytesio::byte_vector got = b.read(step);
      if (got.empty())
        break;
      out += str(got);
    }
  });
  return {out, failure};
}

/** Text with three members (zlib -1, zlib -9, ISA-L -1), a few MiB. */
struct three_members {
  std::string text = csv_text(3u << 20, 7);
  std::size_t cut1 = 1u << 20, cut2 = (2u << 20) + 12345;
  std::string gz = zlib_gzip(text.substr(0, cut1), 1) +
                   zlib_gzip(text.substr(cut1, cut2 - cut1), 9) + isal_gzip(text.substr(cut2), 1);
};

const three_members &sample() {
  static const three_members s;
  return s;
}

/** The saved bytes of an index. */
std::string saved(const gzip_index &x) {
  std::ostringstream out;
  x.save(out);
  return out.str();
}

gzip_index loaded(const std::string &bytes) {
  std::istringstream in(bytes);
  return gzip_index::load(in);
}

/** A reference file-like reader over the plain text: the io.BytesIO rules. */
struct model {
  const std::string &text;
  std::uint64_t pos = 0;
  std::string read(std::size_t n) {
    if (pos >= text.size())
      return "";
    const std::string s = text.substr(static_cast<std::size_t>(pos), n);
    pos += s.size();
    return s;
  }
  std::string readline(std::size_t limit) {
    if (pos >= text.size())
      return "";
    const std::size_t at = static_cast<std::size_t>(pos);
    std::size_t nl = text.find('\n', at);
    std::size_t n = nl == std::string::npos ? text.size() - at : nl + 1 - at;
    n = std::min(n, limit);
    pos += n;
    return text.substr(at, n);
  }
};

} // namespace

// ---- reading it all ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(reads_what_zlib_wrote_every_block_kind) {
  const std::string text = csv_text(600000, 3) + random_bytes(100000, 5) + std::string(300000, 'z');
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"zlib -6", zlib_gzip(text, 6)},
      {"zlib -0 (stored blocks)", zlib_gzip_with(text, 0, Z_DEFAULT_STRATEGY)},
      {"zlib fixed codes", zlib_gzip_with(text, 6, Z_FIXED)},
      {"zlib RLE", zlib_gzip_with(text, 6, Z_RLE)},
      {"zlib Huffman only", zlib_gzip_with(text, 6, Z_HUFFMAN_ONLY)},
      {"ISA-L -3", isal_gzip(text, 3)},
      {"ISA-L -1, 2 threads (empty stored blocks)", isal_gzip(text, 1, 2)},
      {"gzip -9 with a name", gzip_tool(text, "-9")},
  };
  for (const auto &[name, gz] : inputs) {
    BOOST_TEST_CONTEXT(name) {
      for (const std::uint64_t spacing :
           {min_spacing, std::uint64_t{100000}, std::uint64_t{1} << 20}) {
        BOOST_TEST_CONTEXT("spacing " << spacing) {
          const auto [out, failure] = read_all(gz, 70001, {.spacing = spacing});
          BOOST_TEST(failure == "");
          BOOST_TEST((out == text));
          gunzip_buf b(span_of(gz), {.spacing = spacing});
          BOOST_TEST(b.build_index().complete());
          BOOST_TEST(b.index().uncompressed_size() == text.size());
          BOOST_TEST(b.size() == text.size());
          // Points one spacing apart at least, one at the start, one at the end.
          BOOST_TEST(b.index().size() >= 2u);
          BOOST_TEST(b.index().size() <= text.size() / spacing + 2);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_point_restarts_right) {
  // Reads across each point after seeking to just before and just after it.
  const auto &s = sample();
  gunzip_buf b(span_of(s.gz), {.spacing = min_spacing});
  b.build_index();
  std::vector<std::uint64_t> outs;
  {
    // The points' offsets, from the saved index (the format is public).
    const std::string x = saved(b.index());
    std::uint32_t n = 0;
    std::memcpy(&n, x.data() + 31, 4);
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint64_t out = 0;
      std::memcpy(&out, x.data() + 35 + 18 * i + 8, 8);
      outs.push_back(out);
    }
  }
  BOOST_TEST(outs.size() == b.index().size());
  BOOST_TEST(outs.size() > 25u); // block ends at least 32 KiB apart over 3 MiB
  for (const std::uint64_t at : outs) {
    for (const std::int64_t delta : {-3, 0, 5}) {
      const auto pos =
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::int64_t(at) + delta));
      b.seek(std::int64_t(pos));
      const std::string got = str(b.read(10));
      BOOST_TEST((got == s.text.substr(std::min<std::size_t>(pos, s.text.size()), 10)));
    }
  }
}

// ---- differential: seeded random operations against the plain text -----------

BOOST_AUTO_TEST_CASE(random_seeks_and_reads_match_the_text) {
  const auto &s = sample();
  const std::uint64_t n = s.text.size();
  std::size_t ops = 0;
  for (const unsigned seed : {1u, 2u, 3u}) {
    gunzip_buf b(span_of(s.gz), {.spacing = seed == 1 ? min_spacing : std::uint64_t{1} << 20});
    model m{s.text};
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 1500; ++i, ++ops) {
      BOOST_TEST_CONTEXT("seed " << seed << " op " << i << " at " << m.pos) {
        switch (rng() % 8) {
        case 0: { // seek from the start, sometimes past the end
          const std::uint64_t to = rng() % (n + n / 10);
          BOOST_TEST(b.seek(std::int64_t(to)) == to);
          m.pos = to;
          break;
        }
        case 1: { // from the position, either way
          const std::int64_t by = std::int64_t(rng() % 400000) - 200000;
          const std::uint64_t want =
              by < 0 && std::uint64_t(-by) > m.pos ? 0 : m.pos + static_cast<std::uint64_t>(by);
          BOOST_TEST(b.seek(by, std::ios_base::cur) == want);
          m.pos = want;
          break;
        }
        case 2: { // from the end
          const std::int64_t by = std::int64_t(rng() % 300000) - 250000;
          const std::uint64_t want =
              by < 0 && std::uint64_t(-by) > n ? 0 : n + static_cast<std::uint64_t>(by);
          BOOST_TEST(b.seek(by, std::ios_base::end) == want);
          m.pos = want;
          break;
        }
        case 3:
        case 4: {
          const std::size_t k = rng() % 3 == 0 ? rng() % 16 : rng() % 300000;
          BOOST_TEST((str(b.read(k)) == m.read(k)));
          break;
        }
        case 5: {
          const std::size_t limit = rng() % 2 ? gunzip_buf::npos : rng() % 50;
          BOOST_TEST((str(b.readline(limit)) == m.readline(limit)));
          break;
        }
        case 6: {
          std::string out(rng() % 5000, '.');
          const std::size_t got = b.readinto(std::as_writable_bytes(std::span(out)));
          const std::string want = m.read(out.size());
          BOOST_TEST(got == want.size());
          BOOST_TEST((out.substr(0, got) == want));
          break;
        }
        default:
          BOOST_TEST(b.tell() == m.pos);
        }
      }
    }
  }
  BOOST_TEST_MESSAGE(ops << " random operations matched the text");
}

BOOST_AUTO_TEST_CASE(stream_getline_seekg_tellg) {
  const auto &s = sample();
  gunzip_stream in(span_of(s.gz), {.spacing = min_spacing});
  std::mt19937_64 rng(11);
  for (int i = 0; i < 300; ++i) {
    const auto to = static_cast<std::streamoff>(rng() % s.text.size());
    in.clear();
    BOOST_REQUIRE(in.seekg(to));
    BOOST_TEST(std::streamoff(in.tellg()) == to);
    std::string line;
    BOOST_REQUIRE(std::getline(in, line));
    const std::size_t nl = s.text.find('\n', static_cast<std::size_t>(to));
    BOOST_TEST(
        (line == s.text.substr(static_cast<std::size_t>(to), nl - static_cast<std::size_t>(to))));
    char c = 0;
    if (in.get(c)) {
      BOOST_TEST(c == s.text[nl + 1]);
      BOOST_TEST(bool(in.unget())); // the byte just read steps back
    }
  }
  in.clear();
  in.seekg(0, std::ios_base::end);
  BOOST_TEST(std::streamoff(in.tellg()) == std::streamoff(s.text.size()));
  // Everything, in one pass of std::istream reads.
  in.seekg(0);
  std::string all(s.text.size() + 10, '\0');
  in.read(all.data(), std::streamsize(all.size()));
  BOOST_TEST(std::size_t(in.gcount()) == s.text.size());
  all.resize(std::size_t(in.gcount()));
  BOOST_TEST((all == s.text));
  BOOST_TEST(in.eof());
  // Output fails: a read-only buffer.
  in.clear();
  BOOST_TEST(in.rdbuf()->sputc('x') == std::char_traits<char>::eof());
  // Moves keep the stream's buffer and position.
  in.seekg(1000);
  gunzip_stream moved(std::move(in));
  std::string five(5, '\0');
  moved.read(five.data(), 5);
  BOOST_TEST((five == s.text.substr(1000, 5)));
}

// ---- the index ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(index_grows_as_reads_go_and_completes) {
  const auto &s = sample();
  gunzip_buf b(span_of(s.gz), {.spacing = 65536});
  BOOST_TEST(b.index().size() == 1u); // the first member's start
  BOOST_TEST(!b.index().complete());
  BOOST_TEST(b.index().spacing() == 65536u);
  BOOST_TEST(b.index().compressed_size() == s.gz.size());
  b.read(500000);
  const std::size_t some = b.index().size();
  BOOST_TEST(some >= 4u);
  BOOST_TEST(!b.index().complete());
  BOOST_TEST(b.index().uncompressed_size() == 0u);
  b.seek(0, std::ios_base::end); // needs the size: indexes to the end
  BOOST_TEST(b.index().complete());
  BOOST_TEST(b.index().uncompressed_size() == s.text.size());
  BOOST_TEST(b.index().size() > some);
  // 32 KiB per point and little more.
  BOOST_TEST(b.index().memory() >= b.index().size() * gzip_index::window_size - 3 * 32768);
  BOOST_TEST(b.index().memory() <= (b.index().size() + 1) * (gzip_index::window_size + 128));
}

BOOST_AUTO_TEST_CASE(index_memory_at_1mib_spacing_is_within_3_2_percent) {
  const std::string text = csv_text(24u << 20, 9);
  const std::string gz = isal_gzip(text, 1);
  gunzip_buf b(span_of(gz));
  b.build_index();
  const double ratio = double(b.index().memory()) / double(text.size());
  BOOST_TEST_MESSAGE("index: " << b.index().size() << " points, " << b.index().memory()
                               << " bytes, " << 100 * ratio << "% of the output");
  BOOST_TEST(ratio <= 0.032);
}

BOOST_AUTO_TEST_CASE(saved_index_loads_and_serves_the_same_reads) {
  const auto &s = sample();
  gunzip_buf built(span_of(s.gz), {.spacing = min_spacing});
  built.build_index();
  const std::string bytes = saved(built.index());
  const gzip_index x = loaded(bytes);
  BOOST_TEST(x.size() == built.index().size());
  BOOST_TEST(x.complete());
  BOOST_TEST(x.uncompressed_size() == s.text.size());
  BOOST_TEST(x.spacing() == min_spacing);
  BOOST_TEST(saved(x) == bytes); // a round trip writes the same bytes

  gunzip_buf b(span_of(s.gz), x);
  BOOST_TEST(b.size() == s.text.size()); // known from the index: nothing to decode
  std::mt19937_64 rng(5);
  for (int i = 0; i < 400; ++i) {
    const std::uint64_t at = rng() % s.text.size();
    const std::size_t k = rng() % 100000;
    b.seek(std::int64_t(at));
    BOOST_TEST((str(b.read(k)) == s.text.substr(at, k)));
  }
}

BOOST_AUTO_TEST_CASE(partial_index_continues_to_the_same_points) {
  // An index saved half-way, loaded and completed by another buffer, is the
  // index built in one pass.
  const auto &s = sample();
  gunzip_buf whole(span_of(s.gz), {.spacing = 50000});
  const std::string complete_bytes = saved(whole.build_index());
  gunzip_buf half(span_of(s.gz), {.spacing = 50000});
  half.read(1500000);
  const gzip_index part = loaded(saved(half.index()));
  BOOST_TEST(!part.complete());
  gunzip_buf rest(span_of(s.gz), part);
  rest.seek(2500000); // past the loaded points: decodes forward from the last
  BOOST_TEST((str(rest.read(100)) == s.text.substr(2500000, 100)));
  BOOST_TEST(saved(rest.build_index()) == complete_bytes);
}

BOOST_AUTO_TEST_CASE(index_of_other_data_is_refused) {
  const auto &s = sample();
  gunzip_buf b(span_of(s.gz), {.spacing = min_spacing});
  const gzip_index x = b.build_index();
  const std::string good = saved(x);
  BOOST_REQUIRE_NO_THROW((void)gunzip_buf(span_of(s.gz), loaded(good)));
  // Inputs of other sizes.
  const std::string shorter = s.gz.substr(0, s.gz.size() - 1);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(shorter), x), errc::invalid_argument);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(zlib_gzip("abc", 6)), x), errc::invalid_argument);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(s.gz), gzip_index{}), errc::invalid_argument);
  // Indexes that fit the size but not the data (the GZIDX fields patched).
  auto patched = [&](std::size_t at, std::uint64_t value, std::size_t width) {
    std::string y = good;
    for (std::size_t i = 0; i < width; ++i)
      y[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
    return loaded(y);
  };
  const std::size_t n = x.size();
  const std::size_t last = 35 + 18 * (n - 1); // the point at the end of the input
  // A longer output: the header's size and the last point's offset say one more byte.
  std::string longer = good;
  {
    const std::uint64_t size = s.text.size() + 1;
    for (std::size_t i = 0; i < 8; ++i) {
      longer[15 + i] = static_cast<char>((size >> (8 * i)) & 0xFF);
      longer[last + 8 + i] = static_cast<char>((size >> (8 * i)) & 0xFF);
    }
  }
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(s.gz), loaded(longer)), errc::invalid_argument);
  // The first point not where the first member's data starts.
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(s.gz), patched(35, 11, 8)), errc::invalid_argument);
  // The last point that decodes moved by a bit: decoding from it fails, or ends elsewhere.
  const std::size_t before_last = 35 + 18 * (n - 2);
  std::uint64_t cmp = 0;
  std::memcpy(&cmp, good.data() + before_last, 8);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(s.gz), patched(before_last, cmp + 3, 8)),
                     errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(garbage_index_is_invalid_argument) {
  const auto &s = sample();
  gunzip_buf b(span_of(s.gz), {.spacing = 65536});
  const std::string good = saved(b.build_index());
  BOOST_REQUIRE_NO_THROW(loaded(good));
  // Every cut of the header and point table, and cuts in the windows.
  for (std::size_t cut = 0; cut < good.size(); cut += cut < 2000 ? 1 : 4099)
    BOOST_TEST_CONTEXT("cut at " << cut) {
      BYTESIO_CHECK_ERRC(loaded(good.substr(0, cut)), errc::invalid_argument);
    }
  auto patched = [&](std::size_t at, std::string_view bytes) {
    std::string x = good;
    x.replace(at, bytes.size(), bytes);
    return x;
  };
  BYTESIO_CHECK_ERRC(loaded(patched(0, "GZIDY")), errc::invalid_argument);
  BYTESIO_CHECK_ERRC(loaded(patched(5, "\x02")), errc::invalid_argument);     // version
  BYTESIO_CHECK_ERRC(loaded(patched(27, std::string("\x00\x00\x01\x00", 4))), // window 65536
                     errc::invalid_argument);
  BYTESIO_CHECK_ERRC(loaded(patched(23, std::string("\x10\x00\x00\x00", 4))), // spacing 16
                     errc::invalid_argument);
  BYTESIO_CHECK_ERRC(loaded(patched(35 + 18 + 16, "\x09")), errc::invalid_argument); // bits 9
  // Point 2 before point 1.
  BYTESIO_CHECK_ERRC(loaded(patched(35 + 2 * 18, std::string(8, '\0'))), errc::invalid_argument);
  // A point count far beyond the file: refused when the table runs out, not allocated.
  BYTESIO_CHECK_ERRC(loaded(patched(31, "\xff\xff\xff\x7f")), errc::invalid_argument);
  BYTESIO_CHECK_ERRC(loaded(std::string("not an index at all")), errc::invalid_argument);
}

// ---- bad input: the errors igzip_decompressor gives, and every byte before them right ----

BOOST_AUTO_TEST_CASE(truncation_at_every_cut_of_a_small_member) {
  const std::string text = csv_text(40000, 4) + csv_text(3000, 5);
  const std::string first = zlib_gzip(text.substr(0, 40000), 6);
  const std::string gz = first + zlib_gzip(text.substr(40000), 9);
  std::size_t failed = 0;
  for (std::size_t cut = 0; cut < gz.size(); ++cut) {
    BOOST_TEST_CONTEXT("cut at " << cut) {
      const std::string part = gz.substr(0, cut);
      const std::string want = igzip_failure(part);
      const auto [out, failure] = read_all(part, 4096);
      BOOST_TEST(failure == want);
      BOOST_TEST((out == text.substr(0, out.size()))); // every byte returned is right
      if (want.empty())                                // only between the members
        BOOST_TEST((cut == first.size() && out == text.substr(0, 40000)));
      failed += !failure.empty();
    }
  }
  BOOST_TEST(failed == gz.size() - 1);
}

BOOST_AUTO_TEST_CASE(truncation_at_many_cuts_of_a_large_member) {
  const std::string text = csv_text(4u << 20, 8);
  const std::string gz = isal_gzip(text, 1);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 60; ++i) {
    const std::size_t cut = rng() % gz.size();
    BOOST_TEST_CONTEXT("cut at " << cut) {
      const std::string part = gz.substr(0, cut);
      const auto [out, failure] = read_all(part, 1u << 20, {.spacing = min_spacing});
      BOOST_TEST(failure == igzip_failure(part));
      BOOST_TEST(failure.find("truncated input") != std::string::npos);
      BOOST_TEST((out == text.substr(0, out.size())));
    }
  }
}

BOOST_AUTO_TEST_CASE(corrupt_crc_isize_data_header_and_garbage) {
  const std::string text = csv_text(300000, 6);
  const std::string good = zlib_gzip(text, 6);
  auto flipped = [&](std::size_t at, unsigned char mask = 0x01) {
    std::string x = good;
    x[at] = static_cast<char>(x[at] ^ mask);
    return x;
  };
  zlib_header h;
  h.hcrc = true;
  h.name = "n";
  const std::string with_hcrc = zlib_gzip(text, 6, &h);
  std::string bad_hcrc = with_hcrc;
  bad_hcrc[12] = static_cast<char>(bad_hcrc[12] ^ 1);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"CRC-32", flipped(good.size() - 8)},
      {"ISIZE", flipped(good.size() - 2)},
      {"deflate data", flipped(good.size() / 2, 0xFF)},
      {"magic", flipped(1)},
      {"method", flipped(2)},
      {"reserved flag", flipped(3, 0x80)},
      {"header CRC", bad_hcrc},
      {"trailing garbage", good + "x"},
      {"trailing zeros", good + std::string(10, '\0')},
      {"empty", ""},
      {"header only", good.substr(0, 10)},
  };
  for (const auto &[name, gz] : cases) {
    BOOST_TEST_CONTEXT(name) {
      const std::string want = igzip_failure(gz);
      BOOST_TEST(!want.empty());
      for (const std::size_t step : {std::size_t{1000}, std::size_t{1} << 20}) {
        const auto [out, failure] = read_all(gz, step, {.spacing = min_spacing});
        BOOST_TEST(failure == want);
        // Damaged deflate data may decode to wrong bytes before anything
        // notices (the CRC-32 at the end, at the latest), for any decoder:
        // then the bytes are what zlib decodes before it notices.
        if (name != "deflate data")
          BOOST_TEST((out == text.substr(0, out.size())));
        else
          BOOST_TEST(is_prefix(out, zlib_gunzip(gz).bytes));
      }
    }
  }
  // The data before the damage reads; the read that reaches it fails.
  const std::string bad_crc = flipped(good.size() - 8);
  gunzip_buf b(span_of(bad_crc));
  BOOST_TEST((str(b.read(text.size())) == text));
  BYTESIO_CHECK_ERRC(b.read(1), errc::invalid_gzip);
  BOOST_TEST(b.tell() == text.size());
  // Through a stream: badbit.
  gunzip_stream in(span_of(bad_crc));
  std::string all(text.size() + 1, '\0');
  in.read(all.data(), std::streamsize(all.size()));
  BOOST_TEST(in.bad());
}

BOOST_AUTO_TEST_CASE(bytes_before_damage_are_zlibs) {
  // ISA-L's inflate may write bytes decoded from past the damage in the call
  // that reports it: none of them is returned, for any read size or
  // spacing, nor after seeks (with threads: see
  // threads_stop_at_damage_with_zlibs_bytes). The reference is what zlib
  // decodes before it meets the damage; the reads stop short of it by at
  // most a decoding step (256 KiB) and what ISA-L decodes ahead into its own
  // buffer (64 KiB). Reads of 100 bytes end inside what the failing call
  // wrote past the damage, where it was kept.
  constexpr std::size_t most_short = std::size_t{320} << 10;
  std::mt19937_64 rng(11);
  int rejected = 0;
  for (const std::string &gz : damaged_gzips(100, 2)) {
    const auto z = zlib_gunzip(gz);
    rejected += z.ok ? 0 : 1;
    for (const std::uint64_t spacing : {min_spacing, std::uint64_t{1} << 20}) {
      for (const std::size_t step : {std::size_t{100}, std::size_t{1} << 20}) {
        BOOST_TEST_CONTEXT("spacing " << spacing << ", reads of " << step << ", zlib stops after "
                                      << z.bytes.size()) {
          const auto [out, failure] = read_all(gz, step, {.spacing = spacing});
          BOOST_TEST(failure.empty() == z.ok);
          BOOST_TEST(is_prefix(out, z.bytes));
          BOOST_TEST(out.size() + most_short >= z.bytes.size());
        }
      }
    }
    // Random seeks and reads: every byte returned is zlib's at its offset.
    (void)failure_of([&] {
      gunzip_buf b(span_of(gz), {.spacing = min_spacing});
      for (int i = 0; i < 20; ++i) {
        const std::uint64_t at = rng() % (z.bytes.size() + 1);
        b.seek(static_cast<std::int64_t>(at));
        const std::string got = str(b.read(rng() % 100000));
        BOOST_TEST(is_prefix(got, std::string_view(z.bytes).substr(at)), "at " << at);
      }
    });
  }
  BOOST_TEST(rejected >= 90);
}

BOOST_AUTO_TEST_CASE(not_gzip_fails_in_the_constructor) {
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(std::string("plain text, not gzip"))),
                     errc::invalid_gzip);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(std::string())), errc::invalid_gzip);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(std::string("\x1f\x8b\x08", 3))), errc::invalid_gzip);
  const std::string gz = zlib_gzip("abc", 6);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(gz), {.spacing = 1000}), errc::invalid_argument);
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(gz), {.spacing = std::uint64_t{1} << 32}),
                     errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(closed_and_moved) {
  const std::string gz = zlib_gzip("hello\nworld\n", 6);
  gunzip_buf b(span_of(gz));
  BOOST_TEST((str(b.readline()) == "hello\n"));
  gunzip_buf c(std::move(b));
  BOOST_TEST((str(c.readline()) == "world\n"));
  b = std::move(c);
  b.seek(0);
  BOOST_TEST((str(b.read()) == "hello\nworld\n"));
  const std::string other = zlib_gzip("other", 6);
  gunzip_buf d(span_of(other));
  swap(b, d); // the positions go with the data
  BOOST_TEST((str(b.read()) == "other"));
  BOOST_TEST(d.tell() == 12u);
  d.seek(6);
  BOOST_TEST((str(d.read()) == "world\n"));
  b.close();
  BOOST_TEST(b.closed());
  BYTESIO_CHECK_ERRC(b.read(), errc::closed);
  BYTESIO_CHECK_ERRC(b.index(), errc::closed);
  BYTESIO_CHECK_ERRC(b.size(), errc::closed);
  BYTESIO_CHECK_ERRC(b.build_index(), errc::closed);
  BOOST_TEST(b.sgetc() == std::char_traits<char>::eof());
}

BOOST_AUTO_TEST_CASE(gzip_bomb_reads_at_random_within_the_index) {
  // 256 MiB of zeros in about 256 KiB: random reads cost the index (a window
  // per MiB) and the bytes read, never the output.
  const std::string zeros(std::size_t{256} << 20, '\0');
  const std::string gz = isal_gzip(zeros, 1);
  BOOST_TEST(gz.size() < std::size_t{2} << 20);
  gunzip_buf b(span_of(gz));
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t at = rng() % zeros.size();
    b.seek(std::int64_t(at));
    const bytesio::byte_vector got = b.read(4096);
    BOOST_TEST(got.size() == std::min<std::uint64_t>(4096, zeros.size() - at));
    BOOST_TEST(std::all_of(got.begin(), got.end(), [](std::byte c) { return c == std::byte{0}; }));
  }
  BOOST_TEST(b.index().memory() <=
             (zeros.size() / (1u << 20) + 2) * (gzip_index::window_size + 128));
}

// ---- indexed_gzip, both ways ----------------------------------------------------

namespace {

/** Runs `/usr/bin/python3 -c script args`; true if it exits 0. */
bool python(const std::string &script, const std::string &args) {
  return std::system(("/usr/bin/python3 -c '" + script + "' " + args).c_str()) == 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(indexed_gzip_imports_ours_and_we_import_theirs) {
  BOOST_REQUIRE_MESSAGE(python("import indexed_gzip", ""),
                        "Python's indexed_gzip is missing (Debian: python3-indexed-gzip)");
  const auto &s = sample();
  temp_dir dir("bytesio-gzidx");
  const auto gz = dir / "data.gz", ours = dir / "ours.gzidx", theirs = dir / "theirs.gzidx",
             plain = dir / "data.csv";
  write_file(gz, s.gz);
  write_file(plain, s.text);
  gunzip_buf b(span_of(s.gz), {.spacing = 65536});
  write_file(ours, saved(b.build_index()));
  // indexed_gzip exports its index of the same file at the same spacing, and
  // reads 500 random ranges through ours.
  const std::string script = "import sys, random, indexed_gzip as ig\n"
                             "gz, ours, theirs, plain = sys.argv[1:5]\n"
                             "f = ig.IndexedGzipFile(gz, spacing=65536)\n"
                             "f.build_full_index()\n"
                             "f.export_index(theirs)\n"
                             "g = ig.IndexedGzipFile(gz, spacing=65536)\n"
                             "g.import_index(ours)\n"
                             "data = open(plain, \"rb\").read()\n"
                             "r = random.Random(1)\n"
                             "for i in range(500):\n"
                             "    p = r.randrange(len(data)); n = r.randrange(70000)\n"
                             "    g.seek(p)\n"
                             "    assert g.read(n) == data[p:p + n], (p, n)\n";
  BOOST_REQUIRE(python(script, "'" + gz.string() + "' '" + ours.string() + "' '" + theirs.string() +
                                   "' '" + plain.string() + "'"));
  const std::string their_bytes = read_file(theirs);
  // The same points at the same places with the same windows: the same file.
  BOOST_TEST((their_bytes == read_file(ours)));
  gunzip_buf c(span_of(s.gz), loaded(their_bytes));
  std::mt19937_64 rng(2);
  for (int i = 0; i < 300; ++i) {
    const std::uint64_t at = rng() % s.text.size();
    c.seek(std::int64_t(at));
    BOOST_TEST((str(c.read(5000)) == s.text.substr(at, 5000)));
  }
}

// ---- BGZF: htslib's blocked gzip, indexed by walking its headers ------------------------

namespace {

std::string saved_gzi(const gzip_index &x) {
  std::ostringstream out;
  x.save_gzi(out);
  return out.str();
}

gzip_index loaded_gzi(const std::string &bytes) {
  std::istringstream in(bytes);
  return gzip_index::load_gzi(in);
}

} // namespace

BOOST_AUTO_TEST_CASE(bgzf_is_indexed_without_decoding_and_gzi_matches_bgzip) {
  BOOST_REQUIRE_MESSAGE(std::system("bgzip --version > /dev/null 2>&1") == 0,
                        "bgzip is missing (Debian: tabix)");
  for (const std::size_t n : {std::size_t{100}, std::size_t{65280}, std::size_t{65281},
                              std::size_t{1} << 20, std::size_t{3} << 20}) {
    BOOST_TEST_CONTEXT(n << " bytes") {
      const std::string text = csv_text(n, 12);
      const bgzipped b = bgzip_tool(text, n == (std::size_t{3} << 20) ? "-l 1 -@ 2" : "");
      gunzip_buf g(span_of(b.gz));
      // Complete from the start: the blocks' sizes are in their headers and trailers.
      BOOST_TEST(g.index().complete());
      BOOST_TEST(g.index().uncompressed_size() == text.size());
      const std::size_t blocks = (n + 65279) / 65280;
      BOOST_TEST(g.index().size() == blocks + 2); // the blocks, the EOF block, the end
      BOOST_TEST(saved_gzi(g.index()) == b.gzi);  // what bgzip -r writes
      std::mt19937_64 rng(n);
      for (int i = 0; i < 100; ++i) {
        const std::uint64_t at = rng() % (text.size() + 10);
        g.seek(std::int64_t(at));
        BOOST_TEST(
            (str(g.read(70000)) == text.substr(std::min<std::size_t>(at, text.size()), 70000)));
      }
      // bgzip's .gzi, loaded, serves the same reads; so does the GZIDX round trip.
      gunzip_buf h(span_of(b.gz), loaded_gzi(b.gzi));
      BOOST_TEST(h.index().complete());
      h.seek(std::int64_t(text.size() / 2));
      BOOST_TEST((str(h.read(1000)) == text.substr(text.size() / 2, 1000)));
      gunzip_buf k(span_of(b.gz), loaded(saved(g.index())));
      k.seek(std::int64_t(text.size() / 3));
      BOOST_TEST((str(k.read(1000)) == text.substr(text.size() / 3, 1000)));
    }
  }
}

BOOST_AUTO_TEST_CASE(bgzip_reads_ranges_through_our_gzi) {
  BOOST_REQUIRE(std::system("bgzip --version > /dev/null 2>&1") == 0);
  const std::string text = csv_text(std::size_t{2} << 20, 13);
  const bgzipped b = bgzip_tool(text);
  gunzip_buf g(span_of(b.gz));
  temp_dir dir("bytesio-bgzf-ranges");
  write_file(dir / "d.gz", b.gz);
  write_file(dir / "d.gz.gzi", saved_gzi(g.index()));
  for (const std::uint64_t at : {std::uint64_t{1}, std::uint64_t{65279}, std::uint64_t{65280},
                                 std::uint64_t{1000003}, std::uint64_t{text.size() - 50}}) {
    BOOST_TEST_CONTEXT("offset " << at) {
      BOOST_REQUIRE(std::system(("bgzip -b " + std::to_string(at) + " -s 5000 '" +
                                 (dir / "d.gz").string() + "' > '" + (dir / "out").string() + "'")
                                    .c_str()) == 0);
      BOOST_TEST((read_file(dir / "out") == text.substr(at, 5000)));
    }
  }
}

BOOST_AUTO_TEST_CASE(gzi_of_other_data_and_bad_gzi_are_refused) {
  BOOST_REQUIRE(std::system("bgzip --version > /dev/null 2>&1") == 0);
  const bgzipped a = bgzip_tool(csv_text(300000, 14));
  const bgzipped b = bgzip_tool(random_bytes(300000, 15));
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(a.gz), loaded_gzi(b.gzi)), errc::invalid_argument);
  BOOST_REQUIRE_NO_THROW((void)gunzip_buf(span_of(a.gz), loaded_gzi(a.gzi)));
  for (std::size_t cut = 1; cut < a.gzi.size(); cut += 3)
    BYTESIO_CHECK_ERRC(loaded_gzi(a.gzi.substr(0, cut)), errc::invalid_argument);
  std::string swapped = a.gzi; // entries out of order
  std::swap_ranges(swapped.begin() + 8, swapped.begin() + 24, swapped.begin() + 24);
  BYTESIO_CHECK_ERRC(loaded_gzi(swapped), errc::invalid_argument);
  // A plain gzip index with points inside a member has no .gzi.
  const std::string plain = zlib_gzip(csv_text(std::size_t{3} << 20, 14), 6);
  gunzip_buf g(span_of(plain));
  BYTESIO_CHECK_ERRC(saved_gzi(g.build_index()), errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(bgzf_with_a_lying_isize_fails_at_that_block) {
  BOOST_REQUIRE(std::system("bgzip --version > /dev/null 2>&1") == 0);
  const std::string text = csv_text(400000, 16);
  std::string gz = bgzip_tool(text).gz;
  // The third block's ISIZE one more: the blocks after it seem to start a byte later.
  std::size_t at = 0;
  for (int k = 0; k < 3; ++k)
    at +=
        (std::size_t(std::uint8_t(gz[at + 16])) | std::size_t(std::uint8_t(gz[at + 17])) << 8) + 1;
  gz[at - 4] = static_cast<char>(gz[at - 4] + 1);
  const std::string want = igzip_failure(gz);
  BOOST_TEST(want.find("ISIZE mismatch") != std::string::npos);
  gunzip_buf g(span_of(gz));
  BOOST_TEST((str(g.read(2 * 65280)) == text.substr(0, 2 * 65280))); // the first two blocks read
  const auto [out, failure] = read_all(gz, 10000);
  BOOST_TEST(failure == want);
  BOOST_TEST((out == text.substr(0, out.size())));
}

BOOST_AUTO_TEST_CASE(indexed_gzip_indexes_bgzf_as_we_do) {
  BOOST_REQUIRE(python("import indexed_gzip", ""));
  const std::string text = csv_text(std::size_t{3} << 20, 17);
  const bgzipped b = bgzip_tool(text);
  temp_dir dir("bytesio-bgzf-gzidx");
  write_file(dir / "d.gz", b.gz);
  BOOST_REQUIRE(
      python("import sys, indexed_gzip as ig\n"
             "f = ig.IndexedGzipFile(sys.argv[1], spacing=1048576)\n"
             "f.build_full_index()\n"
             "f.export_index(sys.argv[2])\n",
             "'" + (dir / "d.gz").string() + "' '" + (dir / "theirs.gzidx").string() + "'"));
  gunzip_buf g(span_of(b.gz)); // indexed by walking the blocks, nothing decoded but the tail
  BOOST_TEST((saved(g.index()) == read_file(dir / "theirs.gzidx")));
}

// ---- threads: decoding ahead of a sequential reader ---------------------------------

namespace {

/** Reads `b` from where it is to the end in reads of `step` bytes: the bytes, then the failure. */
std::pair<std::string, std::string> read_rest(gunzip_buf &b, std::size_t step) {
  std::string out;
  const std::string failure = failure_of([&] {
    for (;;) {
      const bytesio::byte_vector got = b.read(step);
      if (got.empty())
        break;
      out += str(got);
    }
  });
  return {out, failure};
}

/** The inputs with a complete index: a member with the compressor's, BGZF, three members. */
struct indexed_input {
  std::string name, text, gz;
  gzip_index index;
};

std::vector<indexed_input> indexed_inputs() {
  std::vector<indexed_input> v;
  {
    const std::string text = csv_text((std::size_t{6} << 20) + 4321, 31);
    std::string gz;
    bytesio::igzip_compressor c(1, 2);
    {
      io::filtering_ostream os;
      os.push(c);
      os.push(io::back_inserter(gz));
      os.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    v.push_back({"member, the compressor's index", text, gz, c.index()});
    v.push_back({"member, the index through GZIDX", text, gz, loaded(saved(c.index()))});
  }
  {
    const std::string text = csv_text((std::size_t{3} << 20) + 99, 32);
    const std::string gz = isal_gzip(text, 1);
    gunzip_buf b(span_of(gz), {.spacing = 300000});
    v.push_back({"member, an index built at 300 KB", text, gz, b.build_index()});
  }
  if (std::system("bgzip --version > /dev/null 2>&1") == 0) {
    const std::string text = csv_text((std::size_t{3} << 20) + 5, 33);
    const std::string gz = bgzip_tool(text).gz;
    v.push_back({"BGZF by bgzip", text, gz, gunzip_buf(span_of(gz)).index()});
  }
  v.push_back({"three members", sample().text, sample().gz,
               gunzip_buf(span_of(sample().gz)).build_index()});
  return v;
}

} // namespace

BOOST_AUTO_TEST_CASE(threads_read_the_same_bytes) {
  for (const indexed_input &in : indexed_inputs()) {
    for (const unsigned threads : {2u, 3u}) {
      BOOST_TEST_CONTEXT(in.name << ", " << threads << " threads") {
        gunzip_buf b(span_of(in.gz), in.index, {.threads = threads});
        const auto [all, failure] = read_rest(b, 100000);
        BOOST_TEST(failure == "");
        BOOST_TEST((all == in.text));
        // Seeks mixed with runs of sequential reads, of every size.
        std::mt19937_64 rng(threads);
        for (int i = 0; i < 40; ++i) {
          const std::uint64_t at = rng() % (in.text.size() + 1);
          b.seek(std::int64_t(at));
          std::string run;
          const std::size_t want = 1 + rng() % (std::size_t{3} << 20);
          for (std::size_t step = 1 + rng() % 200000; run.size() < want;) {
            const bytesio::byte_vector got = b.read(step);
            if (got.empty())
              break;
            run += str(got);
          }
          BOOST_TEST((run == in.text.substr(at, run.size())));
          BOOST_TEST(run.size() >= std::min<std::size_t>(want, in.text.size() - at));
        }
      }
    }
  }
  // Threads with an index still to build: reads index on the reader's
  // thread, and run ahead once it is complete.
  const auto &s = sample();
  gunzip_buf b(span_of(s.gz), {.threads = 2});
  BOOST_TEST((read_rest(b, 65536).first == s.text));
  BOOST_TEST(b.index().complete());
  b.seek(0);
  BOOST_TEST((read_rest(b, 1 << 20).first == s.text));
  // Through a stream, std::getline over a BGZF or a member, as with one thread.
  gunzip_stream lines(span_of(s.gz), b.index(), {.threads = 2});
  std::string line, expected_line;
  std::istringstream expected(s.text);
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    std::getline(expected, expected_line);
    if (line != expected_line)
      break;
    ++n;
  }
  BOOST_TEST(n == static_cast<std::size_t>(std::count(s.text.begin(), s.text.end(), '\n')) +
                      (s.text.back() != '\n' ? 1 : 0));
}

BOOST_AUTO_TEST_CASE(threads_stop_at_damage_with_zlibs_bytes) {
  // Damage in the middle of the deflate data of a stretch ahead: with one
  // thread or two, the reader gets a prefix of what zlib decodes before it
  // meets the damage, then invalid_gzip (with threads, maybe earlier: where
  // a stretch's sums differ from its point's). Damage that still decodes
  // gives wrong bytes up to the check that catches it (a member's trailer),
  // with zlib too.
  for (const indexed_input &in : indexed_inputs()) {
    if (in.name == "member, the index through GZIDX")
      continue; // no sums to check: the index holds none
    for (const double where : {0.3, 0.6, 0.9}) {
      BOOST_TEST_CONTEXT(in.name << ", damage at " << where) {
        std::string gz = in.gz;
        const auto at = static_cast<std::size_t>(static_cast<double>(gz.size()) * where);
        for (std::size_t i = at; i < at + 8; ++i)
          gz[i] = static_cast<char>(gz[i] ^ 0x5A);
        const auto one = [&] {
          try {
            gunzip_buf b(span_of(gz), in.index);
            return read_rest(b, 100000);
          } catch (const std::ios_base::failure &e) {
            return std::pair<std::string, std::string>{"", e.what()};
          }
        }();
        const auto two = [&] {
          try {
            gunzip_buf b(span_of(gz), in.index, {.threads = 2});
            return read_rest(b, 100000);
          } catch (const std::ios_base::failure &e) {
            return std::pair<std::string, std::string>{"", e.what()};
          }
        }();
        BOOST_TEST(one.second != "");
        BOOST_TEST(two.second != "");
        const std::string reference = zlib_gunzip(gz).bytes;
        BOOST_TEST(is_prefix(one.first, reference));
        BOOST_TEST(is_prefix(two.first, reference));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(threads_are_checked) {
  const auto &s = sample();
  BYTESIO_CHECK_ERRC((void)gunzip_buf(span_of(s.gz), {.threads = 257}), errc::invalid_argument);
  gunzip_buf b(span_of(s.gz), {.threads = 0}); // one per hardware thread
  BOOST_TEST((read_rest(b, 1 << 20).first == s.text));
}
