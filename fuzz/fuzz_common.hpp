// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_FUZZ_FUZZ_COMMON_HPP
#define BYTESIO_FUZZ_FUZZ_COMMON_HPP

// Shared by the fuzz targets: a reader that decodes operations from the fuzz
// input (running out of input yields zeros, never an error), and a check that
// prints what disagreed and aborts, which libFuzzer and the replay driver
// both report as a finding.

#include "bytesio/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ios>
#include <span>
#include <string>

namespace bytesio::fuzz {

/** Consumes the fuzz input front to back; past its end every read is 0. */
class input {
public:
  input(const std::uint8_t *data, std::size_t size) noexcept : p_(data), n_(size) {}

  bool empty() const noexcept { return n_ == 0; }
  std::size_t left() const noexcept { return n_; }

  std::uint8_t u8() noexcept {
    if (n_ == 0)
      return 0;
    --n_;
    return *p_++;
  }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() noexcept {
    return static_cast<std::uint32_t>(u16() | (std::uint32_t{u16()} << 16));
  }

  /** The next min(n, left()) bytes. */
  std::span<const std::byte> bytes(std::size_t n) noexcept {
    n = n < n_ ? n : n_;
    std::span<const std::byte> out(reinterpret_cast<const std::byte *>(p_), n);
    p_ += n;
    n_ -= n;
    return out;
  }

private:
  const std::uint8_t *p_;
  std::size_t n_;
};

/** The errc value an exception carries, -1 if it is not a bytesio error. */
inline int error_of(const std::ios_base::failure &e) noexcept {
  return e.code().category() == bytesio::error_category() ? e.code().value() : -1;
}

/** Reports a finding and aborts; `detail` is the operation trace or the error. */
[[noreturn]] inline void die(const std::string &what, const std::string &detail) {
  std::fprintf(stderr, "\n*** bytesio fuzz: MISMATCH: %s\n*** detail: %s\n", what.c_str(),
               detail.c_str());
  std::fflush(stderr);
  std::abort();
}

} // namespace bytesio::fuzz

#endif // BYTESIO_FUZZ_FUZZ_COMMON_HPP
