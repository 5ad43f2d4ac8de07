// SPDX-License-Identifier: BSL-1.0
#include "bytesio/igzip.hpp"

#define BOOST_TEST_MODULE igzip_parallel
#include <boost/test/unit_test.hpp>

// igzip_compressor(level, threads > 1): pigz's scheme on ISA-L (igzip.hpp).
// What it promises, at the sizes where the block logic turns (0, 1, one
// block, one block plus one byte, many blocks) and at small block sizes too
// (the engine takes any block size from 32 KiB; the filter always uses
// 256 KiB), so that a few MiB keep dozens of blocks in flight:
// - the member is the same bytes for every chunking, direction and thread
//   count >= 2, and zlib, Boost, `gzip -d` and igzip_decompressor read it;
// - a sink that throws mid-stream fails the stream stickily, hands on
//   nothing more, and no worker outlives the filter (checked by counting
//   the process's threads); so does destruction without close (the sticky
//   protocol itself, at 2 and 3 threads: the filter contract);
// - a copied or unused filter starts no thread.
// scripts/tsan runs this file under ThreadSanitizer.

#include "bytesio/bytes_buf.hpp"
#include "bytesio/detail/igzip_engine.hpp"
#include "bytesio/iostreams.hpp"

#include "support/filter_drivers.hpp"
#include "support/gzip_peers.hpp"
#include "support/test_support.hpp"

#include <boost/iostreams/compose.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <boost/iostreams/operations.hpp>

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace io = boost::iostreams;
using bytesio::igzip_compressor;
using bytesio::igzip_decompressor;
using bytesio::test::csv_text;
using bytesio::test::gunzip_tool;
using bytesio::test::random_bytes;
using bytesio::test::read_through;
using bytesio::test::refusing_sink;
using bytesio::test::temp_dir;
using bytesio::test::write_through;

namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

constexpr std::size_t block = igzip_compressor::block_size;
constexpr std::size_t small_block = std::size_t{32} << 10; // the smallest the engine takes

// Text, then random bytes, then text: compressible and stored blocks both.
std::string mixed(std::size_t size) {
  const std::size_t third = size / 3;
  return csv_text(third) + random_bytes(third, 11) + csv_text(size - 2 * third, 12);
}

// How many threads the process runs now (Linux: one entry per task).
std::size_t tasks_listed() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

// A joined thread stays listed until the kernel reaps it, a moment after
// join returns and longer on a loaded machine (a CI run under ASan counted
// one too many), so a count is read until it holds still...
std::size_t thread_count() {
  std::size_t n = tasks_listed();
  for (int i = 0; i < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const std::size_t now = tasks_listed();
    if (now == n)
      break;
    n = now;
  }
  return n;
}

// ... or until it is the `expected` one (10 s at most: a thread the filter
// failed to join never leaves).
std::size_t thread_count(std::size_t expected) {
  std::size_t n = tasks_listed();
  for (int i = 0; i < 1000 && n != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = tasks_listed();
  }
  return n;
}

// The public filter's machinery with a block size of the test's choosing.
class small_block_compressor
    : public bytesio::detail::igzip_filter<bytesio::detail::igzip_deflate_engine> {
public:
  small_block_compressor(int level, unsigned threads, std::size_t block_size,
                         std::streamsize buffer = default_buffer_size)
      : igzip_filter(bytesio::detail::igzip_deflate_engine(level, threads, block_size), buffer,
                     "small_block_compressor") {}
};

// zlib's inflate of one member; `whole` is false if it did not end exactly
// at the end of `gz` with a checked trailer.
std::string gunzip_zlib(const std::string &gz, bool &whole) {
  z_stream z{};
  BOOST_REQUIRE(inflateInit2(&z, 31) == Z_OK);
  std::string out;
  char buf[1 << 16];
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  int ret = Z_OK;
  while (ret == Z_OK) {
    z.next_out = reinterpret_cast<Bytef *>(buf);
    z.avail_out = sizeof buf;
    ret = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (ret == Z_BUF_ERROR && z.avail_in == 0)
      break;
  }
  whole = ret == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  return out;
}

// zlib's inflate as far as the data goes (for cut streams).
std::string gunzip_zlib_prefix(const std::string &gz) {
  bool whole = false;
  return gunzip_zlib(gz, whole);
}

// Every reader agrees that `gz` is one valid member of `data`.
void check_readers(const std::string &gz, const std::string &data, const std::string &what,
                   bool with_tool = false) {
  BOOST_TEST((write_through(igzip_decompressor(), gz) == data), what << ": igzip_decompressor");
  BOOST_TEST((write_through(io::gzip_decompressor(), gz) == data),
             what << ": Boost gzip_decompressor");
  bool whole = false;
  BOOST_TEST((gunzip_zlib(gz, whole) == data), what << ": zlib");
  BOOST_TEST(whole, what << ": zlib did not end at the trailer");
  if (with_tool) {
    std::string back;
    BOOST_TEST(gunzip_tool(gz, back), what << ": gzip -d failed");
    BOOST_TEST((back == data), what << ": gzip -d");
  }
}

std::vector<std::size_t> random_chunks(std::mt19937_64 &rng, std::size_t max) {
  std::vector<std::size_t> c(1 + rng() % 5);
  for (auto &k : c) {
    const unsigned bits = static_cast<unsigned>(rng() % 21);
    k = std::min<std::size_t>(max, rng() % (std::size_t{1} << bits));
  }
  if (std::all_of(c.begin(), c.end(), [](std::size_t k) { return k == 0; }))
    c.push_back(1);
  return c;
}

} // namespace

// --- construction -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(threads_are_counted_and_checked) {
  BOOST_TEST(igzip_compressor().threads() == 1u);
  BOOST_TEST(igzip_compressor(1, 2).threads() == 2u);
  BOOST_TEST(igzip_compressor(3, 8).threads() == 8u);
  BOOST_TEST(igzip_compressor(3, 8).level() == 3);
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  BOOST_TEST(igzip_compressor(1, 0).threads() == std::min(hw, igzip_compressor::max_threads));
  BYTESIO_CHECK_ERRC(igzip_compressor(1, igzip_compressor::max_threads + 1),
                     bytesio::errc::invalid_argument);
  // The old (level, buffer_size) call now names a thread count: refused.
  BYTESIO_CHECK_ERRC(igzip_compressor(1, 65536), bytesio::errc::invalid_argument);
  BYTESIO_CHECK_ERRC(igzip_compressor(4, 2), bytesio::errc::invalid_argument);
  BYTESIO_CHECK_ERRC(igzip_compressor(1, 2, 0), bytesio::errc::invalid_argument);
  BYTESIO_CHECK_ERRC(bytesio::detail::igzip_deflate_engine(1, 2, small_block - 1),
                     bytesio::errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_copied_or_unused_filter_starts_no_thread) {
  const std::size_t before = thread_count();
  {
    igzip_compressor c(1, 4);
    igzip_compressor copy = c;
    io::filtering_ostream os;
    os.push(copy);
    std::string gz;
    os.push(io::back_inserter(gz));
    // Less than a block: compressed on this thread at close.
    const std::string data = csv_text(block - 1);
    os.write(data.data(), static_cast<std::streamsize>(data.size()));
    BOOST_TEST(thread_count(before) == before);
    os.reset();
    BOOST_TEST(thread_count(before) == before);
    check_readers(gz, data, "one block");
  }
  BOOST_TEST(thread_count(before) == before);
}

// --- the bytes ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(edge_sizes_round_trip_through_every_reader) {
  const std::size_t sizes[] = {0, 1, 2, block - 1, block, block + 1, 2 * block, 2 * block + 1};
  for (std::size_t size : sizes) {
    const std::string data = csv_text(size);
    const std::string gz = write_through(igzip_compressor(1, 2), data);
    check_readers(gz, data, "size " + std::to_string(size), true);
    for (unsigned threads : {3u, 8u})
      BOOST_TEST((write_through(igzip_compressor(1, threads), data) == gz),
                 "size " << size << " threads " << threads);
    BOOST_TEST((read_through(igzip_compressor(1, 2), data) == gz), "input use, size " << size);
  }
  // An empty member is a header, an empty final block and a trailer.
  BOOST_TEST(write_through(igzip_compressor(1, 2), "").size() == 20u);
}

BOOST_AUTO_TEST_CASE(one_block_and_one_block_plus_one_byte_differ_only_at_the_end) {
  const std::string data = csv_text(block + 1);
  const std::string one = write_through(igzip_compressor(1, 2), data.substr(0, block));
  const std::string plus = write_through(igzip_compressor(1, 2), data);
  // A full block is held back until the next byte says it is not the last:
  // exactly one block gets no empty block after it.
  check_readers(one, data.substr(0, block), "one block");
  check_readers(plus, data, "one block plus one byte");
  BOOST_TEST(plus.size() > one.size());
}

BOOST_AUTO_TEST_CASE(every_level_and_mixed_data_through_every_reader) {
  for (int level = 0; level <= 3; ++level) {
    const std::string data = mixed(2 * block + 12345);
    const std::string gz = write_through(igzip_compressor(level, 2), data);
    check_readers(gz, data, "level " + std::to_string(level), level == 1);
    BOOST_TEST((write_through(igzip_compressor(level, 4), data) == gz), "level " << level);
  }
}

BOOST_AUTO_TEST_CASE(output_is_identical_for_every_chunking_and_thread_count) {
  // Small blocks: about 190 of them, so the ring wraps many times and the
  // workers race; three thread counts, three directions, random chunkings.
  std::mt19937_64 rng(18);
  const std::string data = mixed(sanitized ? (3u << 20) : (6u << 20));
  const std::string want = write_through(small_block_compressor(1, 2, small_block), data);
  check_readers(want, data, "small blocks");
  const int rounds = sanitized ? 6 : 16;
  for (int i = 0; i < rounds; ++i) {
    const unsigned threads = std::vector<unsigned>{2, 3, 4, 8}[static_cast<std::size_t>(i) % 4];
    const std::vector<std::size_t> chunks = random_chunks(rng, 3 * small_block);
    const auto buffer = static_cast<std::streamsize>(1 + rng() % (std::size_t{1} << 18));
    std::string what =
        "threads " + std::to_string(threads) + ", buffer " + std::to_string(buffer) + ", chunks";
    for (std::size_t k : chunks)
      what += " " + std::to_string(k);
    const std::string got =
        write_through(small_block_compressor(1, threads, small_block,
                                             static_cast<std::streamsize>(1 + rng() % 70000)),
                      data, chunks, buffer);
    BOOST_TEST((got == want), what);
    BOOST_TEST((read_through(small_block_compressor(1, threads, small_block), data,
                             {bytesio::test::whole}, buffer) == want),
               "input use, " << what);
  }
}

BOOST_AUTO_TEST_CASE(the_public_block_size_is_identical_across_chunkings_too) {
  std::mt19937_64 rng(1952);
  const std::string data = csv_text(3 * block + 777);
  const std::string want = write_through(igzip_compressor(1, 2), data);
  for (unsigned threads : {2u, 3u, 4u, 8u}) {
    const std::vector<std::size_t> chunks = random_chunks(rng, 2 * block);
    BOOST_TEST((write_through(igzip_compressor(1, threads), data, chunks,
                              static_cast<std::streamsize>(1 + rng() % (1 << 20))) == want),
               "threads " << threads);
  }
}

BOOST_AUTO_TEST_CASE(zero_length_writes_change_nothing) {
  const std::string data = csv_text(5 * small_block + 3);
  const std::string want = write_through(small_block_compressor(1, 2, small_block), data);
  BOOST_TEST((write_through(small_block_compressor(1, 2, small_block), data,
                            {0, 1, 0, 0, small_block, 0, 70000}) == want));
  // The filter itself, given zero bytes, takes zero and writes nothing.
  small_block_compressor f(1, 2, small_block);
  std::string out;
  auto snk = io::back_inserter(out);
  BOOST_TEST(io::write(f, snk, data.data(), 0) == 0);
  BOOST_TEST(out.empty());
  io::write(f, snk, data.data(), static_cast<std::streamsize>(data.size()));
  io::close(f, snk, std::ios_base::out);
  BOOST_TEST((out == want));
}

BOOST_AUTO_TEST_CASE(size_is_within_two_percent_of_one_thread) {
  const std::string data = csv_text(8 * block);
  const double one = static_cast<double>(write_through(igzip_compressor(1, 1), data).size());
  const double two = static_cast<double>(write_through(igzip_compressor(1, 2), data).size());
  BOOST_TEST_MESSAGE("8 MiB of text: one thread " << one << " bytes, two " << two);
  BOOST_TEST(two <= one * 1.02);
  BOOST_TEST(two >= one * 0.98);
}

BOOST_AUTO_TEST_CASE(reusable_after_close_and_close_twice) {
  const std::string a = csv_text(3 * small_block + 5, 1), b = csv_text(2 * small_block, 2);
  small_block_compressor f(1, 3, small_block);
  const std::size_t before = thread_count();
  std::string gz1, gz2;
  {
    io::filtering_ostream os;
    os.push(f);
    os.push(io::back_inserter(gz1));
    os.write(a.data(), static_cast<std::streamsize>(a.size()));
    io::close(os);
    BOOST_TEST(thread_count(before) == before); // the close that ends the member joins
    io::close(os);                              // a second close of the chain does nothing
  }
  check_readers(gz1, a, "first member");
  {
    io::filtering_ostream os;
    os.push(f);
    os.push(io::back_inserter(gz2));
    os.write(b.data(), static_cast<std::streamsize>(b.size()));
    os.reset();
  }
  check_readers(gz2, b, "second member");
  BOOST_TEST((gz2 == write_through(small_block_compressor(1, 2, small_block), b)));
  // The filter closed twice by hand: the second close is an empty member.
  std::string out;
  auto snk = io::back_inserter(out);
  io::write(f, snk, a.data(), static_cast<std::streamsize>(a.size()));
  io::close(f, snk, std::ios_base::out);
  const std::size_t first = out.size();
  io::close(f, snk, std::ios_base::out);
  check_readers(out.substr(0, first), a, "closed once");
  check_readers(out.substr(first), "", "closed again");
  BOOST_TEST(thread_count(before) == before);
}

// --- failures -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_sink_at_its_size_limit_fails_the_stream_stickily) {
  const std::string data = mixed(40 * small_block);
  const std::string whole = write_through(small_block_compressor(1, 2, small_block), data);
  const std::size_t before = thread_count();
  for (std::size_t limit :
       {std::size_t{1}, std::size_t{10}, std::size_t{5000}, whole.size() / 3, whole.size() - 1}) {
    for (unsigned threads : {2u, 4u}) {
      bytesio::bytes_buf sink;
      sink.set_size_limit(limit);
      small_block_compressor c(1, threads, small_block);
      {
        io::filtering_ostream os;
        os.push(c);
        // Unbuffered: a buffered device's failure dies in Boost's sync at close.
        os.push(bytesio::bytes_device(sink), 1);
        os.write(data.data(), static_cast<std::streamsize>(data.size()));
        // A limit far from the end is met while writing; near it, in reset().
        if (limit <= whole.size() / 3)
          BOOST_TEST(os.bad(), "limit " << limit);
        const std::error_code e = bytesio::test::error_of([&] { os.reset(); });
        BOOST_TEST((e == bytesio::errc::size_limit), "limit " << limit << ": " << e.message());
      }
      BOOST_TEST(thread_count(before) == before, "limit " << limit);
      // What landed is the start of the member: never a byte twice.
      const std::string got = bytesio::test::str(sink.view());
      BOOST_TEST(got.size() <= limit);
      BOOST_TEST((got == whole.substr(0, got.size())), "limit " << limit);
      const std::string plain = gunzip_zlib_prefix(got);
      BOOST_TEST((plain == data.substr(0, plain.size())), "limit " << limit);
      // The failed stream's close reset the shared state: the next is fresh.
      BOOST_TEST((write_through(c, data) == whole), "limit " << limit);
    }
  }
}

BOOST_AUTO_TEST_CASE(two_threads_are_one_worker_and_the_caller) {
  // Forty blocks handed over at once: the ring fills at once, so the caller,
  // waiting for the oldest, compresses queued blocks itself while its one
  // worker compresses others. The bytes are those of eight threads.
  const std::string data = csv_text(40 * small_block + 777, 3);
  const std::string eight = write_through(small_block_compressor(1, 8, small_block), data);
  const std::size_t before = thread_count();
  small_block_compressor f(1, 2, small_block);
  std::string out;
  auto snk = io::back_inserter(out);
  io::write(f, snk, data.data(), static_cast<std::streamsize>(data.size()));
  BOOST_TEST(thread_count(before + 1) == before + 1);
  io::close(f, snk, std::ios_base::out);
  BOOST_TEST(thread_count(before) == before);
  BOOST_TEST((out == eight));
  check_readers(out, data, "two threads");
}

BOOST_AUTO_TEST_CASE(destruction_without_close_joins_every_worker) {
  const std::string data = csv_text(30 * small_block);
  const std::size_t before = thread_count();
  {
    small_block_compressor f(1, 4, small_block);
    std::string out;
    auto snk = io::back_inserter(out);
    io::write(f, snk, data.data(), static_cast<std::streamsize>(data.size()));
    // Four threads compress: three workers and the caller's own.
    BOOST_TEST(thread_count(before + 3) == before + 3);
    // Blocks are queued and running; nobody closes.
  }
  BOOST_TEST(thread_count(before) == before);
  {
    // The same with the public block size, through a chain nobody resets.
    std::string gz;
    auto os = std::make_unique<io::filtering_ostream>();
    os->push(igzip_compressor(1, 2));
    os->push(io::back_inserter(gz));
    const std::string big = csv_text(3 * block);
    os->write(big.data(), static_cast<std::streamsize>(big.size()));
    os.reset(); // the chain's destructor closes it, swallowing what it throws
    check_readers(gz, big, "closed by the chain's destructor");
  }
  BOOST_TEST(thread_count(before) == before);
  {
    // A failed stream, then destruction without its close.
    small_block_compressor f(1, 3, small_block);
    std::string out;
    refusing_sink snk{&out, 100};
    BOOST_CHECK_THROW(io::write(f, snk, data.data(), static_cast<std::streamsize>(data.size())),
                      std::runtime_error);
  }
  BOOST_TEST(thread_count(before) == before);
}

BOOST_AUTO_TEST_CASE(a_sink_failing_in_close_leaves_no_thread) {
  const std::string data = csv_text(10 * small_block);
  const std::string whole = write_through(small_block_compressor(1, 2, small_block), data);
  const std::size_t before = thread_count();
  for (std::size_t limit : {whole.size() - 1, whole.size() - 8, whole.size() - 200}) {
    small_block_compressor f(1, 2, small_block);
    std::string out;
    refusing_sink snk{&out, limit};
    // Everything fits but the end: the failure comes from close().
    io::write(f, snk, data.data(), static_cast<std::streamsize>(data.size()));
    BOOST_CHECK_THROW(io::close(f, snk, std::ios_base::out), std::runtime_error);
    BOOST_TEST(thread_count(before) == before);
    BOOST_TEST((out == whole.substr(0, out.size())));
  }
}
