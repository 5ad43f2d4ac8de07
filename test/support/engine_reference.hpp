// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_ENGINE_REFERENCE_HPP
#define BYTESIO_TEST_SUPPORT_ENGINE_REFERENCE_HPP

// igzip_decompressor's engine driven over a whole gzip input, outside any
// chain: the verdict and the message gunzip_buf and the chains must give.
// For the tests and the fuzz targets (so no Boost.Test here).

#include "bytesio/detail/igzip_engine.hpp"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <limits>
#include <string>
#include <string_view>

namespace bytesio::test {

struct engine_decoding {
  std::string bytes;        // what the engine handed on, also from a call that threw
  std::exception_ptr error; // what it threw; null: the input decoded (or reached `total`)
};

struct engine_limits {
  std::size_t room = std::numeric_limits<std::size_t>::max();  // output a call at most
  std::size_t total = std::numeric_limits<std::size_t>::max(); // output in all: stop there
};

/**
 * `gz` through an igzip_inflate_engine, with all the room the output has a
 * call (grown as it fills) unless `limits` say less.
 */
inline engine_decoding engine_gunzip(std::string_view gz, engine_limits limits = {}) {
  engine_decoding r;
  detail::igzip_inflate_engine engine;
  const char *p = gz.data();
  std::size_t used = 0;
  try {
    for (bool more = true; more && used < limits.total;) {
      if (used == r.bytes.size())
        r.bytes.resize(
            std::min(limits.total, std::max<std::size_t>({4096, 2 * used, 4 * gz.size()})));
      char *const begin = r.bytes.data();
      char *d = begin + used;
      char *const end = d + std::min(limits.room, r.bytes.size() - used);
      try {
        more = engine.filter(p, gz.data() + gz.size(), d, end, true);
      } catch (...) {
        used = static_cast<std::size_t>(d - begin); // the engine publishes progress as it throws
        throw;
      }
      used = static_cast<std::size_t>(d - begin);
    }
  } catch (...) {
    r.error = std::current_exception();
  }
  r.bytes.resize(used);
  return r;
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_ENGINE_REFERENCE_HPP
