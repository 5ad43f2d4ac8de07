// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_BENCH_SUPPORT_DATA_HPP
#define BYTESIO_BENCH_SUPPORT_DATA_HPP

// The benchmarks' input data, written once: seeded generators, so every run
// on every machine measures the same bytes and before/after tables compare.
// Each generator is the one a benchmark was first measured with; changing
// one changes the figures of every row that reads it.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace bench {

/**
 * `size` bytes of std::mt19937_64(`seed`), 8 bytes a draw: incompressible
 * binary (base64, CRC-32). A tail shorter than 8 bytes stays zero.
 */
inline std::string random_bytes(std::size_t size, std::uint64_t seed = 1) {
  std::string s(size, '\0');
  std::mt19937_64 gen(seed);
  for (std::size_t i = 0; i + 8 <= s.size(); i += 8) {
    const std::uint64_t v = gen();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

/**
 * `size` bytes of a 32-bit linear congruential generator (the top byte of
 * x = x * 1103515245 + 12345 from `seed`): the records the stream and
 * buffer benchmarks copy around, where only the bytes' moving is measured.
 */
inline std::vector<char> lcg_bytes(std::size_t size, unsigned seed) {
  std::vector<char> v(size);
  unsigned x = seed;
  for (char &c : v) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return v;
}

/** `size` bytes of text lines of `length` bytes each: `length` - 1 letters, then '\n'. */
inline std::string text_lines(std::size_t size, std::size_t length) {
  std::string s(size, '\n');
  for (std::size_t i = 0; i < size; ++i)
    if (i % length != length - 1)
      s[i] = static_cast<char>('a' + (i * 7 + i / length) % 26);
  return s;
}

/** `size` bytes of the rows `append_row(s, i)` appends for i = 0, 1, ...; the last row cut. */
template <class AppendRow>
std::string rows_text(std::size_t size, AppendRow append_row) {
  std::string s;
  s.reserve(size + 128);
  for (std::uint64_t i = 0; s.size() < size; ++i)
    append_row(s, i);
  s.resize(size);
  return s;
}

/**
 * `size` bytes of CSV orders (id, city, amount, date, status) drawn from
 * std::mt19937_64(1): text that compresses as logs and exports do (the
 * igzip benchmark's input).
 */
inline std::string csv_orders(std::size_t size) {
  std::mt19937_64 gen(1);
  return rows_text(size, [&gen](std::string &s, std::uint64_t row) {
    static const char *const cities[] = {"Berlin", "Lisbon", "Osaka", "Lima",
                                         "Quito",  "Oslo",   "Accra", "Perth"};
    static const char *const status[] = {"ok", "late", "cancelled", "ok", "ok"};
    const std::uint64_t r = gen();
    s += std::to_string(1000000 + row);
    s += ',';
    s += cities[r % 8];
    s += ',';
    s += std::to_string((r >> 8) % 100000);
    s += '.';
    s += std::to_string((r >> 28) % 100);
    s += ",2024-";
    s += std::to_string(10 + (r >> 36) % 3);
    s += '-';
    s += std::to_string(10 + (r >> 40) % 18);
    s += ',';
    s += status[(r >> 48) % 5];
    s += '\n';
  });
}

/**
 * `size` bytes of CSV invoices (id, name, amount, date, paid/open) drawn from
 * a xorshift32: the zlib benchmark's input, whose published figures were
 * measured on it (a cousin of csv_orders, kept so they stay comparable).
 */
inline std::string csv_invoices(std::size_t size) {
  unsigned x = 2463534242u;
  return rows_text(size, [&x](std::string &s, std::uint64_t row) {
    static const char *const names[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace"};
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s += std::to_string(row);
    s += ',';
    s += names[x % 7];
    s += ',';
    s += std::to_string(x % 100000);
    s += '.';
    s += std::to_string(x % 100);
    s += ",2024-";
    s += std::to_string(1 + x % 12);
    s += '-';
    s += std::to_string(1 + (x >> 8) % 28);
    s += (x & 1) ? ",paid\n" : ",open\n";
  });
}

} // namespace bench

#endif // BYTESIO_BENCH_SUPPORT_DATA_HPP
