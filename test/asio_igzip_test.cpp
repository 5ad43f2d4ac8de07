// SPDX-License-Identifier: BSL-1.0
#include "bytesio/asio.hpp"

#define BOOST_TEST_MODULE asio_igzip
#include "support/loopback.hpp"
#include "support/test_support.hpp"

// A gzip body over HTTP, decompressed from the message's bytes_buf by the
// ISA-L filters: built where bytesio::igzip is (as igzip_test).
#include "bytesio/igzip.hpp"
#include "bytesio/iostreams.hpp"

#include <boost/beast/http.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <cstdio>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace io = boost::iostreams;
using tcp = asio::ip::tcp;
using bytesio::test::str;
using bytesio::test::watchdog;

BOOST_TEST_GLOBAL_FIXTURE(watchdog);

namespace {

std::string csv(std::size_t rows) {
  std::string s = "id,item,quantity\n";
  char line[64];
  for (std::size_t i = 0; i < rows; ++i) {
    const int n = std::snprintf(line, sizeof line, "%zu,item-%zu,%zu\n", i, i % 97, (i * 7) % 13);
    s.append(line, static_cast<std::size_t>(n));
  }
  return s;
}

/** Compresses `text` straight into `body`, the message's own buffer. */
void gzip_into(bytesio::bytes_buf &body, std::string_view text) {
  io::filtering_ostream out;
  out.push(bytesio::igzip_compressor());
  out.push(bytesio::bytes_device(body));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  io::close(out);
  body.seek(0);
}

/** Serves one gzip response from a thread. */
std::thread serve(tcp::socket &socket, http::response<bytesio::http_body> &response) {
  return std::thread([&socket, &response] {
    boost::system::error_code ec;
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
  });
}

} // namespace

BOOST_AUTO_TEST_CASE(a_gzip_body_decompressed_from_the_bytes_buf) {
  const std::string report = csv(50000);
  for (const bool chunked : {false, true}) {
    BOOST_TEST_INFO_SCOPE("chunked " << chunked);
    bytesio::test::loopback net;
    http::response<bytesio::http_body> out{http::status::ok, 11};
    out.set(http::field::content_encoding, "gzip");
    gzip_into(out.body(), report);
    out.chunked(chunked);
    if (!chunked)
      out.prepare_payload();
    std::thread peer = serve(net.server, out);

    bytesio::bytes_buf wire;
    auto buffer = bytesio::dynamic_buffer(wire);
    http::response<bytesio::http_body> in;
    in.body().set_size_limit(16 << 20); // never trust a peer's Content-Length
    http::read(net.client, buffer, in);
    peer.join();
    BOOST_TEST(in[http::field::content_encoding] == "gzip");
    BOOST_TEST(in.body().size() == out.body().size());
    BOOST_TEST(in.body().size() < report.size() / 3);

    bytesio::bytes_buf plain;
    plain.set_size_limit(64 << 20); // nor its compression ratio
    io::filtering_istream gunzip;
    gunzip.push(bytesio::igzip_decompressor());
    gunzip.push(bytesio::bytes_device(in.body()));
    bytesio::bytes_device sink(plain);
    io::copy(gunzip, sink);
    BOOST_TEST(str(plain.view()) == report);
    plain.seek(0); // the copy wrote it: the position is at the end
    BOOST_TEST(str(plain.readline()) == "id,item,quantity\n");
  }
}

BOOST_AUTO_TEST_CASE(a_gzip_bomb_stops_at_the_size_limit) {
  bytesio::test::loopback net;
  http::response<bytesio::http_body> out{http::status::ok, 11};
  out.set(http::field::content_encoding, "gzip");
  gzip_into(out.body(), std::string(std::size_t{32} << 20, '\0'));
  out.prepare_payload();
  std::thread peer = serve(net.server, out);

  bytesio::bytes_buf wire;
  auto buffer = bytesio::dynamic_buffer(wire);
  http::response<bytesio::http_body> in;
  http::read(net.client, buffer, in);
  peer.join();
  BOOST_TEST(in.body().size() < std::size_t{1} << 20);

  bytesio::bytes_buf plain;
  plain.set_size_limit(1 << 20);
  io::filtering_istream gunzip;
  gunzip.push(bytesio::igzip_decompressor());
  gunzip.push(bytesio::bytes_device(in.body()));
  bytesio::bytes_device sink(plain);
  BYTESIO_CHECK_ERRC(io::copy(gunzip, sink), bytesio::errc::size_limit);
  BOOST_TEST(plain.size() <= std::size_t{1} << 20);
}
