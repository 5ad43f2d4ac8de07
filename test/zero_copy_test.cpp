// SPDX-License-Identifier: BSL-1.0
// take() and adoption copy nothing; small buffers stay small (issue 5).
// No timing here: "copies nothing" is shown by counting the allocator's
// calls (std::vector storage) and by pointer identity (byte_vector), which
// also proves that the cost does not depend on the size.
#include "bytesio/bytes_stream.hpp"

#define BOOST_TEST_MODULE zero_copy_test
#include "support/unit_test.hpp"

#include "support/allocators.hpp"

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace bytesio::test;

namespace {

using counted_vector = std::vector<char, counting_allocator<char>>;

constexpr std::size_t mib = std::size_t(1) << 20;
constexpr std::size_t gib = std::size_t(1) << 30;

counted_vector counted_bytes(std::size_t n) {
  counted_vector v(n);
  for (std::size_t i = 0; i < n; i += 4096)
    v[i] = static_cast<char>(i / 4096);
  return v;
}

// A byte_vector of n bytes whose first and last bytes are marked; the pages
// in between are never touched, so 1 GiB costs little.
bytesio::byte_vector marked_bytes(std::size_t n) {
  bytesio::byte_vector v;
  v.resize(n, bytesio::default_init);
  v[0] = std::byte{0x5a};
  v[n - 1] = std::byte{0xa5};
  return v;
}

} // namespace

BOOST_AUTO_TEST_CASE(counter_sees_a_copy) {
  // The counter must notice a copy, or the zero counts below prove nothing.
  bytesio::basic_bytes_buf<counted_vector> buf(counted_bytes(mib));
  alloc_counts::reset();
  const counted_vector copy = buf.getvalue();
  BOOST_TEST(alloc_counts::allocations >= 1u);
  BOOST_TEST(copy.size() == mib);
  BOOST_TEST(static_cast<const void *>(copy.data()) !=
             static_cast<const void *>(buf.view().data()));
}

BOOST_AUTO_TEST_CASE(vector_adopt_and_take_allocate_nothing) {
  for (const std::size_t n : {std::size_t(1), std::size_t(4096), mib, 16 * mib}) {
    counted_vector v = counted_bytes(n);
    const char *p = v.data();
    alloc_counts::reset();
    bytesio::basic_bytes_buf<counted_vector> buf(std::move(v));
    BOOST_TEST(alloc_counts::allocations == 0u);
    BOOST_TEST(alloc_counts::constructions == 0u);
    BOOST_TEST(buf.size() == n);
    BOOST_TEST(static_cast<const void *>(buf.view().data()) == static_cast<const void *>(p));

    const counted_vector out = buf.take();
    BOOST_TEST(alloc_counts::allocations == 0u, "take() allocated, n = " << n);
    BOOST_TEST(alloc_counts::constructions == 0u, "take() constructed elements, n = " << n);
    BOOST_TEST(out.data() == p);
    BOOST_TEST(out.size() == n);
    BOOST_TEST(buf.size() == 0u);
    BOOST_TEST(buf.tell() == 0u);
  }
}

BOOST_AUTO_TEST_CASE(vector_stream_adopt_read_take_allocate_nothing) {
  counted_vector v = counted_bytes(mib);
  const char *p = v.data();
  alloc_counts::reset();
  bytesio::basic_bytes_stream<counted_vector> s(std::move(v));
  char head[4096];
  BOOST_TEST(static_cast<bool>(s.read(head, sizeof head)));
  BOOST_TEST(head[0] == 0);
  BOOST_TEST(s.tellg() == std::streampos(4096));
  BOOST_TEST(alloc_counts::allocations == 0u);

  bytesio::basic_bytes_stream<counted_vector> moved(std::move(s));
  BOOST_TEST(alloc_counts::allocations == 0u, "moving the stream allocated");
  const counted_vector out = moved.take();
  BOOST_TEST(alloc_counts::allocations == 0u);
  BOOST_TEST(alloc_counts::constructions == 0u);
  BOOST_TEST(out.data() == p);
  BOOST_TEST(out.size() == mib);
}

BOOST_AUTO_TEST_CASE(vector_take_after_stream_writes_allocates_nothing) {
  // The stream's growth leaves slack past the contents; take() must trim
  // it by shrinking the size, never by reallocating.
  bytesio::basic_bytes_stream<counted_vector> s;
  const std::string record(4096 + 3, 'r');
  for (int i = 0; i < 300; ++i)
    s.write(record.data(), static_cast<std::streamsize>(record.size()));
  s.put('!');
  BOOST_REQUIRE(s.good());
  const std::size_t n = 300 * record.size() + 1;
  const void *p = s.view().data();
  alloc_counts::reset();
  const counted_vector out = s.take();
  BOOST_TEST(alloc_counts::allocations == 0u);
  BOOST_TEST(alloc_counts::constructions == 0u);
  BOOST_TEST(static_cast<const void *>(out.data()) == p);
  BOOST_TEST(out.size() == n);
  BOOST_TEST(out.back() == '!');
  BOOST_TEST(s.size() == 0u);
}

BOOST_AUTO_TEST_CASE(byte_vector_adopt_and_take_keep_the_pointer) {
  for (const std::size_t n : {mib, gib}) {
    bytesio::byte_vector v = marked_bytes(n);
    const std::byte *p = v.data();

    bytesio::bytes_stream s(std::move(v));
    BOOST_TEST(v.data() == nullptr); // moved from: left empty
    BOOST_TEST(s.view().data() == p);
    BOOST_TEST(s.size() == n);
    BOOST_TEST(s.get() == 0x5a);
    s.seekg(-1, std::ios_base::end);
    BOOST_TEST(s.get() == 0xa5);

    bytesio::bytes_stream moved(std::move(s));
    BOOST_TEST(moved.view().data() == p);

    const bytesio::byte_vector out = moved.take();
    BOOST_TEST(out.data() == p, "take() moved the bytes, n = " << n);
    BOOST_TEST(out.size() == n);
    BOOST_TEST(std::to_integer<int>(out[n - 1]) == 0xa5);
    BOOST_TEST(moved.size() == 0u);
    BOOST_TEST(moved.tellp() == std::streampos(0));
  }
}

BOOST_AUTO_TEST_CASE(byte_vector_take_after_writes_keeps_the_pointer) {
  bytesio::bytes_buf buf;
  const std::string chunk(mib + 1, 'w');
  for (int i = 0; i < 3; ++i)
    buf.write(chunk);
  const std::byte *p = buf.view().data();
  const bytesio::byte_vector out = buf.take();
  BOOST_TEST(out.data() == p);
  BOOST_TEST(out.size() == 3 * chunk.size());
}

BOOST_AUTO_TEST_CASE(a_small_buffer_stays_small) {
  // Growth is geometric from what is needed: 100 bytes must not reserve a
  // huge-page-sized block or a mapping.
  constexpr std::size_t small = 1024;
  const std::string hundred(100, 'h');

  bytesio::bytes_buf once;
  once.write(hundred);
  BOOST_TEST(once.size() == 100u);
  BOOST_TEST(once.capacity() <= small);

  bytesio::bytes_buf copied(std::string_view{hundred});
  BOOST_TEST(copied.capacity() <= small);

  bytesio::bytes_stream bytewise;
  for (char c : hundred)
    bytewise.put(c);
  BOOST_TEST(bytewise.size() == 100u);
  BOOST_TEST(bytewise.buf().capacity() <= small);

  bytesio::bytes_stream records;
  for (int i = 0; i < 10; ++i)
    records.write(hundred.data(), 10);
  BOOST_TEST(records.buf().capacity() <= small);

  bytesio::basic_bytes_stream<std::vector<char>> vec;
  for (char c : hundred)
    vec.put(c);
  BOOST_TEST(vec.buf().capacity() <= small);

  const bytesio::byte_vector out = bytewise.take();
  BOOST_TEST(out.capacity() <= small);
  BOOST_TEST(out.size() == 100u);
}
