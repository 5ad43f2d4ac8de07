// SPDX-License-Identifier: BSL-1.0
// Fault injection: every allocation along a sequence of file-like and stream
// operations is made to fail in turn (std::bad_alloc from the storage's
// allocator on the Nth allocation, for every N), and each failing operation
// must leave the buffer exactly as it was (strong guarantee): same contents,
// position, size and open state. The file-like call throws std::bad_alloc;
// the stream call sets badbit (or rethrows it when exceptions() asks).
// After the failure, the same operation run again must succeed and give the
// state a run without faults gives.
#include "bytesio/bytes_stream.hpp"

#define BOOST_TEST_MODULE fault_injection_test
#include "support/unit_test.hpp"
#include <boost/mpl/list.hpp>

#include "support/allocators.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <ostream>
#include <string>
#include <vector>

using namespace bytesio::test;

namespace {

using vector_storage = std::vector<std::byte, failing_allocator<std::byte>>;
using string_storage = std::basic_string<char, std::char_traits<char>, failing_allocator<char>>;
using storage_types = boost::mpl::list<vector_storage, string_storage>;

template <class Storage>
struct snapshot {
  std::vector<std::byte> contents;
  std::uint64_t position = 0;
  std::size_t size = 0;
  bool closed = false;

  explicit snapshot(const bytesio::basic_bytes_stream<Storage> &s) {
    const auto v = s.buf().view();
    contents.assign(v.begin(), v.end());
    size = s.buf().size();
    closed = s.buf().closed();
    position = closed ? 0 : s.buf().tell();
  }
  bool operator==(const snapshot &) const = default;

  friend std::ostream &operator<<(std::ostream &os, const snapshot &s) {
    return os << "{size " << s.size << ", position " << s.position << ", "
              << (s.closed ? "closed" : "open") << "}";
  }
};

template <class Storage>
struct step {
  const char *name;
  bool stream_level; // reports through the stream state, not by throwing
  std::function<void(bytesio::basic_bytes_stream<Storage> &)> run;
};

const std::string line_text = "first line\nsecond, a longer line\nthird\n\nfifth without newline";

// The sequence starts with reserve(initial), so each run meets its
// reallocations at different steps.
template <class Storage>
std::vector<step<Storage>> test_sequence(std::size_t initial) {
  using stream = bytesio::basic_bytes_stream<Storage>;
  const std::string big(300, 'x');
  return {
      {"reserve at the start", false, [initial](stream &s) { s.buf().reserve(initial); }},
      {"write", false, [](stream &s) { s.buf().write(std::string_view("hello")); }},
      {"write large", false, [big](stream &s) { s.buf().write(big); }},
      {"ostream::put", true, [](stream &s) { s.put('!'); }},
      {"ostream::write", true, [big](stream &s) { s.write(big.data(), 200); }},
      {"seek past the end", false, [](stream &s) { s.buf().seek(100, std::ios_base::end); }},
      {"write after a gap", false, [](stream &s) { s.buf().write(std::string_view("gap")); }},
      {"seekp past the end", true, [](stream &s) { s.seekp(5000, std::ios_base::beg); }},
      {"ostream::put after a gap", true, [](stream &s) { s.put('g'); }},
      {"seek 0", false, [](stream &s) { s.buf().seek(0); }},
      {"read", false, [](stream &s) { (void)s.buf().read(50); }},
      {"getvalue", false, [](stream &s) { (void)s.buf().getvalue(); }},
      {"istream::get", true, [](stream &s) { (void)s.get(); }},
      {"truncate", false, [](stream &s) { s.buf().truncate(0); }},
      {"write lines", false, [](stream &s) { s.buf().write(line_text); }},
      {"seek 0", false, [](stream &s) { s.buf().seek(0); }},
      {"readline", false, [](stream &s) { (void)s.buf().readline(); }},
      {"readlines", false, [](stream &s) { (void)s.buf().readlines(); }},
      {"seek to line 2", false, [](stream &s) { s.buf().seek(11); }},
      {"readlines with a hint", false, [](stream &s) { (void)s.buf().readlines(30); }},
      {"reserve", false, [](stream &s) { s.buf().reserve(100000); }},
      {"shrink_to_fit", false, [](stream &s) { s.buf().shrink_to_fit(); }},
      {"seekg to the end", true, [](stream &s) { s.seekg(0, std::ios_base::end); }},
      {"ostream::write appends", true, [big](stream &s) { s.write(big.data(), 300); }},
      {"seekg back", true, [](stream &s) { s.seekg(-10, std::ios_base::cur); }},
      {"putback", true, [](stream &s) { s.putback('Q'); }},
      {"istream::read", true,
       [](stream &s) {
         char buf[8];
         s.read(buf, sizeof buf);
       }},
      {"take", false, [](stream &s) { (void)s.buf().take(); }},
      {"write after take", false, [](stream &s) { s.buf().write(std::string_view("again")); }},
      {"clear", false, [](stream &s) { s.buf().clear(); }},
      {"ostream::write after clear", true, [big](stream &s) { s.write(big.data(), 64); }},
      {"close", false, [](stream &s) { s.buf().close(); }},
  };
}

// Runs steps [0, k) with no faults.
template <class Storage>
void replay(bytesio::basic_bytes_stream<Storage> &s, const std::vector<step<Storage>> &steps,
            std::size_t k) {
  for (std::size_t i = 0; i < k; ++i) {
    s.clear();
    steps[i].run(s);
    BOOST_REQUIRE_MESSAGE(!s.bad(), "step " << steps[i].name << " failed without a fault");
  }
}

} // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(every_allocation_failure_leaves_the_buffer_as_it_was, Storage,
                              storage_types) {
  using stream = bytesio::basic_bytes_stream<Storage>;
  long points = 0;
  std::size_t allocating_steps = 0, total_steps = 0;
  for (const std::size_t initial : {0u, 1u, 16u, 200u, 520u, 4096u}) {
    const auto steps = test_sequence<Storage>(initial);
    total_steps += steps.size();
    for (std::size_t k = 0; k < steps.size(); ++k) {
      // The reference: the state after step k when nothing fails.
      stream clean;
      replay(clean, steps, k + 1);
      const snapshot<Storage> want_after(clean);

      bool allocated = false;
      for (long n = 0;; ++n) {
        stream s;
        replay(s, steps, k);
        const snapshot<Storage> before(s);
        s.clear();
        bool failed = false;
        {
          armed plan(n);
          if (steps[k].stream_level) {
            steps[k].run(s);
            failed = s.bad();
          } else {
            try {
              steps[k].run(s);
            } catch (const std::bad_alloc &) {
              failed = true;
            }
          }
          // The fault was not reached: this step makes fewer than n+1 allocations.
          if (!failed && fault_plan::countdown >= 0) {
            BOOST_TEST(snapshot<Storage>(s) == want_after,
                       steps[k].name << ": unfaulted run differs");
            break;
          }
        }
        if (!failed) {
          // The callee absorbed the failure (shrink_to_fit is a request the
          // container may decline): then the step simply succeeded.
          allocated = true;
          ++points;
          BOOST_TEST(snapshot<Storage>(s) == want_after,
                     steps[k].name << ": allocation " << n
                                   << " failed silently and changed the result");
          continue;
        }
        allocated = true;
        ++points;
        BOOST_TEST(snapshot<Storage>(s) == before,
                   steps[k].name << ": allocation " << n << " failed and changed the buffer");
        // Still usable, and the retry lands where a clean run does.
        s.clear();
        steps[k].run(s);
        BOOST_TEST(!s.bad());
        BOOST_TEST(snapshot<Storage>(s) == want_after,
                   steps[k].name << ": the retry after allocation failure " << n << " differs");
      }
      allocating_steps += allocated ? 1 : 0;
    }
  }
  BOOST_TEST_MESSAGE("allocation-failure points checked: " << points << " over " << allocating_steps
                                                           << " of " << total_steps << " steps");
  // The sequence writes, reads and copies: most of its steps allocate.
  BOOST_TEST(allocating_steps >= 60u);
  BOOST_TEST(points >= static_cast<long>(allocating_steps));
}

BOOST_AUTO_TEST_CASE(exceptions_badbit_rethrows_the_bad_alloc) {
  bytesio::basic_bytes_stream<vector_storage> s;
  s.exceptions(std::ios_base::badbit);
  s.write("abc", 3);
  const std::string big(1000, 'y');
  {
    armed plan(0);
    BOOST_CHECK_THROW(s.write(big.data(), static_cast<std::streamsize>(big.size())),
                      std::bad_alloc);
  }
  BOOST_TEST(s.bad());
  BOOST_TEST(s.buf().size() == 3u);
  BOOST_TEST(s.buf().tell() == 3u);
}

BOOST_AUTO_TEST_CASE(construction_failure_throws_bad_alloc) {
  const std::string text(100, 'z');
  armed plan(0);
  BOOST_CHECK_THROW(bytesio::basic_bytes_buf<vector_storage>{std::string_view(text)},
                    std::bad_alloc);
}

// ---- memory the operating system refuses ----------------------------------------------
// byte_vector, bytes_buf's default storage, asks the OS itself: malloc for
// exact copies, an anonymous mapping (mmap, then mremap) for growth from
// 1 MiB. A lowered address-space limit makes those requests fail.

#if defined(__linux__)
#include "bytesio/bytes_buf.hpp"
#include "bytesio/cfile.hpp"
#include "support/os_limits.hpp"
#include "support/test_support.hpp"

#include <cerrno>
#include <cstdio>

#if defined(__SANITIZE_ADDRESS__)
// ASan's malloc aborts on a request it cannot serve unless told to return
// null as the C library's does; the copy test below needs the real behaviour.
extern "C" const char *__asan_default_options() { return "allocator_may_return_null=1"; }
#endif

namespace {

constexpr std::size_t mib = std::size_t(1) << 20;

/**
 * Empties byte_vector's block cache: a refused request is asked again once
 * the cache gives its blocks back, which would let a request these cases
 * expect to fail succeed, depending on what earlier cases left cached.
 */
void empty_block_cache() {
  const std::size_t limit = bytesio::block_cache_limit();
  bytesio::set_block_cache_limit(0);
  bytesio::set_block_cache_limit(limit);
}

/** The state a failed call must leave: size, position, and the bytes. */
void check_unchanged(const bytesio::bytes_buf &b, const std::string &data, std::uint64_t position) {
  BOOST_TEST(b.size() == data.size());
  BOOST_TEST(b.tell() == position);
  BOOST_TEST(str(b.view()) == data);
}

} // namespace

BOOST_AUTO_TEST_CASE(growth_the_os_refuses_throws_bad_alloc_and_keeps_the_buffer) {
  // From the heap into a first mapping (256 KiB of contents), and a mapping
  // grown in place or moved (2 MiB): a write 128 MiB out needs either.
  for (const std::size_t initial : {mib / 4, 2 * mib}) {
    bytesio::bytes_buf b;
    const std::string data = pattern(initial, 3);
    b.write(data);
    const std::uint64_t far = 128 * mib;
    b.seek(far);
    {
      empty_block_cache();
      address_space_limit limit(32 * mib);
      BOOST_CHECK_THROW(b.write(std::string_view("x")), std::bad_alloc);
      check_unchanged(b, data, far);
      // A stream over the buffer reports the same through its state.
      std::ostream os(&b);
      os.put('x');
      BOOST_TEST(os.bad());
      check_unchanged(b, data, far);
    }
    b.write(std::string_view("x")); // the memory is there again
    BOOST_TEST(b.size() == far + 1);
    const auto v = b.view();
    BOOST_TEST(str(v.first(initial)) == data);
    BOOST_TEST((v[initial] == std::byte{0} && v[far - 1] == std::byte{0}));
    BOOST_TEST((v[far] == std::byte{'x'}));
  }
}

BOOST_AUTO_TEST_CASE(a_copy_the_os_refuses_throws_bad_alloc_and_consumes_nothing) {
  bytesio::bytes_buf b;
  b.seek(64 * mib);
  b.write(std::string_view("end")); // a sparse 64 MiB: no memory touched
  b.seek(10);
  {
    empty_block_cache();
    address_space_limit limit(32 * mib);
    BOOST_CHECK_THROW((void)b.getvalue(), std::bad_alloc);
    BOOST_CHECK_THROW((void)b.read(), std::bad_alloc);
    BOOST_TEST(b.tell() == 10u);
    BOOST_TEST(b.size() == 64 * mib + 3);
  }
  const auto rest = b.read();
  BOOST_TEST(rest.size() == 64 * mib + 3 - 10);
  BOOST_TEST(str(std::span(rest).last(3)) == "end");
}

BOOST_AUTO_TEST_CASE(memory_the_os_refuses_reaches_a_c_stream_as_enomem) {
  bytesio::bytes_buf b{std::string_view("head")};
  std::FILE *f = bytesio::open_file(b, "r+");
  BOOST_REQUIRE(f != nullptr);
  BOOST_REQUIRE(std::setvbuf(f, nullptr, _IONBF, 0) == 0); // each write reaches the buffer
  BOOST_REQUIRE(::fseeko(f, off_t(128 * mib), SEEK_SET) == 0);
  {
    empty_block_cache();
    address_space_limit limit(32 * mib);
    errno = 0;
    BOOST_TEST(std::fwrite("x", 1, 1, f) == 0u);
    BOOST_TEST(errno == ENOMEM);
    BOOST_TEST(std::ferror(f) != 0);
  }
  BOOST_TEST(str(b.view()) == "head"); // nothing landed
  std::clearerr(f);
  BOOST_TEST(std::fwrite("x", 1, 1, f) == 1u);
  BOOST_TEST(std::fclose(f) == 0);
  BOOST_TEST(b.size() == 128 * mib + 1);
}
#endif // __linux__
