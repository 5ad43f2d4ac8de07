// SPDX-License-Identifier: BSL-1.0
// The block cache behind byte_vector (byte_vector.hpp, block_cache_limit):
// freed blocks of 1 MiB and more are reused, within one process-wide limit,
// across threads; reused memory is never taken for zeros; the OS refusing
// memory never fails a request that a cached block could have served.
#include "bytesio/byte_vector.hpp"

#define BOOST_TEST_MODULE block_cache_test
#include "support/unit_test.hpp"

#include "bytesio/bytes_buf.hpp"
#include "bytesio/bytes_stream.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#if defined(__linux__)
#include "support/os_limits.hpp"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define BYTESIO_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BYTESIO_TEST_ASAN 1
#endif
#endif

using bytesio::byte_vector;
using bytesio::detail::cached_bytes;
using namespace bytesio::test;

namespace {

constexpr std::size_t mib = std::size_t(1) << 20;
constexpr std::size_t default_limit = 64 * mib;

// Read before any case's fixture sets the limit.
const std::size_t limit_at_start = bytesio::block_cache_limit();

/** Each case starts with an empty cache at the default limit, and leaves it so. */
struct empty_cache {
  empty_cache() { reset(); }
  ~empty_cache() { reset(); }
  static void reset() {
    bytesio::set_block_cache_limit(0);
    bytesio::set_block_cache_limit(default_limit);
  }
};

/** A vector of `n` bytes, every one `fill`: freed, it leaves a dirty block. */
byte_vector filled(std::size_t n, std::byte fill) {
  byte_vector v;
  v.resize(n, bytesio::default_init);
  std::fill(v.begin(), v.end(), fill);
  return v;
}

/**
 * Leaves dirty blocks of exactly these sizes (multiples of 64 KiB) in the
 * cache, freed in this order; all are allocated first, so none takes another.
 */
void cache_dirty_blocks(const std::vector<std::size_t> &sizes) {
  std::vector<byte_vector> blocks;
  for (const std::size_t n : sizes) {
    byte_vector v;
    v.reserve(n);
    BOOST_REQUIRE(v.capacity() == n);
    v.resize(n, bytesio::default_init);
    std::fill(v.begin(), v.end(), std::byte{0xA5});
    blocks.push_back(std::move(v));
  }
}

void cache_dirty_block(std::size_t n) { cache_dirty_blocks({n}); }

bool all_zero(std::span<const std::byte> s) {
  return std::all_of(s.begin(), s.end(), [](std::byte b) { return b == std::byte{0}; });
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(block_cache, empty_cache)

BOOST_AUTO_TEST_CASE(the_limit_is_64_mib_by_default_and_settable) {
  BOOST_TEST(limit_at_start == default_limit);
  bytesio::set_block_cache_limit(8 * mib);
  BOOST_TEST(bytesio::block_cache_limit() == 8 * mib);
}

BOOST_AUTO_TEST_CASE(a_freed_block_serves_the_next_allocation_of_its_size) {
  const std::byte *first = nullptr;
  {
    byte_vector v = filled(4 * mib, std::byte{1});
    first = v.data();
  }
  BOOST_TEST(cached_bytes() == 4 * mib);
  byte_vector w;
  w.reserve(3 * mib);
  BOOST_TEST(w.data() == first);
  BOOST_TEST(w.capacity() == 4 * mib); // taken whole
  BOOST_TEST(cached_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(small_vectors_are_not_cached) {
  { byte_vector v = filled(mib / 2, std::byte{1}); }
  BOOST_TEST(cached_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(growth_takes_the_smallest_block_that_fits) {
  cache_dirty_blocks({16 * mib, 4 * mib, 8 * mib});
  byte_vector v;
  v.reserve(2 * mib);
  BOOST_TEST(v.capacity() == 4 * mib);
  v.reserve(5 * mib); // a mapped block grows into a warm one: a copy, not new pages
  BOOST_TEST(v.capacity() == 8 * mib);
  BOOST_TEST(cached_bytes() == 16 * mib + 4 * mib); // the 4 MiB one went back
}

BOOST_AUTO_TEST_CASE(growth_takes_no_block_more_than_16_times_its_request) {
  cache_dirty_block(32 * mib);
  byte_vector v;
  v.reserve(mib);
  BOOST_TEST(v.capacity() == mib);
  BOOST_TEST(cached_bytes() == 32 * mib);
  v.reserve(2 * mib);
  BOOST_TEST(v.capacity() == 32 * mib);
}

BOOST_AUTO_TEST_CASE(a_copy_takes_a_block_of_at_most_twice_its_size) {
  const byte_vector small = filled(2 * mib, std::byte{7});
  const byte_vector large = filled(10 * mib, std::byte{7});
  cache_dirty_block(16 * mib);
  BOOST_TEST(byte_vector(small).capacity() < 4 * mib); // not the 16 MiB block
  BOOST_TEST(cached_bytes() >= 16 * mib);
  const byte_vector copy(large);
  BOOST_TEST(copy.capacity() == 16 * mib);
  BOOST_TEST((copy == large));
}

BOOST_AUTO_TEST_CASE(the_oldest_blocks_go_first_past_the_limit) {
  bytesio::set_block_cache_limit(8 * mib);
  cache_dirty_blocks({4 * mib, 2 * mib, 5 * mib}); // 11 MiB: the 4 MiB block goes
  BOOST_TEST(cached_bytes() == 7 * mib);
  cache_dirty_block(16 * mib); // over the limit alone: unmapped at once
  BOOST_TEST(cached_bytes() == 7 * mib);
  byte_vector v;
  v.reserve(3 * mib);
  BOOST_TEST(v.capacity() == 5 * mib);
  BOOST_TEST(cached_bytes() == 2 * mib);
}

BOOST_AUTO_TEST_CASE(past_64_blocks_the_oldest_goes) {
  bytesio::set_block_cache_limit(128 * mib);
  std::vector<std::size_t> sizes(65, mib);
  sizes[0] = 2 * mib;
  cache_dirty_blocks(sizes);
  BOOST_TEST(cached_bytes() == 64 * mib); // the oldest, the 2 MiB block, went
}

BOOST_AUTO_TEST_CASE(shrink_to_fit_never_takes_a_larger_block) {
  byte_vector v = filled(8 * mib, std::byte{6});
  cache_dirty_block(32 * mib);
  v.resize(3 * mib);
  v.shrink_to_fit();
  BOOST_TEST(v.capacity() >= 3 * mib);
  BOOST_TEST(v.capacity() < 8 * mib);
  BOOST_TEST(std::all_of(v.begin(), v.end(), [](std::byte b) { return b == std::byte{6}; }));
}

BOOST_AUTO_TEST_CASE(a_lower_limit_releases_what_is_over_and_zero_releases_all) {
  for (int i = 0; i < 4; ++i)
    cache_dirty_block(4 * mib + std::size_t(i) * mib);
  BOOST_TEST(cached_bytes() == 22 * mib);
  bytesio::set_block_cache_limit(12 * mib);
  BOOST_TEST(cached_bytes() == 7 * mib + 0u); // the newest, 7 MiB, alone fits
  bytesio::set_block_cache_limit(0);
  BOOST_TEST(cached_bytes() == 0u);
  cache_dirty_block(4 * mib);
  BOOST_TEST(cached_bytes() == 0u); // the cache is off
}

// ---- reused memory is not zero ---------------------------------------------------------
// Each path that leaves a gap past the end must zero-fill it in a vector
// that grew into a dirty cached block.

BOOST_AUTO_TEST_CASE(a_gap_in_reused_memory_reads_zeros_on_every_path) {
  const std::size_t gap_end = 3 * mib;
  const auto check_gap = [&](const bytesio::bytes_buf &b, std::size_t from, const char *path) {
    BOOST_TEST_CONTEXT(path) {
      const auto v = b.view();
      BOOST_REQUIRE(v.size() == gap_end + 1);
      BOOST_TEST(all_zero(v.subspan(from, gap_end - from)));
      BOOST_TEST((v[gap_end] == std::byte{'x'}));
    }
  };
  {
    empty_cache::reset();
    cache_dirty_block(4 * mib);
    bytesio::bytes_buf b{std::string_view("abc")};
    b.seek(gap_end);
    b.write(std::string_view("x"));
    BOOST_TEST(cached_bytes() == 0u); // it took the dirty block
    check_gap(b, 3, "seek + write");
  }
  {
    empty_cache::reset();
    cache_dirty_block(4 * mib);
    bytesio::bytes_buf b{std::string_view("abc")};
    std::ostream os(&b);
    os.seekp(static_cast<std::streamoff>(gap_end));
    os.put('x');
    BOOST_TEST(cached_bytes() == 0u);
    check_gap(b, 3, "stream seekp + put");
  }
  {
    empty_cache::reset();
    cache_dirty_block(4 * mib);
    bytesio::bytes_buf b;
    b.write(pattern(gap_end, 1)); // grows through the dirty block
    b.truncate(10);
    b.seek(gap_end);
    b.write(std::string_view("x"));
    check_gap(b, 10, "truncate, then write past the end");
  }
  {
    empty_cache::reset();
    bytesio::bytes_buf b;
    b.write(pattern(2 * mib, 2)); // a mapped block of its own: fresh pages
    cache_dirty_block(8 * mib);
    b.seek(gap_end);
    b.write(std::string_view("x"));        // grows by copying into the dirty one
    BOOST_TEST(cached_bytes() == 2 * mib); // its own block went back
    BOOST_TEST(b.view().first(2 * mib).size() == 2 * mib);
    BOOST_TEST(str(b.view().first(2 * mib)) == pattern(2 * mib, 2));
    check_gap(b, 2 * mib, "a mapped block grown into a dirty one");
  }
  {
    empty_cache::reset();
    cache_dirty_block(4 * mib);
    byte_vector v{std::string_view("abc")};
    v.resize(gap_end);
    BOOST_TEST(cached_bytes() == 0u);
    BOOST_TEST(all_zero(std::span(v).subspan(3)));
    v.resize(1);
    v.resize(4 * mib); // within the capacity
    BOOST_TEST(all_zero(std::span(v).subspan(1)));
  }
}

BOOST_AUTO_TEST_CASE(a_block_a_stream_left_dirty_past_its_size_reads_zeros_when_reused) {
  // A put area writes past the vector's size and settles it later: the
  // freed block's own record of its untouched pages cannot be trusted.
  {
    bytesio::bytes_stream s;
    s.buf().reserve(4 * mib);
    for (std::size_t i = 0; i < 2 * mib; ++i)
      s.put('\xA5');
  } // destroyed with its put area unsettled
  BOOST_TEST(cached_bytes() == 4 * mib);
  bytesio::bytes_buf b;
  b.seek(3 * mib);
  b.write(std::string_view("x"));
  BOOST_TEST(cached_bytes() == 0u);
  BOOST_TEST(all_zero(b.view().first(3 * mib)));
}

// ---- threads --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_block_freed_in_another_thread_is_reused) {
  byte_vector response = filled(4 * mib, std::byte{3});
  const std::byte *block = response.data();
  std::thread sender([r = std::move(response)]() mutable { byte_vector gone = std::move(r); });
  sender.join();
  BOOST_TEST(cached_bytes() == 4 * mib);
  byte_vector next;
  next.reserve(4 * mib);
  BOOST_TEST(next.data() == block);
}

BOOST_AUTO_TEST_CASE(threads_building_and_freeing_at_once_keep_their_bytes) {
  // Producers build responses and hand half of them to a thread that frees
  // them while the producers go on; every response must hold its own
  // pattern (scripts/tsan runs this case).
  constexpr int producers = 3;
  constexpr int rounds = 40;
  std::atomic<int> wrong{0};
  std::mutex m;
  std::condition_variable cv;
  std::deque<byte_vector> handed;
  int running = producers;
  std::thread freer([&] {
    std::unique_lock lock(m);
    for (;;) {
      cv.wait(lock, [&] { return running == 0 || !handed.empty(); });
      if (handed.empty())
        return;
      byte_vector v = std::move(handed.front());
      handed.pop_front();
      lock.unlock();
      v = byte_vector(); // freed here, while the producers allocate
      lock.lock();
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < producers; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < rounds; ++i) {
        const auto fill = static_cast<std::byte>(t * rounds + i);
        bytesio::bytes_buf b;
        const std::string record(4096, static_cast<char>(fill));
        const std::size_t records = 256 + std::size_t(i % 5) * 300; // 1 to 5.7 MiB
        for (std::size_t r = 0; r < records; ++r)
          b.write(record);
        byte_vector v = b.take();
        if (v.size() != records * record.size() ||
            !std::all_of(v.begin(), v.end(), [fill](std::byte x) { return x == fill; }))
          ++wrong;
        if (i % 2 == 0) {
          const std::lock_guard lock(m);
          handed.push_back(std::move(v));
          cv.notify_one();
        }
      }
      const std::lock_guard lock(m);
      if (--running == 0)
        cv.notify_one();
    });
  for (auto &t : threads)
    t.join();
  freer.join();
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(handed.empty());
  BOOST_TEST(cached_bytes() <= default_limit);
}

// ---- the limit and the operating system -----------------------------------------------

#if defined(__linux__)
BOOST_AUTO_TEST_CASE(a_burst_leaves_at_most_the_limit_cached) {
  const std::size_t baseline = resident_bytes();
  {
    std::vector<byte_vector> burst;
    for (int i = 0; i < 100; ++i)
      burst.push_back(filled(16 * mib, std::byte{9}));
  }
  BOOST_TEST(cached_bytes() <= default_limit);
#if !defined(BYTESIO_TEST_ASAN) // ASan keeps shadow memory resident
  // The limit plus one buffer, above where the process stood.
  BOOST_TEST(resident_bytes() <= baseline + default_limit + 16 * mib);
  bytesio::set_block_cache_limit(0);
  BOOST_TEST(resident_bytes() <= baseline + 16 * mib);
#else
  (void)baseline;
#endif
}

BOOST_AUTO_TEST_CASE(memory_the_os_refuses_comes_from_the_cache) {
  cache_dirty_blocks({16 * mib, 48 * mib});
  address_space_limit limit(8 * mib);
  // A cached block fits: no new memory needed.
  byte_vector a;
  BOOST_REQUIRE_NO_THROW(a.reserve(12 * mib));
  BOOST_TEST(a.capacity() == 16 * mib);
  // None fits: the cache gives back its 48 MiB, and then the OS has room.
  byte_vector b;
  BOOST_REQUIRE_NO_THROW(b.reserve(50 * mib));
  BOOST_TEST(cached_bytes() == 0u);
  b.resize(50 * mib);
  BOOST_TEST(all_zero(b));
  // Nothing left to give back: a real refusal.
  byte_vector c;
  BOOST_CHECK_THROW(c.reserve(64 * mib), std::bad_alloc);
}
#endif

BOOST_AUTO_TEST_SUITE_END()
