// SPDX-License-Identifier: BSL-1.0
// The consumer tests' program: uses the header-only core and the compiled
// part (base64), so a broken include path or link line fails the build, and
// checks its results, so a broken library fails the run.

#include <bytesio.hpp>
#include <bytesio/base64.hpp>

#include <cstdio>
#include <string_view>

int main() {
  bytesio::bytes_stream s;
  s << "hello, " << 42;
  s.seekg(0);
  std::string word;
  int n = 0;
  s >> word >> n;
  const bytesio::byte_vector bytes = s.take();
  const bool ok = word == "hello," && n == 42 && bytes.size() == 9 &&
                  bytesio::base64_encode(std::string_view("bytesio")) == "Ynl0ZXNpbw==";
  std::puts(ok ? "consumer: ok" : "consumer: FAILED");
  return ok ? 0 : 1;
}
