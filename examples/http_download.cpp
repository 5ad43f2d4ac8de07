// SPDX-License-Identifier: BSL-1.0
// An HTTP download generated in memory, without a temporary file.
//
// A small Boost.Beast server on 127.0.0.1 (an ephemeral port) builds a CSV
// report, gzips it straight into the body of its response, a bytes_buf
// (bytesio::http_body), and serves it as an attachment
// (`Content-Disposition`, `Content-Encoding: gzip`, `Content-Type`); Beast
// sends the buffer's memory, no copy. Sockets read into bytes_bufs too,
// through bytesio::dynamic_buffer: no flat_buffer anywhere. A Beast client
// in the same program downloads the report into an http_body, whose size
// limit guards against a hostile Content-Length, and gunzips it from there;
// then `curl --compressed` fetches it too, when curl is installed. Both
// results must equal the report. No file touches the disk, and the program
// stops by itself: it serves a fixed number of requests and an alarm ends
// it should anything hang.

#include <bytesio/asio.hpp>
#include <bytesio/bytes_buf.hpp>
#include <bytesio/iostreams.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace io = boost::iostreams;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string make_report() {
  std::string csv = "id,item,quantity\n";
  char line[64];
  for (int i = 0; i < 20000; ++i) {
    const int n = std::snprintf(line, sizeof line, "%d,item-%d,%d\n", i, i % 97, (i * 7) % 13);
    csv.append(line, static_cast<std::size_t>(n));
  }
  return csv;
}

/** gzips `text` into `out` (the position is left at 0). */
void gzip_into(bytesio::bytes_buf &out, std::string_view text) {
  io::filtering_ostream gz;
  gz.push(io::gzip_compressor());
  gz.push(bytesio::bytes_device(out));
  gz.write(text.data(), static_cast<std::streamsize>(text.size()));
  gz.reset(); // flushes the gzip trailer into out
  out.seek(0);
}

/** Serves one request on `socket`: the gzipped report, or 404. */
void serve(tcp::socket &socket) {
  // The socket reads into a bytes_buf; the parser consumes from its position.
  bytesio::bytes_buf wire;
  auto buffer = bytesio::dynamic_buffer(wire);
  http::request<http::empty_body> request;
  http::read(socket, buffer, request);

  if (request.target() != "/report.csv") {
    http::response<http::string_body> missing{http::status::not_found, request.version()};
    missing.body() = "no such report\n";
    missing.prepare_payload();
    http::write(socket, missing);
    return;
  }

  // The body is a bytes_buf: gzip writes into it, Beast sends its memory.
  http::response<bytesio::http_body> response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/csv; charset=utf-8");
  response.set(http::field::content_encoding, "gzip");
  response.set(http::field::content_disposition, "attachment; filename=\"report.csv\"");
  gzip_into(response.body(), make_report());
  response.prepare_payload();
  http::write(socket, response);
  socket.shutdown(tcp::socket::shutdown_send);
}

/** Downloads /report.csv with Beast and returns the gunzipped body. */
std::string beast_download(net::io_context &ioc, unsigned short port) {
  tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  http::request<http::empty_body> request{http::verb::get, "/report.csv", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::accept_encoding, "gzip");
  http::write(socket, request);

  bytesio::bytes_buf wire;
  auto buffer = bytesio::dynamic_buffer(wire);
  http::response<bytesio::http_body> response;
  response.body().set_size_limit(16u << 20); // a larger body fails with errc::size_limit
  http::read(socket, buffer, response);
  if (response.result() != http::status::ok || response[http::field::content_encoding] != "gzip" ||
      !response[http::field::content_disposition].starts_with("attachment"))
    throw std::runtime_error("unexpected response headers");

  // The body is already a file: gunzip it where it lies.
  bytesio::bytes_buf plain;
  plain.set_size_limit(64u << 20); // never trust a peer's compression ratio
  io::filtering_istream in;
  in.push(io::gzip_decompressor());
  in.push(bytesio::bytes_device(response.body()));
  bytesio::bytes_device sink(plain);
  io::copy(in, sink);
  const auto bytes = plain.view();
  return {reinterpret_cast<const char *>(bytes.data()), bytes.size()};
}

/** Downloads /report.csv with curl, which gunzips it (--compressed). */
std::string curl_download(unsigned short port) {
  std::string body;
  const std::string command =
      "curl -sS --fail --max-time 20 --compressed http://127.0.0.1:" + std::to_string(port) +
      "/report.csv";
  FILE *p = ::popen(command.c_str(), "r");
  if (p == nullptr)
    throw std::runtime_error("cannot run curl");
  char chunk[16384];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, p)) > 0;)
    body.append(chunk, n);
  if (::pclose(p) != 0)
    throw std::runtime_error("curl failed");
  return body;
}

} // namespace

int main() {
  ::alarm(60); // bounded: if anything hangs, SIGALRM ends the process with a failure

  const std::string report = make_report();
  const bool have_curl = std::system("command -v curl >/dev/null 2>&1") == 0;
  const int requests = have_curl ? 2 : 1;

  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
  const unsigned short port = acceptor.local_endpoint().port();
  std::string server_error;
  std::thread server([&] {
    for (int i = 0; i < requests; ++i) {
      try {
        tcp::socket socket(ioc);
        acceptor.accept(socket);
        serve(socket);
      } catch (const std::exception &e) {
        server_error = e.what();
      }
    }
  });

  int status = 0;
  try {
    const std::string got = beast_download(ioc, port);
    if (got != report)
      throw std::runtime_error("Beast client: the body differs from the report");
    std::printf("Beast client: %zu bytes of report from http://127.0.0.1:%u/report.csv, equal\n",
                got.size(), static_cast<unsigned>(port));
    if (have_curl) {
      const std::string by_curl = curl_download(port);
      if (by_curl != report)
        throw std::runtime_error("curl: the body differs from the report");
      std::printf("curl --compressed: %zu bytes, equal\n", by_curl.size());
    } else {
      std::printf("curl not installed: skipped\n");
    }
  } catch (const std::exception &e) {
    std::cerr << "http_download: " << e.what() << '\n';
    std::_Exit(1); // the server thread may still wait in accept(); end the process
  }
  server.join();
  if (!server_error.empty()) {
    std::cerr << "http_download: server: " << server_error << '\n';
    status = 1;
  }
  return status;
}
