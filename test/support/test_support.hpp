// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_TEST_SUPPORT_HPP
#define BYTESIO_TEST_SUPPORT_TEST_SUPPORT_HPP

// Helpers every test file uses, written once. Header-only; needs Boost.Test
// (BOOST_REQUIRE) and the core's error.hpp.

#include "bytesio/error.hpp"

#include "unit_test.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ios>
#include <iterator>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace bytesio::test {

/** The bytes of any contiguous byte container or span, as a string. */
template <class R>
std::string str(const R &r) {
  return {reinterpret_cast<const char *>(std::data(r)), std::size(r)};
}

/** Whether `part` is a prefix of `of`. */
inline bool is_prefix(std::string_view part, std::string_view of) { return of.starts_with(part); }

/** The characters of `s` as bytes (no copy). */
inline std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s)); }

/** A storage of type S holding the characters of `s`. */
template <class S>
S make(std::string_view s) {
  S out;
  out.resize(s.size());
  if (!s.empty())
    std::memcpy(out.data(), s.data(), s.size());
  return out;
}

/** `n` pseudo-random bytes, the same for the same seed. */
inline std::string random_bytes(std::size_t n, unsigned seed = 42) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char &c : s)
    c = static_cast<char>(rng());
  return s;
}

/** `n` pseudo-random letters 'a'..'p', the same for the same seed. */
inline std::string pattern(std::size_t n, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char &c : s)
    c = static_cast<char>('a' + rng() % 16);
  return s;
}

/** Predicate for BOOST_CHECK_EXCEPTION: an ios_base::failure whose code equals `e`. */
template <class Code>
auto has_code(Code e) {
  return [e](const std::ios_base::failure &f) { return f.code() == e; };
}

/** The code of the `std::ios_base::failure` that `f()` throws, or none. */
template <class F>
std::error_code error_of(F &&f) {
  try {
    f();
  } catch (const std::ios_base::failure &e) {
    return e.code();
  }
  return {};
}

/** A fresh, private directory, removed with everything in it at the end. */
class temp_dir {
public:
  explicit temp_dir(std::string_view prefix = "bytesio-test") {
    // create_directory fails on a name that exists: the fresh one is ours.
    std::random_device seed;
    std::mt19937_64 rng(seed());
    for (int attempt = 0; path_.empty(); ++attempt) {
      BOOST_REQUIRE(attempt < 100);
      const auto p = std::filesystem::temp_directory_path() /
                     (std::string(prefix) + "-" + std::to_string(rng() % 1000000000));
      std::error_code ec;
      if (std::filesystem::create_directory(p, ec))
        path_ = p;
      else
        BOOST_REQUIRE(!ec || std::filesystem::exists(p));
    }
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir &) = delete;
  temp_dir &operator=(const temp_dir &) = delete;

  const std::filesystem::path &path() const noexcept { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  /** How many entries the directory holds. */
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path_),
                                                  std::filesystem::directory_iterator()));
  }

private:
  std::filesystem::path path_;
};

/** Writes `bytes` to `p`, replacing it. */
inline void write_file(const std::filesystem::path &p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  BOOST_REQUIRE(f.good());
}

/** The whole contents of `p`. */
inline std::string read_file(const std::filesystem::path &p) {
  std::ifstream f(p, std::ios::binary);
  BOOST_REQUIRE(f.is_open());
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

} // namespace bytesio::test

/** Checks that `expr` throws an `std::ios_base::failure` whose code equals `code`. */
#define BYTESIO_CHECK_ERRC(expr, code)                                                             \
  BOOST_CHECK_EXCEPTION(expr, std::ios_base::failure, ::bytesio::test::has_code(code))

#endif // BYTESIO_TEST_SUPPORT_TEST_SUPPORT_HPP
