// SPDX-License-Identifier: BSL-1.0
// The base64 codec: tables, the streaming cores and their filter engine
// behind base64_encode, base64_decode, base64_encoder and base64_decoder.
//
// Standard library only: the one-shot functions must not need Boost.
// On x86-64 with GCC or Clang, AVX2 kernels are picked at run time when the
// CPU has AVX2; define BYTESIO_BASE64_NO_SIMD to build the scalar code only
// (the tests run both ways).
#include "bytesio/base64.hpp"
#include "bytesio/detail/base64.hpp"
#include "bytesio/detail/memory.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&                            \
    !defined(BYTESIO_BASE64_NO_SIMD)
#define BYTESIO_BASE64_AVX2 1
#include <immintrin.h>
#else
#define BYTESIO_BASE64_AVX2 0
#endif

namespace bytesio {
namespace detail {
namespace {

constexpr char standard_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr bool little_endian = std::endian::native == std::endian::little;

// 12 input bits -> 2 output characters, in memory order: one lookup per two
// characters halves the table walks of a 6-bit table, at 8 KiB per alphabet.
constexpr std::array<char, 8192> make_pair_table(const char *chars) {
  std::array<char, 8192> t{};
  for (std::size_t i = 0; i < 4096; ++i) {
    t[2 * i] = chars[i >> 6];
    t[2 * i + 1] = chars[i & 63];
  }
  return t;
}

constexpr std::array<char, 8192> standard_pairs = make_pair_table(standard_chars);
constexpr std::array<char, 8192> url_pairs = make_pair_table(url_chars);

constexpr std::array<unsigned char, 256> make_sextets(const char *chars) {
  std::array<unsigned char, 256> t{};
  for (auto &v : t)
    v = 0xFF;
  for (unsigned i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(chars[i])] = static_cast<unsigned char>(i);
  return t;
}

constexpr std::array<unsigned char, 256> standard_sextets = make_sextets(standard_chars);
constexpr std::array<unsigned char, 256> url_sextets = make_sextets(url_chars);

// Four tables, one per position in a group. OR-ing the four entries gives
// the 3 decoded bytes already in place as a little-endian word (byte 0 in
// bits 0-7), so a group costs 4 loads, 3 ORs and one store. Characters that
// are not sextets ('=', whitespace, garbage) have bits 24 and up set, so one
// compare per group (or per two groups) finds every exception.
constexpr std::uint32_t bad = 0x01FFFFFF;

constexpr std::array<std::uint32_t, 1024> make_decode_table(const char *chars) {
  std::array<std::uint32_t, 1024> t{};
  const auto s = make_sextets(chars);
  for (unsigned c = 0; c < 256; ++c) {
    const std::uint32_t v = s[c];
    if (v == 0xFF) {
      t[c] = t[256 + c] = t[512 + c] = t[768 + c] = bad;
      continue;
    }
    t[c] = v << 2;
    t[256 + c] = (v >> 4) | ((v & 0xF) << 12);
    t[512 + c] = ((v >> 2) << 8) | ((v & 3) << 22);
    t[768 + c] = v << 16;
  }
  return t;
}

constexpr std::array<std::uint32_t, 1024> standard_decode = make_decode_table(standard_chars);
constexpr std::array<std::uint32_t, 1024> url_decode = make_decode_table(url_chars);

#if BYTESIO_BASE64_AVX2
// AVX2 kernels (W. Mula and D. Lemire, "Faster Base64 Encoding and Decoding
// using AVX2 Instructions", 2018), chosen at run time. The scalar code above
// stays the reference and handles every tail and every error.
bool have_avx2() noexcept {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

// 24 bytes -> 32 characters per step; reads 28 bytes, so stops while 28 remain.
__attribute__((target("avx2"))) const unsigned char *
encode_avx2(bool url, const unsigned char *in, const unsigned char *end, char **out_ptr) noexcept {
  char *out = *out_ptr;
  const __m256i shuffle = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1, 0,
                                           2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  const char c62 = url ? '-' : '+';
  const char c63 = url ? '_' : '/';
  const __m256i shift_lut = _mm256_setr_epi8(
      'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
      '0' - 52, '0' - 52, static_cast<char>(c62 - 62), static_cast<char>(c63 - 63), 'A', 0, 0,
      'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
      '0' - 52, '0' - 52, static_cast<char>(c62 - 62), static_cast<char>(c63 - 63), 'A', 0, 0);
  while (end - in >= 28) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + 12));
    __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    v = _mm256_shuffle_epi8(v, shuffle);
    const __m256i t0 = _mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00));
    const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    const __m256i t2 = _mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0));
    const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    const __m256i indices = _mm256_or_si256(t1, t3);
    __m256i r = _mm256_subs_epu8(indices, _mm256_set1_epi8(51));
    const __m256i less = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), indices);
    r = _mm256_or_si256(r, _mm256_and_si256(less, _mm256_set1_epi8(13)));
    r = _mm256_add_epi8(_mm256_shuffle_epi8(shift_lut, r), indices);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), r);
    in += 24;
    out += 32;
  }
  *out_ptr = out;
  return in;
}

// 32 characters -> 24 bytes per step (standard alphabet only); stops at the
// first block holding anything but alphabet characters. Writes 8 bytes of
// slack past its output.
__attribute__((target("avx2"))) const unsigned char *
decode_avx2(const unsigned char *in, const unsigned char *end, char **out_ptr) noexcept {
  char *out = *out_ptr;
  const __m256i lut_lo =
      _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B,
                       0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                       0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i lut_hi =
      _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10,
                       0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
                       0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  const __m256i lut_roll =
      _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4, -65,
                       -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i mask_2f = _mm256_set1_epi8(0x2f);
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2,
                                        1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
  while (end - in >= 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(in));
    const __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(v, 4), mask_2f);
    const __m256i lo_nibbles = _mm256_and_si256(v, mask_2f);
    const __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
    const __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
    if (!_mm256_testz_si256(lo, hi))
      break;
    const __m256i eq_2f = _mm256_cmpeq_epi8(v, mask_2f);
    const __m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_2f, hi_nibbles));
    const __m256i sextets = _mm256_add_epi8(v, roll);
    const __m256i ab_bc = _mm256_maddubs_epi16(sextets, _mm256_set1_epi32(0x01400140));
    __m256i r = _mm256_madd_epi16(ab_bc, _mm256_set1_epi32(0x00011000));
    r = _mm256_shuffle_epi8(r, pack);
    r = _mm256_permutevar8x32_epi32(r, lanes);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), r);
    in += 32;
    out += 24;
  }
  *out_ptr = out;
  return in;
}
#endif // BYTESIO_BASE64_AVX2

inline std::uint64_t load_be64(const unsigned char *p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (little_endian) {
#if defined(__GNUC__) || defined(__clang__)
    w = __builtin_bswap64(w);
#else
    w = 0;
    for (int i = 0; i < 8; ++i)
      w = (w << 8) | p[i];
#endif
  }
  return w;
}

inline std::uint64_t pair_at(const char *table, std::uint64_t index) noexcept {
  std::uint16_t v;
  std::memcpy(&v, table + 2 * index, 2);
  return v;
}

// Four 12-bit fields (the top 48 bits of `w`) to 8 characters.
inline void encode48(const char *table, std::uint64_t w, char *out) noexcept {
  const std::uint64_t a = pair_at(table, w >> 52);
  const std::uint64_t b = pair_at(table, (w >> 40) & 0xFFF);
  const std::uint64_t c = pair_at(table, (w >> 28) & 0xFFF);
  const std::uint64_t d = pair_at(table, (w >> 16) & 0xFFF);
  const std::uint64_t chars =
      little_endian ? a | (b << 16) | (c << 32) | (d << 48) : (a << 48) | (b << 32) | (c << 16) | d;
  std::memcpy(out, &chars, 8);
}

inline char *encode_group(const char *table, const unsigned char *in, char *out) noexcept {
  const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
  std::memcpy(out, table + 2 * (v >> 12), 2);
  std::memcpy(out + 2, table + 2 * (v & 0xFFF), 2);
  return out + 4;
}

// `groups` whole groups, 3 bytes in and 4 characters out each. The main loop
// reads 8 bytes to use 6, so it stops while 8 remain readable.
char *encode_groups(const char *table, const unsigned char *in, std::size_t groups,
                    char *out) noexcept {
  const unsigned char *const end = in + 3 * groups;
#if BYTESIO_BASE64_AVX2
  if (end - in >= 28 && have_avx2())
    in = encode_avx2(table == url_pairs.data(), in, end, &out);
#endif
  while (end - in >= 14) {
    const std::uint64_t w0 = load_be64(in);
    const std::uint64_t w1 = load_be64(in + 6);
    encode48(table, w0, out);
    encode48(table, w1, out + 8);
    in += 12;
    out += 16;
  }
  while (in != end) {
    out = encode_group(table, in, out);
    in += 3;
  }
  return out;
}

inline void store3(char *out, std::uint32_t v) noexcept {
  if constexpr (little_endian) {
    std::memcpy(out, &v, 4); // the 4th byte is slack that the next group overwrites
  } else {
    out[0] = static_cast<char>(v & 0xFF);
    out[1] = static_cast<char>((v >> 8) & 0xFF);
    out[2] = static_cast<char>((v >> 16) & 0xFF);
  }
}

// Decodes whole groups from `*in` while they hold only alphabet characters.
// Advances `*in` past them and returns the end of the output; writes up to
// 8 bytes of slack past it (max_output counts them).
char *decode_groups(const std::uint32_t *t, const unsigned char **in, const unsigned char *end,
                    char *out) noexcept {
  const unsigned char *p = *in;
#if BYTESIO_BASE64_AVX2
  if (end - p >= 32 && t == standard_decode.data() && have_avx2())
    p = decode_avx2(p, end, &out);
#endif
  while (end - p >= 16) {
    const std::uint32_t x = t[p[0]] | t[256 + p[1]] | t[512 + p[2]] | t[768 + p[3]];
    const std::uint32_t y = t[p[4]] | t[256 + p[5]] | t[512 + p[6]] | t[768 + p[7]];
    const std::uint32_t z = t[p[8]] | t[256 + p[9]] | t[512 + p[10]] | t[768 + p[11]];
    const std::uint32_t w = t[p[12]] | t[256 + p[13]] | t[512 + p[14]] | t[768 + p[15]];
    if ((x | y | z | w) > 0xFFFFFF)
      break;
    store3(out, x);
    store3(out + 3, y);
    store3(out + 6, z);
    store3(out + 9, w);
    p += 16;
    out += 12;
  }
  while (end - p >= 4) {
    const std::uint32_t x = t[p[0]] | t[256 + p[1]] | t[512 + p[2]] | t[768 + p[3]];
    if (x > 0xFFFFFF)
      break;
    store3(out, x);
    p += 4;
    out += 3;
  }
  *in = p;
  return out;
}

inline bool is_space(unsigned char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

// --- encoder -----------------------------------------------------------------

base64_encoder_core::base64_encoder_core(const base64_options &options)
    : table_(options.alphabet == base64_alphabet::url ? url_pairs.data() : standard_pairs.data()),
      alphabet_(options.alphabet == base64_alphabet::url ? url_chars : standard_chars),
      line_ending_(options.line_ending), line_length_(options.line_length),
      padding_(options.padding) {}

std::size_t base64_encoder_core::max_output(std::size_t n) const noexcept {
  const std::size_t chars = (pending_size_ + n) / 3 * 4;
  if (line_length_ == 0)
    return chars;
  return chars + (chars / line_length_ + 1) * line_ending_.size();
}

std::size_t base64_encoder_core::max_input(std::size_t room) const noexcept {
  // The most characters, c, with c + (c / L + 1) * E <= room, for line
  // length L and line ending size E: c = q * L + r with r < L.
  std::size_t chars = room;
  if (line_length_ != 0) {
    const std::size_t e = line_ending_.size();
    if (room < e)
      return 0;
    const std::size_t rest = room - e; // c + (c / L) * E <= rest
    if (line_length_ <= rest) {
      const std::size_t q = rest / (line_length_ + e);
      chars = q * line_length_ + std::min(line_length_ - 1, rest - q * (line_length_ + e));
    } else {
      chars = rest;
    }
  }
  return chars / 4 * 3 + 2 - pending_size_;
}

char *base64_encoder_core::put_wrapped(const char *s, std::size_t k, char *out) noexcept {
  while (k != 0) {
    const std::size_t room = line_length_ == 0 ? k : line_length_ - column_;
    const std::size_t t = room < k ? room : k;
    std::memcpy(out, s, t);
    out += t;
    s += t;
    k -= t;
    if (line_length_ != 0 && (column_ += t) == line_length_) {
      std::memcpy(out, line_ending_.data(), line_ending_.size());
      out += line_ending_.size();
      column_ = 0;
    }
  }
  return out;
}

char *base64_encoder_core::process(const char *chars, std::size_t n, char *out) noexcept {
  const auto *in = reinterpret_cast<const unsigned char *>(chars);
  if (pending_size_ != 0) {
    if (pending_size_ + n < 3) {
      if (n != 0)
        std::memcpy(pending_ + pending_size_, in, n);
      pending_size_ += static_cast<unsigned>(n);
      return out;
    }
    unsigned char group[3];
    std::memcpy(group, pending_, pending_size_);
    const std::size_t take = 3 - pending_size_;
    std::memcpy(group + pending_size_, in, take);
    in += take;
    n -= take;
    pending_size_ = 0;
    char tmp[4];
    encode_group(table_, group, tmp);
    out = put_wrapped(tmp, 4, out);
  }
  std::size_t groups = n / 3;
  const std::size_t rest = n % 3;
  if (line_length_ == 0) {
    out = encode_groups(table_, in, groups, out);
    in += 3 * groups;
  } else {
    while (groups != 0) {
      const std::size_t room = line_length_ - column_;
      if (room >= 4) {
        const std::size_t k = groups < room / 4 ? groups : room / 4;
        out = encode_groups(table_, in, k, out);
        in += 3 * k;
        groups -= k;
        column_ += 4 * k;
        if (column_ == line_length_) {
          std::memcpy(out, line_ending_.data(), line_ending_.size());
          out += line_ending_.size();
          column_ = 0;
        }
      } else {
        char tmp[4];
        encode_group(table_, in, tmp);
        in += 3;
        --groups;
        out = put_wrapped(tmp, 4, out);
      }
    }
  }
  if (rest != 0)
    std::memcpy(pending_, in, rest);
  pending_size_ = static_cast<unsigned>(rest);
  return out;
}

char *base64_encoder_core::finish(char *out) noexcept {
  if (pending_size_ != 0) {
    const unsigned b0 = pending_[0];
    const unsigned b1 = pending_size_ == 2 ? pending_[1] : 0;
    char tmp[4] = {alphabet_[b0 >> 2], alphabet_[((b0 & 3) << 4) | (b1 >> 4)],
                   alphabet_[(b1 & 0xF) << 2], '='};
    std::size_t k = pending_size_ + 1;
    if (padding_) {
      if (k == 2)
        tmp[2] = '=';
      k = 4;
    }
    out = put_wrapped(tmp, k, out);
  }
  if (line_length_ != 0 && column_ != 0) {
    std::memcpy(out, line_ending_.data(), line_ending_.size());
    out += line_ending_.size();
  }
  reset();
  return out;
}

// --- decoder -----------------------------------------------------------------

base64_decoder_core::base64_decoder_core(const base64_options &options)
    : table_(options.alphabet == base64_alphabet::url ? url_decode.data() : standard_decode.data()),
      sextets_of_(options.alphabet == base64_alphabet::url ? url_sextets.data()
                                                           : standard_sextets.data()),
      padding_(options.padding), ignore_whitespace_(options.ignore_whitespace) {}

void base64_decoder_core::fail(std::uint64_t offset, const char *what, int ch) const {
  char msg[160];
  if (ch >= 0)
    std::snprintf(msg, sizeof msg, "invalid base64 at byte offset %llu: %s (byte 0x%02X)",
                  static_cast<unsigned long long>(offset), what, static_cast<unsigned>(ch));
  else
    std::snprintf(msg, sizeof msg, "invalid base64 at byte offset %llu: %s",
                  static_cast<unsigned long long>(offset), what);
  throw_error(errc::invalid_base64, msg);
}

char *base64_decoder_core::process(const char *chars, std::size_t n, char *out) {
  const auto *const begin = reinterpret_cast<const unsigned char *>(chars);
  const auto *const end = begin + n;
  const unsigned char *p = begin;
  while (p != end) {
    if (sextets_ == 0 && pads_ == 0 && !done_) {
      out = decode_groups(table_, &p, end, out);
      if (p == end)
        break;
    }
    const unsigned char c = *p;
    const std::uint64_t at = offset_ + static_cast<std::uint64_t>(p - begin);
    const unsigned s = sextets_of_[c];
    if (s < 64) {
      if (pads_ != 0 || done_)
        fail(at, "data after padding", c);
      bits_ = (bits_ << 6) | s;
      last_data_ = at;
      if (++sextets_ == 4) {
        out[0] = static_cast<char>(bits_ >> 16);
        out[1] = static_cast<char>((bits_ >> 8) & 0xFF);
        out[2] = static_cast<char>(bits_ & 0xFF);
        out += 3;
        bits_ = 0;
        sextets_ = 0;
      }
    } else if (c == '=') {
      if (!padding_)
        fail(at, "padding '=' while padding is disabled", c);
      if (done_)
        fail(at, "data after padding", c);
      const unsigned q = sextets_ + pads_;
      if (q < 2)
        fail(at, "misplaced padding", c);
      if (q == 2) {
        pads_ = 1;
      } else if (sextets_ == 3) { // "xxx="
        if ((bits_ & 0x3) != 0)
          fail(last_data_, "non-zero trailing bits");
        out[0] = static_cast<char>(bits_ >> 10);
        out[1] = static_cast<char>((bits_ >> 2) & 0xFF);
        out += 2;
        done_ = true;
      } else { // "xx=="
        if ((bits_ & 0xF) != 0)
          fail(last_data_, "non-zero trailing bits");
        out[0] = static_cast<char>(bits_ >> 4);
        out += 1;
        done_ = true;
      }
      if (done_) {
        bits_ = 0;
        sextets_ = 0;
        pads_ = 0;
      }
    } else if (!(ignore_whitespace_ && is_space(c))) {
      fail(at, "character outside the alphabet", c);
    }
    ++p;
  }
  offset_ += n;
  return out;
}

char *base64_decoder_core::finish(char *out) {
  if (padding_) {
    if (pads_ != 0)
      fail(offset_, "truncated input: missing padding");
    if (sextets_ != 0)
      fail(offset_, "truncated input: not a whole number of 4-character groups");
  } else if (sextets_ == 1) {
    fail(offset_, "truncated input: a final group of 1 character");
  } else if (sextets_ == 2) {
    if ((bits_ & 0xF) != 0)
      fail(last_data_, "non-zero trailing bits");
    *out++ = static_cast<char>(bits_ >> 4);
  } else if (sextets_ == 3) {
    if ((bits_ & 0x3) != 0)
      fail(last_data_, "non-zero trailing bits");
    *out++ = static_cast<char>(bits_ >> 10);
    *out++ = static_cast<char>((bits_ >> 2) & 0xFF);
  }
  reset();
  return out;
}

} // namespace detail

// --- the filter engine -----------------------------------------------------------

namespace detail {

template <class Core>
char *base64_engine<Core>::carry_space(std::size_t n) {
  if (large_.empty() && n <= sizeof small_)
    return small_;
  if (large_.size() < n)
    large_.resize(n);
  return large_.data();
}

template <class Core>
bool base64_engine<Core>::filter(const char *&src, const char *src_end, char *&dst, char *dst_end,
                                 bool flush) {
  // Input per step through the carry: its worst case fits `small_` for the
  // decoder and for the encoder unless lines are short with long endings.
  constexpr std::size_t piece = 96;
  for (;;) {
    const char *const carry = large_.empty() ? small_ : large_.data();
    const std::size_t k =
        std::min(carry_end_ - carry_begin_, static_cast<std::size_t>(dst_end - dst));
    if (k != 0) {
      std::memcpy(dst, carry + carry_begin_, k);
      dst += k;
      carry_begin_ += k;
    }
    if (carry_begin_ != carry_end_)
      return true;
    if (finished_)
      return false;
    const std::size_t direct = std::min(static_cast<std::size_t>(src_end - src),
                                        core_.max_input(static_cast<std::size_t>(dst_end - dst)));
    if (direct != 0) {
      dst = core_.process(src, direct, dst);
      src += direct;
    }
    // A full destination still takes input into the carry until some output
    // is waiting: the input may write nothing or be an error.
    if (src == src_end && !flush)
      return true;
    carry_begin_ = 0;
    carry_end_ = 0;
    if (src != src_end) {
      const std::size_t m = std::min(piece, static_cast<std::size_t>(src_end - src));
      char *const c = carry_space(core_.max_output(m));
      carry_end_ = static_cast<std::size_t>(core_.process(src, m, c) - c);
      src += m;
    } else {
      char *const c = carry_space(core_.max_finish());
      carry_end_ = static_cast<std::size_t>(core_.finish(c) - c);
      finished_ = true;
    }
  }
}

template class base64_engine<base64_encoder_core>;
template class base64_engine<base64_decoder_core>;

} // namespace detail

// --- sizes ---------------------------------------------------------------------

namespace detail {
namespace {

// What a valid `text` decodes to, from its length and its last characters
// (and, with ignore_whitespace, a count of the whitespace): the bytes
// base64_decode_into needs. For invalid text it is still at least what the
// decoder writes before it finds the error (output comes only from whole
// groups of non-whitespace characters, and a final group ending in '=' gives
// 1 or 2 bytes), which decode_bounded() checks all the same.
std::size_t decoded_size(std::string_view text, const base64_options &options) noexcept {
  std::size_t n = text.size();
  const auto *const p = reinterpret_cast<const unsigned char *>(text.data());
  if (options.ignore_whitespace) {
    std::size_t spaces = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
      spaces += is_space(p[i]) ? 1u : 0u;
    n -= spaces;
  }
  const std::size_t whole = n / 4 * 3;
  const std::size_t rest = n % 4;
  if (!options.padding)
    return whole + (rest >= 2 ? rest - 1 : 0);
  if (rest != 0)
    return whole; // invalid: a partial final group gives nothing
  std::size_t pads = 0;
  for (std::size_t i = text.size(); i-- > 0 && pads < 2;) {
    if (p[i] == '=')
      ++pads;
    else if (!(options.ignore_whitespace && is_space(p[i])))
      break;
  }
  return whole - pads;
}

// Decodes into [out, out + cap), cap = decoded_size(text) (or more), with
// the filter engine: the core writes up to 8 bytes of slack past its
// output, which the engine keeps within the destination.
std::size_t decode_bounded(std::string_view text, char *out, std::size_t cap,
                           const base64_options &options) {
  base64_engine<base64_decoder_core> engine(options);
  const char *src = text.data();
  char *dst = out;
  // decoded_size() bounds what any input decodes to before its error.
  if (engine.filter(src, src + text.size(), dst, out + cap, true))
    throw_error(errc::invalid_argument, "base64_decode_into: output overflow (a bytesio bug)");
  return static_cast<std::size_t>(dst - out);
}

std::string to_str(std::size_t n) { return std::to_string(n); }

} // namespace
} // namespace detail

// --- into the caller's memory -------------------------------------------------

std::size_t base64_encode_into(std::span<const std::byte> data, std::span<char> out,
                               base64_options options) {
  const std::size_t need = base64_encoded_size(data.size(), options);
  if (out.size() < need)
    detail::throw_error(errc::invalid_argument,
                        "base64_encode_into: the output has room for " +
                            detail::to_str(out.size()) + " characters, the encoding of " +
                            detail::to_str(data.size()) + " bytes needs " + detail::to_str(need));
  // The encoder core writes exactly what it produces (no slack), and
  // base64_encoded_size() is exactly that.
  detail::base64_encoder_core core(options);
  char *end = core.process(reinterpret_cast<const char *>(data.data()), data.size(), out.data());
  end = core.finish(end);
  assert(static_cast<std::size_t>(end - out.data()) == need &&
         "base64_encoded_size disagrees with the encoder");
  return static_cast<std::size_t>(end - out.data());
}

std::size_t base64_decode_into(std::string_view text, std::span<std::byte> out,
                               base64_options options) {
  const std::size_t need = detail::decoded_size(text, options);
  if (out.size() < need)
    detail::throw_error(errc::invalid_argument, "base64_decode_into: the output has room for " +
                                                    detail::to_str(out.size()) +
                                                    " bytes, the text decodes to " +
                                                    detail::to_str(need));
  // Bounded by `need`, not out.size(): the core's wide stores then never
  // touch bytes past what a valid text decodes to.
  return detail::decode_bounded(text, reinterpret_cast<char *>(out.data()), need, options);
}

// --- one-shot ----------------------------------------------------------------

std::string base64_encode(std::span<const std::byte> data, base64_options options) {
  const std::size_t need = base64_encoded_size(data.size(), options);
  std::string out;
  out.reserve(need);
  detail::advise_huge_pages(out.data(), need);
  // C++20 has no resize_and_overwrite; the zero fill is the price of
  // returning std::string.
  out.resize(need);
  base64_encode_into(data, out, options);
  return out;
}

std::string base64_encode(std::string_view data, base64_options options) {
  return base64_encode(std::as_bytes(std::span<const char>(data.data(), data.size())), options);
}

byte_vector base64_decode(std::string_view text, base64_options options) {
  byte_vector out;
  out.resize(detail::decoded_size(text, options), default_init);
  out.resize(
      detail::decode_bounded(text, reinterpret_cast<char *>(out.data()), out.size(), options));
  return out;
}

} // namespace bytesio
