// SPDX-License-Identifier: BSL-1.0
// gzip + base64 in memory, for a MIME attachment or a JSON field.
//
// A generated CSV report is compressed with Boost's gzip_compressor and
// base64-encoded with 76-column lines (RFC 2045) in one filter chain whose
// sink is a bytes_buf; then the text is decoded and decompressed back through
// the reverse chain and compared with the original. Nothing touches the disk
// and the report is never held twice as a std::string. Two counter_filters
// in the chain report the compressed size and the base64 lines on the way.

#include <bytesio/base64_filters.hpp>
#include <bytesio/bytes_buf.hpp>
#include <bytesio/filters.hpp>
#include <bytesio/iostreams.hpp>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <span>
#include <string>
#include <string_view>

namespace io = boost::iostreams;

namespace {

std::string make_report() {
  std::string csv = "date,region,units,revenue\n";
  char line[80];
  for (int day = 1; day <= 28; ++day)
    for (const char *region : {"north", "south", "east", "west"})
      for (int shop = 0; shop < 20; ++shop) {
        const int n = std::snprintf(line, sizeof line, "2024-02-%02d,%s,shop%d,%d\n", day, region,
                                    shop, (day * 37 + shop * 11) % 500);
        csv.append(line, static_cast<std::size_t>(n));
      }
  return csv;
}

std::string_view as_text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char *>(bytes.data()), bytes.size()};
}

} // namespace

int main() {
  const std::string report = make_report();

  // Encode: report -> gzip -> base64 (76 columns, CRLF) -> memory, counting
  // the gzip bytes and the base64 lines as they pass.
  bytesio::base64_options mime;
  mime.line_length = 76;
  bytesio::bytes_buf encoded;
  bytesio::counter_filter compressed; // the chain's copy shares its counts
  bytesio::counter_filter mime_text;
  {
    io::filtering_ostream out;
    out.push(io::gzip_compressor());
    out.push(compressed); // sees the gzip bytes
    out.push(bytesio::base64_encoder(mime));
    out.push(mime_text); // sees the base64 text
    out.push(bytesio::bytes_device(encoded));
    out << report;
    out.reset(); // closes the chain: gzip trailer, last base64 group and line
  }

  // The same bytes with one-shot calls: gzip into a buffer, then base64_encode.
  bytesio::bytes_buf gz;
  {
    io::filtering_ostream out;
    out.push(io::gzip_compressor());
    out.push(bytesio::bytes_device(gz));
    out << report;
    out.reset();
  }
  if (bytesio::base64_encode(gz.view(), mime) != as_text(encoded.view())) {
    std::cerr << "the chain and the one-shot encoder disagree\n";
    return 1;
  }
  if (compressed.bytes() != gz.size() || mime_text.bytes() != encoded.size()) {
    std::cerr << "the counters disagree with the sizes\n";
    return 1;
  }

  // Every line is at most 76 characters and ends with CRLF, as MIME wants.
  std::size_t lines = 0;
  for (std::string_view text = as_text(encoded.view()); !text.empty(); ++lines) {
    const std::size_t eol = text.find("\r\n");
    if (eol == std::string_view::npos || eol > 76) {
      std::cerr << "line " << lines << " is not a 76-column CRLF line\n";
      return 1;
    }
    text.remove_prefix(eol + 2);
  }
  if (lines != mime_text.lines()) {
    std::cerr << "the line counter saw " << mime_text.lines() << " lines, not " << lines << '\n';
    return 1;
  }

  // A MIME part and a JSON field (JSON strings cannot hold raw line breaks,
  // so the JSON field uses one unbroken line).
  std::string part = "Content-Type: application/gzip\r\n"
                     "Content-Disposition: attachment; filename=\"report.csv.gz\"\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n";
  part += as_text(encoded.view());
  std::string json = R"({"name":"report.csv.gz","data":")";
  json += bytesio::base64_encode(gz.view());
  json += "\"}";

  // Decode: memory -> base64 (skipping the line breaks) -> gunzip -> memory,
  // with a size limit as a guard against a decompression bomb.
  bytesio::base64_options lenient;
  lenient.ignore_whitespace = true;
  encoded.seek(0);
  bytesio::bytes_buf decoded;
  decoded.set_size_limit(16u << 20);
  {
    io::filtering_istream in;
    in.push(io::gzip_decompressor());
    in.push(bytesio::base64_decoder(lenient));
    in.push(bytesio::bytes_device(encoded));
    bytesio::bytes_device sink(decoded);
    io::copy(in, sink);
  }
  if (as_text(decoded.view()) != report) {
    std::cerr << "the round trip changed the report\n";
    return 1;
  }

  std::printf("report %zu bytes -> gzip %zu -> base64 %zu (%zu lines of <= 76) -> MIME part %zu, "
              "JSON field %zu -> back to %zu bytes, equal\n",
              report.size(), static_cast<std::size_t>(compressed.bytes()), encoded.size(),
              static_cast<std::size_t>(mime_text.lines()), part.size(), json.size(),
              decoded.size());
  return 0;
}
