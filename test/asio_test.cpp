// SPDX-License-Identifier: BSL-1.0
#include "bytesio/asio.hpp"

#define BOOST_TEST_MODULE asio
#include "support/loopback.hpp"
#include "support/test_support.hpp"

#include "bytesio/bytes_stream.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/mpl/list.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <istream>
#include <limits>
#include <memory_resource>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using bytesio::test::str;

using bytesio::test::watchdog;
BOOST_TEST_GLOBAL_FIXTURE(watchdog);

// An error code compared with an enum the log cannot print.
#define CHECK_EC(ec, want) BOOST_CHECK_MESSAGE((ec) == (want), "the error is: " << (ec).message())

namespace {

// Every Storage of basic_bytes_buf (DESIGN.md) behind the adapter.
using storages =
    boost::mpl::list<bytesio::byte_vector, std::vector<char>, std::vector<unsigned char>,
                     std::vector<std::byte>, std::string, std::pmr::vector<std::byte>>;

template <class B>
std::string readable(const B &db) {
  const asio::const_buffer b = db.data();
  return {static_cast<const char *>(b.data()), b.size()};
}

std::string text(asio::const_buffer b) { return {static_cast<const char *>(b.data()), b.size()}; }

void fill(asio::mutable_buffer b, std::string_view s) {
  BOOST_REQUIRE(b.size() >= s.size());
  if (!s.empty())
    std::memcpy(b.data(), s.data(), s.size());
}

/** Runs `ioc` for at most ten seconds; the test fails if work is left. */
void run_bounded(asio::io_context &ioc) {
  ioc.run_for(std::chrono::seconds(10));
  BOOST_REQUIRE_MESSAGE(ioc.stopped(), "the asynchronous operations did not finish in 10 s");
}

} // namespace

// ---- the concept --------------------------------------------------------------------

static_assert(
    asio::is_dynamic_buffer_v1<bytesio::basic_bytes_dynamic_buffer<bytesio::byte_vector>>::value);
static_assert(
    asio::is_dynamic_buffer_v2<bytesio::basic_bytes_dynamic_buffer<bytesio::byte_vector>>::value);
static_assert(asio::is_dynamic_buffer_v1<bytesio::basic_bytes_dynamic_buffer<std::string>>::value);
static_assert(
    asio::is_dynamic_buffer_v2<bytesio::basic_bytes_dynamic_buffer<std::vector<char>>>::value);
static_assert(asio::is_dynamic_buffer<
              decltype(bytesio::dynamic_buffer(std::declval<bytesio::bytes_buf &>()))>::value);
// v2 algorithms copy the buffer: copies must refer to the same bytes_buf.
static_assert(std::is_nothrow_copy_constructible_v<
              bytesio::basic_bytes_dynamic_buffer<bytesio::byte_vector>>);
static_assert(std::is_same_v<bytesio::http_body::value_type, bytesio::bytes_buf>);
static_assert(http::is_body<bytesio::http_body>::value);
static_assert(http::is_body_reader<bytesio::http_body>::value);
static_assert(http::is_body_writer<bytesio::http_body>::value);

BOOST_AUTO_TEST_SUITE(dynamic_buffer)

BOOST_AUTO_TEST_CASE_TEMPLATE(readable_bytes_run_from_the_position, S, storages) {
  bytesio::basic_bytes_buf<S> buf(std::string_view("hello world"));
  auto db = bytesio::dynamic_buffer(buf);
  BOOST_TEST(&db.buffer() == &buf);
  BOOST_TEST(db.size() == 11u);
  buf.seek(6);
  BOOST_TEST(db.size() == 5u);
  BOOST_TEST(readable(db) == "world");
  BOOST_TEST(text(std::as_const(db).data(1, 3)) == "orl");
  BOOST_TEST(text(std::as_const(db).data(3, 100)) == "ld");
  BOOST_TEST(db.data(5, 1).size() == 0u);
  BOOST_TEST(db.data(0, 0).size() == 0u);
  db.consume(2); // consuming is reading: the position moves, the bytes stay
  BOOST_TEST(buf.tell() == 8u);
  BOOST_TEST(readable(db) == "rld");
  BOOST_TEST(str(buf.view()) == "hello world");
  db.consume(100);
  BOOST_TEST(buf.tell() == 11u);
  BOOST_TEST(db.size() == 0u);
  BOOST_TEST(db.data().size() == 0u);
  buf.seek(0);
  BOOST_TEST(str(buf.read(5)) == "hello"); // the file API and the adapter share the position
  BOOST_TEST(db.size() == 6u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(v1_prepare_commit, S, storages) {
  bytesio::basic_bytes_buf<S> buf(std::string_view("ab"));
  buf.seek(1);
  auto db = bytesio::dynamic_buffer(buf);
  asio::mutable_buffer out = db.prepare(5);
  BOOST_TEST(out.size() == 5u);
  BOOST_TEST(static_cast<std::byte *>(out.data()) == buf.view().data() + 2); // right after the end
  BOOST_TEST(buf.size() == 2u);                                              // not yet contents
  fill(out, "cdefg");
  db.commit(3);
  BOOST_TEST(str(buf.view()) == "abcde");
  BOOST_TEST(buf.tell() == 1u); // appending never moves the position
  BOOST_TEST(readable(db) == "bcde");

  // More than prepared: all of the output sequence, no error.
  fill(db.prepare(2), "xy");
  db.commit(10);
  BOOST_TEST(str(buf.view()) == "abcdexy");
  // A commit without a prepare, or a second commit, takes nothing.
  db.commit(4);
  BOOST_TEST(buf.size() == 7u);
  // A new prepare replaces the previous output sequence.
  fill(db.prepare(3), "123");
  fill(db.prepare(1), "9");
  db.commit(3);
  BOOST_TEST(str(buf.view()) == "abcdexy9");
  // prepare(0) is empty and changes nothing.
  BOOST_TEST(db.prepare(0).size() == 0u);
  db.commit(1);
  BOOST_TEST(str(buf.view()) == "abcdexy9");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(v2_grow_shrink_data, S, storages) {
  bytesio::basic_bytes_buf<S> buf(std::string_view("0123"));
  buf.seek(2);
  auto db = bytesio::dynamic_buffer(buf);
  const std::size_t pos = db.size();
  db.grow(4);
  BOOST_TEST(db.size() == pos + 4);
  BOOST_TEST(buf.size() == 8u);
  fill(db.data(pos, 4), "abcd");
  BOOST_TEST(str(buf.view()) == "0123abcd");
  db.shrink(1);
  BOOST_TEST(str(buf.view()) == "0123abc");
  BOOST_TEST(buf.tell() == 2u);
  // Never below the position: the consumed bytes stay.
  db.shrink(100);
  BOOST_TEST(str(buf.view()) == "01");
  BOOST_TEST(db.size() == 0u);
  db.shrink(1);
  BOOST_TEST(str(buf.view()) == "01");
  db.grow(0);
  BOOST_TEST(buf.size() == 2u);
  // A copy is the same buffer (v2 algorithms copy it).
  auto copy = db;
  copy.grow(2);
  fill(copy.data(0, 2), "zz");
  BOOST_TEST(readable(db) == "zz");
  BOOST_TEST(str(buf.view()) == "01zz");
}

BOOST_AUTO_TEST_CASE(prepared_space_is_not_zero_filled) {
  bytesio::bytes_buf buf(std::string_view("old bytes"));
  buf.clear(); // keeps the capacity and its bytes, like a file's unused blocks
  auto db = bytesio::dynamic_buffer(buf);
  BOOST_TEST(text(db.prepare(3)) == "old");
  db.commit(0);
  db.grow(3);
  BOOST_TEST(readable(db) == "old"); // unspecified bytes: here, what the memory held
}

BOOST_AUTO_TEST_CASE_TEMPLATE(position_past_the_end_moves_the_end_to_it, S, storages) {
  bytesio::basic_bytes_buf<S> buf(std::string_view("abc"));
  buf.seek(6);
  auto db = bytesio::dynamic_buffer(buf);
  BOOST_TEST(db.size() == 0u);
  BOOST_TEST(db.data().size() == 0u);
  db.shrink(1); // nothing readable to cut
  BOOST_TEST(buf.size() == 3u);
  db.consume(1);
  BOOST_TEST(buf.tell() == 6u);
  fill(db.prepare(2), "xy");
  BOOST_TEST(buf.size() == 6u); // the gap is zero-filled, as a write there does
  db.commit(2);
  BOOST_TEST(str(buf.view()) == std::string("abc\0\0\0xy", 8));
  BOOST_TEST(readable(db) == "xy");

  bytesio::basic_bytes_buf<S> other(std::string_view("abc"));
  other.seek(5);
  auto db2 = bytesio::dynamic_buffer(other);
  const std::size_t at = db2.size();
  db2.grow(1);
  fill(db2.data(at, 1), "!");
  BOOST_TEST(str(other.view()) == std::string("abc\0\0!", 6));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(max_size_follows_the_size_limit, S, storages) {
  bytesio::basic_bytes_buf<S> buf(std::string_view("abcd"));
  auto db = bytesio::dynamic_buffer(buf);
  BOOST_TEST(db.max_size() >= std::size_t(INT64_MAX) - 4); // no limit: INT64_MAX
  buf.set_size_limit(10);
  buf.seek(1);
  BOOST_TEST(db.size() == 3u);
  BOOST_TEST(db.max_size() == 9u); // from the position to the limit
  BOOST_TEST(db.capacity() <= db.max_size());
  BOOST_TEST(db.capacity() >= db.size());
  BOOST_CHECK_THROW(db.prepare(7), std::length_error);
  BOOST_CHECK_THROW(db.grow(7), std::length_error);
  BOOST_TEST(str(buf.view()) == "abcd"); // nothing changed
  db.grow(6);                            // exactly full
  BOOST_TEST(db.size() == db.max_size());
  BOOST_TEST(buf.size() == 10u);
  BOOST_CHECK_THROW(db.grow(1), std::length_error);
  BOOST_CHECK_THROW(db.prepare(1), std::length_error);
  BOOST_TEST(db.prepare(0).size() == 0u);
  db.shrink(6);

  // Contents already longer than a new limit: kept, but no growth.
  buf.set_size_limit(2);
  BOOST_TEST(db.max_size() == db.size());
  BOOST_CHECK_THROW(db.prepare(1), std::length_error);
  // A position past the limit: nothing may be appended.
  buf.set_size_limit(5);
  buf.seek(7);
  BOOST_TEST(db.max_size() == 0u);
  BOOST_CHECK_THROW(db.grow(1), std::length_error);
  BOOST_TEST(buf.size() == 4u);
}

BOOST_AUTO_TEST_CASE(capacity_grows_without_zero_fill_of_the_gap) {
  bytesio::bytes_buf buf;
  auto db = bytesio::dynamic_buffer(buf);
  BOOST_TEST(db.capacity() == 0u);
  buf.reserve(1000);
  BOOST_TEST(db.capacity() >= 1000u);
  buf.set_size_limit(100);
  BOOST_TEST(db.capacity() == 100u); // never past max_size()
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_live_view_refuses_growth, S, storages) {
  bytesio::basic_bytes_buf<S> buf(std::string_view("abcdef"));
  auto db = bytesio::dynamic_buffer(buf);
  fill(db.prepare(2), "gh");
  {
    auto view = buf.getbuffer();
    BYTESIO_CHECK_ERRC(db.prepare(1), bytesio::errc::buffer_exported);
    BYTESIO_CHECK_ERRC(db.grow(1), bytesio::errc::buffer_exported);
    BYTESIO_CHECK_ERRC(db.prepare(0), bytesio::errc::buffer_exported);
    BOOST_TEST(str(buf.view()) == "abcdef");
    // commit, shrink and consume move no memory: the view stays valid.
    db.commit(2);
    BOOST_TEST(str(buf.view()) == "abcdefgh");
    db.shrink(1);
    db.consume(2);
    BOOST_TEST(readable(db) == "cdefg");
    BOOST_TEST(str(view.span()) == "abcdef");
  }
  db.grow(1); // released: growth works again
  BOOST_TEST(buf.size() == 8u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_closed_buffer_refuses_everything, S, storages) {
  bytesio::basic_bytes_buf<S> buf(std::string_view("abc"));
  auto db = bytesio::dynamic_buffer(buf);
  buf.close();
  BOOST_TEST(db.size() == 0u);
  BOOST_TEST(db.capacity() == 0u);
  BOOST_TEST(db.data().size() == 0u);
  BOOST_TEST(db.data(0, 10).size() == 0u);
  BOOST_TEST(db.max_size() > 0u); // so that Asio's algorithms ask, and learn it is closed
  BYTESIO_CHECK_ERRC(db.prepare(1), bytesio::errc::closed);
  BYTESIO_CHECK_ERRC(db.commit(1), bytesio::errc::closed);
  BYTESIO_CHECK_ERRC(db.grow(1), bytesio::errc::closed);
  BYTESIO_CHECK_ERRC(db.shrink(1), bytesio::errc::closed);
  BYTESIO_CHECK_ERRC(db.consume(1), bytesio::errc::closed);
  BOOST_TEST(buf.closed());
}

BOOST_AUTO_TEST_CASE(streams_and_the_adapter_take_turns) {
  bytesio::bytes_stream s;
  auto db = bytesio::dynamic_buffer(s.buf());
  s << "line one\n";           // a live put area: the adapter settles it first
  BOOST_TEST(db.size() == 0u); // writing moved the position to the end
  s.seekg(0);
  BOOST_TEST(readable(db) == "line one\n");
  fill(db.prepare(9), "line two\n");
  db.commit(9);
  std::string line;
  BOOST_TEST(static_cast<bool>(std::getline(s, line)));
  BOOST_TEST(line == "line one");
  BOOST_TEST(readable(db) == "line two\n"); // the get area's position is the adapter's
  db.consume(5);
  BOOST_TEST(static_cast<bool>(std::getline(s, line)));
  BOOST_TEST(line == "two");
  s << "three";
  db.grow(1);
  fill(db.data(db.size() - 1, 1), "!");
  BOOST_TEST(str(s.view()) == "line one\nline two\nthree!");
}

// Against Asio's own vector buffer: the readable bytes, the room and every
// length_error must agree after each step of thousands of random sequences.
// Asio's consume erases and frees room; here it reads and the bytes stay
// within the size limit, so the reference's limit is the room we have left.
BOOST_AUTO_TEST_CASE(differential_against_asio_vector_buffer) {
  std::mt19937 rng(15);
  std::size_t steps = 0;
  for (int round = 0; round < 400; ++round) {
    const bool v1 = round % 2 == 0;
    const bool limited = round % 4 < 2;
    bytesio::bytes_buf buf;
    if (limited)
      buf.set_size_limit(rng() % 400);
    std::vector<char> ref;
    auto db = bytesio::dynamic_buffer(buf);
    for (int step = 0; step < 40; ++step, ++steps) {
      auto rd = asio::dynamic_buffer(ref, limited ? buf.size_limit() - buf.tell()
                                                  : std::numeric_limits<std::size_t>::max());
      const std::size_t n = rng() % 70;
      const std::string payload = bytesio::test::random_bytes(n, static_cast<unsigned>(steps));
      if (rng() % 3 != 0) { // append n, keep k
        const std::size_t k = rng() % (n + 1);
        bool mine_threw = false, ref_threw = false;
        try {
          if (v1) {
            fill(db.prepare(n), payload);
            db.commit(k);
          } else {
            const std::size_t at = db.size();
            db.grow(n);
            fill(db.data(at, n), payload);
            db.shrink(n - k);
          }
        } catch (const std::length_error &) {
          mine_threw = true;
        }
        try {
          if (v1) {
            fill(rd.prepare(n), payload);
            rd.commit(k);
          } else {
            const std::size_t at = rd.size();
            rd.grow(n);
            fill(rd.data(at, n), payload);
            rd.shrink(n - k);
          }
        } catch (const std::length_error &) {
          ref_threw = true;
        }
        BOOST_REQUIRE_EQUAL(mine_threw, ref_threw);
      } else {
        db.consume(n);
        rd.consume(n);
      }
      const asio::const_buffer want = std::as_const(rd).data(0, rd.size());
      BOOST_REQUIRE_EQUAL(db.size(), want.size());
      BOOST_REQUIRE(readable(db) == text(want));
      BOOST_REQUIRE(text(std::as_const(db).data(0, db.size())) == text(want));
      if (limited) {
        const auto now = asio::dynamic_buffer(ref, buf.size_limit() - buf.tell());
        BOOST_REQUIRE_EQUAL(db.max_size() - db.size(), now.max_size() - now.size());
      }
      BOOST_REQUIRE(db.capacity() >= db.size() && db.capacity() <= db.max_size());
    }
  }
  BOOST_TEST(steps == 16000u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- over real sockets ------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(sockets)

BOOST_AUTO_TEST_CASE(sync_read_to_eof) {
  bytesio::test::loopback net;
  const std::string payload = bytesio::test::random_bytes(3 << 20);
  std::thread peer = bytesio::test::send_async(net.client, payload);
  bytesio::bytes_buf buf;
  boost::system::error_code ec;
  const std::size_t n = asio::read(net.server, bytesio::dynamic_buffer(buf), ec);
  peer.join();
  CHECK_EC(ec, asio::error::eof);
  BOOST_TEST(n == payload.size());
  BOOST_TEST(buf.tell() == 0u); // the bytes are for reading, from the start
  BOOST_TEST(str(buf.read()) == payload);
}

BOOST_AUTO_TEST_CASE(sync_read_exactly_then_more) {
  bytesio::test::loopback net;
  asio::write(net.client, asio::buffer(std::string_view("0123456789")));
  bytesio::bytes_buf buf;
  BOOST_TEST(asio::read(net.server, bytesio::dynamic_buffer(buf), asio::transfer_exactly(4)) == 4u);
  BOOST_TEST(str(buf.view()) == "0123");
  BOOST_TEST(str(buf.read(2)) == "01");
  BOOST_TEST(asio::read(net.server, bytesio::dynamic_buffer(buf), asio::transfer_exactly(6)) == 6u);
  BOOST_TEST(str(buf.read()) == "23456789");
}

BOOST_AUTO_TEST_CASE(async_read_transfer_exactly) {
  bytesio::test::loopback net;
  const std::string payload = bytesio::test::random_bytes(300000, 7);
  std::thread peer = bytesio::test::send_async(net.client, payload);
  bytesio::bytes_buf buf;
  std::optional<std::size_t> first, second;
  asio::async_read(net.server, bytesio::dynamic_buffer(buf), asio::transfer_exactly(100000),
                   [&](boost::system::error_code ec, std::size_t n) {
                     BOOST_TEST(!ec);
                     first = n;
                     buf.seek(0, std::ios_base::end); // read it all; the next read appends
                     asio::async_read(net.server, bytesio::dynamic_buffer(buf),
                                      asio::transfer_exactly(200000),
                                      [&](boost::system::error_code ec2, std::size_t n2) {
                                        BOOST_TEST(!ec2);
                                        second = n2;
                                      });
                   });
  run_bounded(net.ioc);
  peer.join();
  BOOST_TEST(first.value_or(0) == 100000u);
  BOOST_TEST(second.value_or(0) == 200000u);
  BOOST_TEST(str(buf.view()) == payload);
  BOOST_TEST(buf.tell() == 100000u);
}

BOOST_AUTO_TEST_CASE(async_read_to_eof) {
  bytesio::test::loopback net;
  const std::string payload = bytesio::test::random_bytes(1 << 20, 8);
  std::thread peer = bytesio::test::send_async(net.client, payload);
  bytesio::bytes_buf buf;
  boost::system::error_code result;
  std::size_t got = 0;
  asio::async_read(net.server, bytesio::dynamic_buffer(buf),
                   [&](boost::system::error_code ec, std::size_t n) {
                     result = ec;
                     got = n;
                   });
  run_bounded(net.ioc);
  peer.join();
  CHECK_EC(result, asio::error::eof);
  BOOST_TEST(got == payload.size());
  BOOST_TEST(str(buf.view()) == payload);
}

BOOST_AUTO_TEST_CASE(read_until_with_the_delimiter_split_across_reads) {
  const std::string head = "GET /report.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const std::string message = head + "and the body";
  // Every read size from 1 byte up splits the delimiter at every offset.
  for (std::size_t most = 1; most <= 48; ++most) {
    bytesio::test::loopback net;
    asio::write(net.client, asio::buffer(message));
    net.client.shutdown(tcp::socket::shutdown_send);
    bytesio::test::trickle<tcp::socket> in(net.server, most);
    bytesio::bytes_buf buf;
    const std::size_t n = asio::read_until(in, bytesio::dynamic_buffer(buf), "\r\n\r\n");
    BOOST_TEST(n == head.size());
    BOOST_TEST(in.reads() >= (head.size() + most - 1) / most);
    BOOST_TEST(str(buf.readline()) == "GET /report.csv HTTP/1.1\r\n");
    BOOST_TEST(str(buf.readline()) == "Host: 127.0.0.1\r\n");
    BOOST_TEST(str(buf.readline()) == "\r\n");
    // What was read past the delimiter is the start of the body.
    const std::string rest = str(buf.read());
    BOOST_TEST(message.substr(head.size()).starts_with(rest));
  }
}

// The README's snippet.
BOOST_AUTO_TEST_CASE(read_until_then_readline) {
  bytesio::test::loopback net;
  asio::write(net.client, asio::buffer(std::string_view("GET /report.csv HTTP/1.1\r\n"
                                                        "Host: 127.0.0.1\r\n\r\n")));
  tcp::socket &socket = net.server;
  bytesio::bytes_buf buf;
  asio::read_until(socket, bytesio::dynamic_buffer(buf), "\r\n\r\n");
  bytesio::byte_vector request_line = buf.readline(); // "GET /report.csv HTTP/1.1\r\n"
  BOOST_TEST(str(request_line) == "GET /report.csv HTTP/1.1\r\n");
  BOOST_TEST(str(buf.readline()) == "Host: 127.0.0.1\r\n");
}

BOOST_AUTO_TEST_CASE(async_read_until_then_the_file_api) {
  bytesio::test::loopback net;
  bytesio::bytes_buf buf;
  std::size_t got = 0;
  asio::async_read_until(net.server, bytesio::dynamic_buffer(buf), "\n\n",
                         [&](boost::system::error_code ec, std::size_t n) {
                           BOOST_TEST(!ec);
                           got = n;
                         });
  asio::write(net.client, asio::buffer(std::string_view("a: 1\nb: 2\n")));
  net.ioc.run_for(std::chrono::milliseconds(50)); // the first part arrives alone
  asio::write(net.client, asio::buffer(std::string_view("\nrest")));
  net.ioc.restart();
  run_bounded(net.ioc);
  BOOST_TEST(got == 11u);
  std::vector<std::string> lines;
  for (const auto &line : buf.readlines())
    lines.push_back(str(line));
  BOOST_TEST(lines.size() >= 3u);
  BOOST_TEST(lines.at(0) == "a: 1\n");
  BOOST_TEST(lines.at(1) == "b: 2\n");
  BOOST_TEST(lines.at(2) == "\n");
}

BOOST_AUTO_TEST_CASE(write_from_data) {
  bytesio::test::loopback net;
  bytesio::bytes_buf buf(std::string_view("skipped|sent v1|sent v2"));
  auto db = bytesio::dynamic_buffer(buf);
  db.consume(8);
  BOOST_TEST(asio::write(net.client, asio::buffer(db.data(0, 7))) == 7u); // v2
  db.consume(7);
  BOOST_TEST(asio::write(net.client, db.data()) == 8u); // v1: all that is readable
  db.consume(db.size());
  net.client.shutdown(tcp::socket::shutdown_send);
  std::string got;
  boost::system::error_code ec;
  asio::read(net.server, asio::dynamic_buffer(got), ec);
  BOOST_TEST(got == "sent v1|sent v2");
  BOOST_TEST(buf.tell() == buf.size());

  // Asynchronously, and the v1 overload of asio::write for a dynamic buffer.
  bytesio::test::loopback net2;
  bytesio::bytes_buf out(std::string_view("async payload"));
  bool written = false;
  asio::async_write(net2.client, bytesio::dynamic_buffer(out).data(),
                    [&](boost::system::error_code e, std::size_t n) {
                      BOOST_TEST(!e);
                      BOOST_TEST(n == 13u);
                      written = true;
                    });
  run_bounded(net2.ioc);
  BOOST_TEST(written);
}

BOOST_AUTO_TEST_CASE(the_size_limit_stops_a_read_midway) {
  bytesio::test::loopback net;
  const std::string payload = bytesio::test::random_bytes(200000, 9);
  std::thread peer = bytesio::test::send_async(net.client, payload);
  bytesio::bytes_buf buf;
  buf.set_size_limit(70001);
  boost::system::error_code ec;
  // Asio reads no more than max_size(): the read ends at the limit, exactly.
  const std::size_t n = asio::read(net.server, bytesio::dynamic_buffer(buf), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(n == 70001u);
  BOOST_TEST(str(buf.view()) == payload.substr(0, 70001));
  // read_until on a full buffer: not_found, and still nothing past the limit.
  asio::read_until(net.server, bytesio::dynamic_buffer(buf), "never", ec);
  CHECK_EC(ec, asio::error::not_found);
  BOOST_TEST(buf.size() == 70001u);
  // Consuming does not make room: the bytes stay, it is a file.
  buf.read(100);
  BOOST_TEST(asio::read(net.server, bytesio::dynamic_buffer(buf), ec) == 0u);
  BOOST_TEST(buf.size() == 70001u);
  // clear() does.
  buf.clear();
  BOOST_TEST(asio::read(net.server, bytesio::dynamic_buffer(buf), ec) == 70001u);
  BOOST_TEST(str(buf.view()) == payload.substr(70001, 70001));
  net.server.close();
  peer.join();
}

BOOST_AUTO_TEST_CASE(a_peer_that_closes_early) {
  const std::string payload = bytesio::test::random_bytes(3000, 10);
  {
    bytesio::test::loopback net;
    std::thread peer = bytesio::test::send_async(net.client, payload);
    bytesio::bytes_buf buf;
    boost::system::error_code ec;
    const std::size_t n =
        asio::read(net.server, bytesio::dynamic_buffer(buf), asio::transfer_exactly(10000), ec);
    peer.join();
    CHECK_EC(ec, asio::error::eof);
    BOOST_TEST(n == payload.size());
    BOOST_TEST(str(buf.read()) == payload); // the partial data is kept
  }
  {
    bytesio::test::loopback net;
    std::thread peer = bytesio::test::send_async(net.client, payload);
    bytesio::bytes_buf buf;
    boost::system::error_code result;
    std::size_t got = 0;
    asio::async_read(net.server, bytesio::dynamic_buffer(buf), asio::transfer_exactly(10000),
                     [&](boost::system::error_code ec, std::size_t n) {
                       result = ec;
                       got = n;
                     });
    run_bounded(net.ioc);
    peer.join();
    CHECK_EC(result, asio::error::eof);
    BOOST_TEST(got == payload.size());
    BOOST_TEST(str(buf.view()) == payload);
  }
  {
    bytesio::test::loopback net;
    std::thread peer = bytesio::test::send_async(net.client, "HTTP/1.1 200 OK\r\nHost");
    bytesio::bytes_buf buf;
    boost::system::error_code ec;
    asio::read_until(net.server, bytesio::dynamic_buffer(buf), "\r\n\r\n", ec);
    peer.join();
    CHECK_EC(ec, asio::error::eof);
    BOOST_TEST(str(buf.readline()) == "HTTP/1.1 200 OK\r\n");
    BOOST_TEST(str(buf.readline()) == "Host");
  }
}

BOOST_AUTO_TEST_CASE(a_closed_buffer_fails_a_read_loudly) {
  bytesio::test::loopback net;
  asio::write(net.client, asio::buffer(std::string_view("data")));
  bytesio::bytes_buf buf;
  buf.close();
  BYTESIO_CHECK_ERRC(
      asio::read(net.server, bytesio::dynamic_buffer(buf), asio::transfer_exactly(4)),
      bytesio::errc::closed);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- Beast ---------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(beast_body)

namespace {

std::string body_of(const bytesio::bytes_buf &b) { return str(b.view()); }

/** Writes `message` from a thread: `http::write` of a large body needs a reader. */
template <class Message>
std::thread write_async(tcp::socket &socket, Message &message) {
  return std::thread([&socket, &message] {
    boost::system::error_code ec;
    http::write(socket, message, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
  });
}

} // namespace

BOOST_AUTO_TEST_CASE(request_with_content_length) {
  bytesio::test::loopback net;
  const std::string payload = bytesio::test::random_bytes(500000, 11);
  http::request<bytesio::http_body> out{http::verb::post, "/upload", 11};
  out.body().write(payload);
  out.prepare_payload();
  BOOST_TEST(out[http::field::content_length] == std::to_string(payload.size()));
  std::thread peer = write_async(net.client, out);

  // The socket reads into a bytes_buf too: no flat_buffer anywhere.
  bytesio::bytes_buf wire;
  auto buffer = bytesio::dynamic_buffer(wire);
  http::request_parser<bytesio::http_body> parser;
  parser.body_limit(1 << 20);
  http::read(net.server, buffer, parser);
  peer.join();
  http::request<bytesio::http_body> in = parser.release();
  BOOST_TEST(in.target() == "/upload");
  BOOST_TEST(in.body().tell() == 0u); // ready to read from the start
  BOOST_TEST(str(in.body().read()) == payload);
  // The wire buffer holds the message as it came, read to its end.
  BOOST_TEST(str(wire.view()).starts_with("POST /upload HTTP/1.1\r\n"));
  BOOST_TEST(wire.tell() == wire.size());
}

BOOST_AUTO_TEST_CASE(chunked_response) {
  bytesio::test::loopback net;
  http::response<bytesio::http_body> out{http::status::ok, 11};
  for (int i = 0; i < 1000; ++i)
    out.body().write("line " + std::to_string(i) + "\n");
  out.chunked(true);
  std::thread peer = write_async(net.server, out);

  bytesio::bytes_buf wire;
  auto buffer = bytesio::dynamic_buffer(wire);
  http::response<bytesio::http_body> in;
  http::read(net.client, buffer, in);
  peer.join();
  BOOST_TEST(in.chunked());
  BOOST_TEST(body_of(in.body()) == body_of(out.body()));
  BOOST_TEST(str(in.body().readline()) == "line 0\n");
  BOOST_TEST(str(wire.view()).find("Transfer-Encoding: chunked") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(content_length_response_async) {
  bytesio::test::loopback net;
  http::response<bytesio::http_body> out{http::status::ok, 11};
  out.body().write(bytesio::test::random_bytes(200000, 12));
  out.prepare_payload();
  bytesio::bytes_buf wire;
  auto buffer = bytesio::dynamic_buffer(wire);
  http::response<bytesio::http_body> in;
  bool wrote = false, read = false;
  http::async_write(net.server, out, [&](boost::system::error_code ec, std::size_t) {
    BOOST_TEST(!ec);
    wrote = true;
  });
  http::async_read(net.client, buffer, in, [&](boost::system::error_code ec, std::size_t) {
    BOOST_TEST(!ec);
    read = true;
  });
  run_bounded(net.ioc);
  BOOST_TEST(wrote);
  BOOST_TEST(read);
  BOOST_TEST(in[http::field::content_length] == "200000");
  BOOST_TEST(body_of(in.body()) == body_of(out.body()));
}

BOOST_AUTO_TEST_CASE(the_writer_sends_the_buffer_memory) {
  http::response<bytesio::http_body> res{http::status::ok, 11};
  res.body().write(std::string_view("zero copy"));
  bytesio::http_body::writer w(res, res.body());
  beast::error_code ec;
  w.init(ec);
  BOOST_TEST(!ec);
  const auto got = w.get(ec);
  BOOST_TEST(!ec);
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(!got->second); // no more
  BOOST_TEST(got->first.data() == static_cast<const void *>(res.body().view().data()));
  BOOST_TEST(got->first.size() == 9u);

  // Through Beast's serializer too: the body buffer is the body's memory.
  http::response_serializer<bytesio::http_body> sr(res);
  bool found = false;
  sr.split(true);
  while (!sr.is_done()) {
    sr.next(ec, [&](beast::error_code &, const auto &buffers) {
      for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
           ++it)
        if (asio::const_buffer(*it).data() == static_cast<const void *>(res.body().view().data()))
          found = true;
      sr.consume(asio::buffer_size(buffers));
    });
    BOOST_REQUIRE(!ec);
  }
  BOOST_TEST(found);

  // A closed body is an error, not an empty message.
  res.body().close();
  bytesio::http_body::writer closed(res, res.body());
  closed.init(ec);
  CHECK_EC(ec, bytesio::errc::closed);
  BOOST_TEST(ec.message() == bytesio::make_error_code(bytesio::errc::closed).message());
  BOOST_TEST(std::string(ec.category().name()) == "bytesio");
}

BOOST_AUTO_TEST_CASE(body_limit_keeps_nothing_past_it) {
  const std::string payload = bytesio::test::random_bytes(5000, 13);
  for (const bool chunked : {false, true}) {
    BOOST_TEST_INFO_SCOPE("chunked " << chunked);
    bytesio::test::loopback net;
    http::response<bytesio::http_body> out{http::status::ok, 11};
    out.body().write(payload);
    out.chunked(chunked);
    if (!chunked)
      out.prepare_payload();
    std::thread peer = write_async(net.server, out);
    bytesio::bytes_buf wire;
    auto buffer = bytesio::dynamic_buffer(wire);
    http::response_parser<bytesio::http_body> parser;
    parser.body_limit(1000);
    beast::error_code ec;
    // Beast 1.74 and 1.75 drop the parser's body_limit error for a
    // Content-Length in eager mode, which http::read sets (boostorg/beast
    // issues 2087, 2183); reading the header first keeps it. (The body's own
    // size limit has no such gap: the_size_limit_of_the_body.)
    http::read_header(net.client, buffer, parser, ec);
    if (!ec)
      http::read(net.client, buffer, parser, ec);
    net.client.close();
    peer.join();
    CHECK_EC(ec, http::error::body_limit);
    BOOST_TEST(parser.get().body().size() <= 1000u);
    BOOST_TEST(payload.starts_with(body_of(parser.get().body())));
  }
}

BOOST_AUTO_TEST_CASE(the_size_limit_of_the_body) {
  const std::string payload = bytesio::test::random_bytes(5000, 14);
  for (const bool chunked : {false, true}) {
    BOOST_TEST_INFO_SCOPE("chunked " << chunked);
    bytesio::test::loopback net;
    http::response<bytesio::http_body> out{http::status::ok, 11};
    out.body().write(payload);
    out.chunked(chunked);
    if (!chunked)
      out.prepare_payload();
    std::thread peer = write_async(net.server, out);
    bytesio::bytes_buf wire;
    auto buffer = bytesio::dynamic_buffer(wire);
    http::response_parser<bytesio::http_body> parser;
    parser.get().body().set_size_limit(1000);
    beast::error_code ec;
    http::read(net.client, buffer, parser, ec);
    net.client.close();
    peer.join();
    CHECK_EC(ec, bytesio::errc::size_limit);
    BOOST_CHECK(ec != bytesio::errc::closed);
    BOOST_TEST(ec.message() == bytesio::make_error_code(bytesio::errc::size_limit).message());
    const bytesio::bytes_buf &body = parser.get().body();
    if (!chunked)
      BOOST_TEST(body.size() == 0u); // Content-Length over the limit: refused before any byte
    BOOST_TEST(body.size() <= 1000u);
    BOOST_TEST(payload.starts_with(body_of(body)));
  }
}

BOOST_AUTO_TEST_CASE(the_reader_appends_and_reports_errors) {
  http::response<bytesio::http_body> res;
  res.body().write(std::string_view("kept|"));
  res.body().seek(0);
  bytesio::http_body::reader r(res, res.body());
  beast::error_code ec;
  r.init(boost::optional<std::uint64_t>(6), ec);
  BOOST_TEST(!ec);
  BOOST_TEST(res.body().capacity() >= 11u); // the Content-Length is reserved
  BOOST_TEST(r.put(asio::buffer(std::string_view("abc")), ec) == 3u);
  BOOST_TEST(!ec);
  const std::array<asio::const_buffer, 2> pieces{asio::buffer(std::string_view("de")),
                                                 asio::buffer(std::string_view("f"))};
  BOOST_TEST(r.put(pieces, ec) == 3u);
  r.finish(ec);
  BOOST_TEST(!ec);
  BOOST_TEST(body_of(res.body()) == "kept|abcdef");
  BOOST_TEST(res.body().tell() == 0u);

  res.body().set_size_limit(12);
  BOOST_TEST(r.put(asio::buffer(std::string_view("gh")), ec) == 0u);
  CHECK_EC(ec, bytesio::errc::size_limit);
  BOOST_TEST(body_of(res.body()) == "kept|abcdef"); // nothing of the refused piece
  r.init(boost::optional<std::uint64_t>(2), ec);
  CHECK_EC(ec, bytesio::errc::size_limit);
  {
    auto view = res.body().getbuffer();
    r.init(boost::none, ec);
    CHECK_EC(ec, bytesio::errc::buffer_exported);
    BOOST_TEST(r.put(asio::buffer(std::string_view("g")), ec) == 0u);
    CHECK_EC(ec, bytesio::errc::buffer_exported);
  }
  res.body().close();
  BOOST_TEST(r.put(asio::buffer(std::string_view("g")), ec) == 0u);
  CHECK_EC(ec, bytesio::errc::closed);
  // Other codes do not compare equal.
  BOOST_TEST(!(beast::error_code(http::error::body_limit) == bytesio::errc::size_limit));
  BOOST_TEST(!(beast::error_code() == bytesio::errc::closed));
}

BOOST_AUTO_TEST_CASE(a_full_wire_buffer_is_beasts_buffer_overflow) {
  bytesio::test::loopback net;
  http::response<bytesio::http_body> out{http::status::ok, 11};
  out.set(http::field::server, std::string(3000, 'x'));
  out.prepare_payload();
  std::thread peer = write_async(net.server, out);
  bytesio::bytes_buf wire;
  wire.set_size_limit(1000);
  auto buffer = bytesio::dynamic_buffer(wire);
  http::response<bytesio::http_body> in;
  beast::error_code ec;
  http::read(net.client, buffer, in, ec);
  net.client.close();
  peer.join();
  CHECK_EC(ec, http::error::buffer_overflow);
  BOOST_TEST(wire.size() <= 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(http_body_reader_takes_an_empty_piece_as_nothing) {
  // Beast may hand the reader an empty buffer sequence (a chunk boundary):
  // nothing is appended, no error, the body keeps its position.
  http::request<bytesio::http_body> req;
  req.body().write(std::string_view("abc"));
  bytesio::http_body::reader r(req, req.body());
  beast::error_code ec;
  r.init(boost::none, ec);
  BOOST_TEST(!ec);
  BOOST_TEST(r.put(asio::const_buffer(), ec) == 0u);
  BOOST_TEST(!ec);
  BOOST_TEST(r.put(asio::buffer("de", 2), ec) == 2u);
  BOOST_TEST(!ec);
  BOOST_TEST(str(req.body().view()) == "abcde");
}
