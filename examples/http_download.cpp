// An HTTP download generated in memory, without a temporary file.
//
// A small Boost.Beast server on 127.0.0.1 (an ephemeral port) builds a CSV
// report, gzips it into a bytes_buf and serves it as an attachment
// (`Content-Disposition`, `Content-Encoding: gzip`, `Content-Type`); the body
// is the buffer's memory, moved out with take() and sent without a copy. A
// Beast client in the same program downloads it, adopts the body into a
// bytes_buf (again no copy) and gunzips it; then `curl --compressed` fetches
// it too, when curl is installed. Both results must equal the report. No
// file touches the disk, and the program stops by itself: it serves a fixed
// number of requests and an alarm ends it should anything hang.

#include <bytesio/bytes_buf.hpp>
#include <bytesio/iostreams.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

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

/** gzip `text` into memory; the caller takes the bytes out with take(). */
bytesio::byte_vector gzip(std::string_view text) {
  bytesio::bytes_buf buf;
  io::filtering_ostream out;
  out.push(io::gzip_compressor());
  out.push(bytesio::bytes_device(buf));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.reset(); // flushes the gzip trailer into buf
  return buf.take();
}

/** Serves one request on `socket`: the gzipped report, or 404. */
void serve(tcp::socket &socket) {
  beast::flat_buffer scratch;
  http::request<http::empty_body> request;
  http::read(socket, scratch, request);

  if (request.target() != "/report.csv") {
    http::response<http::string_body> missing{http::status::not_found, request.version()};
    missing.body() = "no such report\n";
    missing.prepare_payload();
    http::write(socket, missing);
    return;
  }

  // The body is the buffer's own memory: take() moves it out of the
  // bytes_buf, span_body sends it where it lies.
  bytesio::byte_vector body = gzip(make_report());
  http::response<http::span_body<char>> response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/csv; charset=utf-8");
  response.set(http::field::content_encoding, "gzip");
  response.set(http::field::content_disposition, "attachment; filename=\"report.csv\"");
  response.body() =
      http::span_body<char>::value_type(reinterpret_cast<char *>(body.data()), body.size());
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

  beast::flat_buffer scratch;
  http::response<http::vector_body<char>> response;
  http::read(socket, scratch, response);
  if (response.result() != http::status::ok || response[http::field::content_encoding] != "gzip" ||
      !response[http::field::content_disposition].starts_with("attachment"))
    throw std::runtime_error("unexpected response headers");

  // Adopt the received std::vector<char> as a buffer (no copy) and gunzip.
  bytesio::basic_bytes_buf<std::vector<char>> compressed(std::move(response.body()));
  bytesio::bytes_buf plain;
  plain.set_size_limit(64u << 20); // never trust a peer's compression ratio
  io::filtering_istream in;
  in.push(io::gzip_decompressor());
  in.push(bytesio::basic_bytes_device(compressed));
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
