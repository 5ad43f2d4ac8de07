// SPDX-License-Identifier: BSL-1.0
#include "bytesio/byte_vector.hpp"

#define BOOST_TEST_MODULE byte_vector
#include "support/unit_test.hpp"

#include <algorithm>
#include <cstring>
#include <string>

using bytesio::byte_vector;

namespace {

std::string str(const byte_vector &v) {
  return {reinterpret_cast<const char *>(v.data()), v.size()};
}

} // namespace

BOOST_AUTO_TEST_CASE(empty_allocates_nothing) {
  byte_vector v;
  BOOST_TEST(v.empty());
  BOOST_TEST(v.size() == 0u);
  BOOST_TEST(v.capacity() == 0u);
  BOOST_TEST(v.data() == nullptr);
  BOOST_TEST((v.begin() == v.end()));
}

BOOST_AUTO_TEST_CASE(construct_from_span_and_string_view) {
  const std::byte raw[] = {std::byte{1}, std::byte{0xFF}, std::byte{0}};
  byte_vector a{std::span<const std::byte>(raw)};
  BOOST_TEST(a.size() == 3u);
  BOOST_TEST((a[1] == std::byte{0xFF}));
  byte_vector b{std::string_view("hello")};
  BOOST_TEST(str(b) == "hello");
  byte_vector c{std::string_view()};
  BOOST_TEST(c.empty());
}

BOOST_AUTO_TEST_CASE(resize_zero_fills_new_bytes) {
  byte_vector v{std::string_view("abc")};
  v.resize(1);
  v.resize(4);
  BOOST_TEST(v.size() == 4u);
  BOOST_TEST((v[0] == std::byte{'a'}));
  for (std::size_t i = 1; i < 4; ++i)
    BOOST_TEST((v[i] == std::byte{0}));
}

BOOST_AUTO_TEST_CASE(resize_zero_fills_bytes_that_held_data_at_every_size) {
  // Fresh mapped pages are zeros and are not filled again; every byte the
  // vector ever held (or handed out through resize) must be, heap or mapped.
  for (const std::size_t n : {std::size_t(100), std::size_t(3) << 20, std::size_t(9) << 20}) {
    byte_vector v;
    v.resize(n, bytesio::default_init);
    std::memset(v.data(), 0x5a, n);
    v.resize(1);
    v.resize(n + 4096); // grows past what was written: new pages, and old bytes
    std::size_t nonzero = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
      nonzero += v[i] != std::byte{0};
    BOOST_TEST(nonzero == 0u, "n = " << n);
    BOOST_TEST((v[0] == std::byte{0x5a}));
    v.clear();
    v.resize(n / 2);
    BOOST_TEST(std::all_of(v.begin(), v.end(), [](std::byte b) { return b == std::byte{0}; }));
  }
  // Growth that copies from the heap into a mapping, then a resize over the
  // heap block's slack that was never copied.
  byte_vector h;
  h.resize(1000, bytesio::default_init);
  std::memset(h.data(), 0x11, 1000);
  h.resize(10);
  h.reserve(8 << 20); // moves to a mapping: 10 bytes copied, the rest fresh
  h.resize(8 << 20);
  BOOST_TEST(std::all_of(h.begin() + 10, h.end(), [](std::byte b) { return b == std::byte{0}; }));
}

BOOST_AUTO_TEST_CASE(resize_default_init_keeps_prefix) {
  byte_vector v{std::string_view("xyz")};
  v.resize(1000, bytesio::default_init);
  BOOST_TEST(v.size() == 1000u);
  BOOST_TEST(str(v).substr(0, 3) == "xyz");
}

BOOST_AUTO_TEST_CASE(growth_is_geometric_and_small_stays_small) {
  byte_vector v;
  std::size_t reallocations = 0;
  const std::byte *last = nullptr;
  std::size_t last_capacity = 0;
  for (std::size_t n = 1; n <= 1 << 20; ++n) {
    v.resize(n, bytesio::default_init);
    if (v.capacity() != last_capacity) {
      ++reallocations;
      last_capacity = v.capacity();
    }
    last = v.data();
  }
  (void)last;
  BOOST_TEST(reallocations < 40u);
  byte_vector small;
  small.resize(100);
  BOOST_TEST(small.capacity() < 1024u);
}

BOOST_AUTO_TEST_CASE(reserve_never_shrinks_and_keeps_bytes) {
  byte_vector v{std::string_view("keep")};
  v.reserve(3 << 20); // crosses into mapped memory
  BOOST_TEST(v.capacity() >= (3u << 20));
  BOOST_TEST(str(v) == "keep");
  const std::size_t cap = v.capacity();
  v.reserve(10);
  BOOST_TEST(v.capacity() == cap);
  v.reserve(64u << 20); // mapped to mapped
  BOOST_TEST(str(v) == "keep");
}

BOOST_AUTO_TEST_CASE(large_growth_keeps_every_byte) {
  byte_vector v;
  const std::size_t n = 40u << 20;
  for (std::size_t size = 0; size < n;) {
    const std::size_t next = std::min(n, size + 777777);
    v.resize(next, bytesio::default_init);
    for (std::size_t i = size; i < next; ++i)
      v[i] = static_cast<std::byte>(i * 31 % 251);
    size = next;
  }
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i)
    ok = ok && v[i] == static_cast<std::byte>(i * 31 % 251);
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(shrink_to_fit_from_mapped_to_heap) {
  byte_vector v{std::string_view("abcdef")};
  v.reserve(8u << 20);
  v.shrink_to_fit();
  BOOST_TEST(v.capacity() < 64u);
  BOOST_TEST(str(v) == "abcdef");
  v.clear();
  BOOST_TEST(v.capacity() > 0u);
  v.shrink_to_fit();
  BOOST_TEST(v.capacity() == 0u);
  BOOST_TEST(v.data() == nullptr);
}

BOOST_AUTO_TEST_CASE(copy_is_deep_move_is_o1) {
  byte_vector a{std::string_view("data")};
  byte_vector b = a;
  BOOST_TEST((a == b));
  BOOST_TEST(a.data() != b.data());
  b[0] = std::byte{'D'};
  BOOST_TEST(str(a) == "data");
  const std::byte *p = a.data();
  byte_vector c = std::move(a);
  BOOST_TEST(c.data() == p);
  BOOST_TEST(a.empty());
  BOOST_TEST(a.capacity() == 0u);
  byte_vector d;
  d = std::move(c);
  BOOST_TEST(d.data() == p);
  BOOST_TEST(c.empty());
  const byte_vector &same = d;
  d = same; // self copy-assignment keeps the contents
  BOOST_TEST(str(d) == "data");
}

BOOST_AUTO_TEST_CASE(swap_and_equality) {
  byte_vector a{std::string_view("one")}, b{std::string_view("two!")};
  swap(a, b);
  BOOST_TEST(str(a) == "two!");
  BOOST_TEST(str(b) == "one");
  BOOST_TEST(!(a == b));
  BOOST_TEST((byte_vector{} == byte_vector{std::string_view()}));
  BOOST_TEST(!(byte_vector{std::string_view("ab")} == byte_vector{std::string_view("ac")}));
}

BOOST_AUTO_TEST_CASE(converts_to_spans) {
  byte_vector v{std::string_view("span")};
  std::span<std::byte> s = v;
  std::span<const std::byte> cs = std::as_const(v);
  BOOST_TEST(s.data() == v.data());
  BOOST_TEST(cs.size() == 4u);
}

BOOST_AUTO_TEST_CASE(self_assignment_keeps_the_bytes) {
  byte_vector v;
  v.resize(5, bytesio::default_init);
  std::memcpy(v.data(), "hello", 5);
  byte_vector &same = v;
  v = same;
  BOOST_TEST(v.size() == 5u);
  BOOST_TEST(std::memcmp(v.data(), "hello", 5) == 0);
}

BOOST_AUTO_TEST_CASE(growth_beyond_max_size_is_bad_alloc_and_changes_nothing) {
  byte_vector v;
  v.resize(3, bytesio::default_init);
  std::memcpy(v.data(), "abc", 3);
  const auto capacity = v.capacity();
  BOOST_CHECK_THROW(v.reserve(byte_vector::max_size() + 1), std::bad_alloc);
  BOOST_CHECK_THROW(v.resize(byte_vector::max_size() + 1, bytesio::default_init), std::bad_alloc);
  BOOST_TEST(v.size() == 3u);
  BOOST_TEST(v.capacity() == capacity);
  BOOST_TEST(std::memcmp(v.data(), "abc", 3) == 0);
}
