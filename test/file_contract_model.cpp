// SPDX-License-Identifier: BSL-1.0
// The file contract, part 3: large contents that cross every spooled
// threshold, and random operations against the reference model
// (test/model/bytes_model.hpp), over every buffer (see file_contract_test.cpp).

#include "support/unit_test.hpp"

#include "model/bytes_model.hpp"
#include "support/contract.hpp"

#include <algorithm>
#include <cstdint>
#include <ios>
#include <random>
#include <string>
#include <vector>

using namespace bytesio::test;
using bytesio::spooled_buf;

namespace {

constexpr std::size_t block = spooled_buf::block_size;

std::string model_contents(const bytes_model &m) { return str(m.data); }

// One random operation on the buffer and on the model; they must agree.
template <class F>
void random_op(std::mt19937 &rng, F &b, bytes_model &m, std::size_t span) {
  const auto at = static_cast<std::int64_t>(rng() % span);
  const std::size_t n = rng() % 5 == 0 ? rng() % (3 * block) : rng() % 700;
  switch (rng() % 12) {
  case 0:
  case 1: {
    const std::string s = pattern(n, static_cast<unsigned>(rng()));
    const std::size_t want = m.write(bytes(s).data(), s.size());
    if (m.error != 0)
      BOOST_TEST_REQUIRE(error_of([&] { b.write(s); }) == static_cast<bytesio::errc>(m.error));
    else
      BOOST_TEST_REQUIRE(b.write(s) == want);
    break;
  }
  case 2: {
    const std::string s = pattern(n, static_cast<unsigned>(rng()));
    BOOST_TEST_REQUIRE(
        static_cast<std::size_t>(b.sputn(s.data(), static_cast<std::streamsize>(s.size()))) ==
        m.stream_write(bytes(s).data(), s.size()));
    break;
  }
  case 3:
    BOOST_TEST_REQUIRE(b.seek(at) == m.seek(at, std::ios_base::beg));
    break;
  case 4: {
    const std::int64_t off = at / 2 - static_cast<std::int64_t>(span / 4);
    const bool ok = m.stream_seek(off, std::ios_base::cur) == bytes_model::good;
    const auto got = b.pubseekoff(off, std::ios_base::cur);
    BOOST_TEST_REQUIRE((got != std::streampos(std::streamoff(-1))) == ok);
    break;
  }
  case 5:
    BOOST_TEST_REQUIRE(str(b.read(n)) == str(m.read(n)));
    break;
  case 6: {
    std::string got(n, '\0');
    const auto k = b.sgetn(got.data(), static_cast<std::streamsize>(n));
    got.resize(static_cast<std::size_t>(k));
    BOOST_TEST_REQUIRE(got == str(m.stream_read(n)));
    break;
  }
  case 7:
    for (std::size_t i = 0; i < n % 64; ++i) {
      const auto c = static_cast<char>('A' + rng() % 3);
      const bool ok = m.stream_put(std::byte(c)) == bytes_model::good;
      BOOST_TEST_REQUIRE((b.sputc(c) != traits::eof()) == ok);
    }
    break;
  case 8:
    for (std::size_t i = 0; i < n % 64; ++i) {
      const auto want = m.stream_get();
      const auto got = b.sbumpc();
      BOOST_TEST_REQUIRE((got == traits::eof()) == !want.has_value());
      if (want)
        BOOST_TEST_REQUIRE(got == traits::to_int_type(static_cast<char>(*want)));
    }
    break;
  case 9:
    for (std::size_t i = 0; i < n % 4; ++i) {
      const auto c = static_cast<char>('a' + rng() % 2);
      const bool ok = m.stream_putback(std::byte(c)) == bytes_model::good;
      BOOST_TEST_REQUIRE((b.sputbackc(c) != traits::eof()) == ok);
    }
    break;
  case 10:
    if (rng() % 3 == 0)
      BOOST_TEST_REQUIRE(b.truncate(static_cast<std::uint64_t>(at)) ==
                         m.truncate(static_cast<std::uint64_t>(at)));
    else
      BOOST_TEST_REQUIRE(str(b.readline(n)) == str(m.readline(n)));
    break;
  default:
    BOOST_TEST_REQUIRE(b.pubsync() == 0);
    break;
  }
  BOOST_TEST_REQUIRE(b.tell() == m.pos);
  BOOST_TEST_REQUIRE(b.size() == m.size());
}

} // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(random_operations_match_the_model, F, writable_subjects) {
  std::mt19937 rng(2024);
  F b;
  bytes_model m;
  const std::size_t span = 5 * block;
#ifdef NDEBUG
  constexpr int ops = 1200;
#else
  constexpr int ops = 400; // sanitizer builds
#endif
  for (int i = 0; i < ops; ++i) {
    BOOST_TEST_CONTEXT("op " << i << " pos " << m.pos << " size " << m.size())
    random_op(rng, b, m, span);
    if (i % 64 == 0)
      BOOST_TEST_REQUIRE(contents(b) == model_contents(m));
  }
  BOOST_TEST(contents(b) == model_contents(m));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(large_contents_cross_every_threshold, F, writable_subjects) {
  // 3 MiB in records of every size, through both APIs: past a block and 7
  // bytes, past 1 MiB.
  const std::string text = pattern(3 * 1024 * 1024 + 11, 5);
  F b;
  std::size_t done = 0;
  for (std::size_t i = 0; done < text.size(); ++i) {
    const std::size_t n = std::min(text.size() - done, (i * 7919) % (2 * block) + 1);
    if (i % 3 == 0)
      BOOST_TEST_REQUIRE(b.write(std::string_view(text).substr(done, n)) == n);
    else if (i % 3 == 1)
      BOOST_TEST_REQUIRE(b.sputn(text.data() + done, static_cast<std::streamsize>(n)) ==
                         static_cast<std::streamsize>(n));
    else {
      std::size_t refused = 0; // one assertion for the run, not one per byte
      for (std::size_t k = 0; k < n; ++k)
        refused += b.sputc(text[done + k]) != traits::to_int_type(text[done + k]);
      BOOST_TEST_REQUIRE(refused == 0u);
    }
    done += n;
  }
  BOOST_TEST(b.size() == text.size());
  BOOST_TEST(contents(b) == text);
  if constexpr (F::rolls)
    BOOST_TEST(b.rolled());

  // Reads of every size from everywhere, across block boundaries.
  for (const std::size_t at :
       {std::size_t(0), block - 3, 2 * block + 1, std::size_t(1) << 20, text.size() - 100}) {
    b.seek(static_cast<std::int64_t>(at));
    BOOST_TEST(str(b.read(block + 5)) == text.substr(at, block + 5));
    b.seek(static_cast<std::int64_t>(at));
    std::string got(300, '\0');
    got.resize(static_cast<std::size_t>(b.sgetn(got.data(), 300)));
    BOOST_TEST(got == text.substr(at, 300));
    BOOST_TEST(b.tell() == at + got.size());
  }

  // Overwrite across a block boundary, a line that spans blocks, a gap of
  // more than a block, then cut below every threshold.
  std::string want = text;
  b.seek(static_cast<std::int64_t>(block - 2));
  b.write("OVERWRITE");
  want.replace(block - 2, 9, "OVERWRITE");
  b.seek(10);
  b.write("\n");
  want[10] = '\n';
  b.seek(static_cast<std::int64_t>(3 * block));
  b.write("\n");
  want[3 * block] = '\n';
  b.seek(11);
  BOOST_TEST(str(b.readline()) == want.substr(11, 3 * block - 10));
  b.seek(static_cast<std::int64_t>(text.size() + block + 1));
  b.write("end");
  want += std::string(block + 1, '\0') + "end";
  BOOST_TEST(contents(b) == want);
  b.truncate(5);
  BOOST_TEST(contents(b) == want.substr(0, 5));
  BOOST_TEST(b.tell() == want.size());
}
