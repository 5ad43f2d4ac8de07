// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_SUBJECTS_HPP
#define BYTESIO_TEST_SUPPORT_SUBJECTS_HPP

// The buffers the contract suite (test/file_contract_*.cpp) runs over, each
// wrapped as a "subject": a type that IS the buffer and is constructed from
// the initial contents, so one test body serves every buffer:
//
//     BOOST_AUTO_TEST_CASE_TEMPLATE(name, F, writable_subjects) {
//       F b{"abc"};          // the contents "abc", position 0
//       b.write("x"); ...
//
// spooled_buf runs at several thresholds, so every case runs before the
// rollover (0: never), after it (1: rolled at the first write) and across
// it (a block and 7 bytes, 1 MiB: the large cases cross them). span_buf and
// gunzip_buf, read-only, run the reading half.

#include "bytesio/bytes_buf.hpp"
#include "bytesio/span_buf.hpp"
#include "bytesio/spooled_buf.hpp"
#ifdef BYTESIO_TEST_GUNZIP // bytesio::igzip is built (ISA-L found): gunzip_buf reads too
#include "bytesio/gunzip_buf.hpp"

#include "gzip_peers.hpp"
#endif

#include <cstring>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace bytesio::test {

/** A `basic_bytes_buf<Storage>`. */
template <class Storage>
struct bytes_subject : basic_bytes_buf<Storage> {
  using basic_bytes_buf<Storage>::basic_bytes_buf;
  bytes_subject() = default;
  static constexpr bool rolls = false;
};

/** A `spooled_buf` with threshold `Threshold`, written with the initial contents and rewound. */
template <std::size_t Threshold>
struct spooled_subject : spooled_buf {
  spooled_subject() : spooled_buf(Threshold) {}
  explicit spooled_subject(std::string_view initial) : spooled_buf(Threshold) {
    if (!initial.empty()) {
      write(initial);
      seek(0);
    }
  }
  explicit spooled_subject(const char *initial) : spooled_subject(std::string_view(initial)) {}
  explicit spooled_subject(std::span<const std::byte> initial)
      : spooled_subject(
            std::string_view(reinterpret_cast<const char *>(initial.data()), initial.size())) {}
  static constexpr bool rolls = Threshold != 0;
};

/** Every Storage `basic_bytes_buf` is tested with. */
using storage_types = std::tuple<byte_vector, std::vector<char>, std::vector<unsigned char>,
                                 std::vector<std::byte>, std::string, std::pmr::vector<std::byte>>;

template <class Tuple>
struct bytes_subjects_of;
template <class... Storage>
struct bytes_subjects_of<std::tuple<Storage...>> {
  using type = std::tuple<bytes_subject<Storage>...>;
};

using bytes_subjects = bytes_subjects_of<storage_types>::type;

/** The memory a span_subject reads: a base, so it is there before the span_buf. */
struct owned_memory {
  // Names no buffer uses: lookup in span_subject sees both bases.
  std::unique_ptr<char[]> owned_bytes_;
  std::size_t owned_size_ = 0;
  explicit owned_memory(std::string_view s)
      : owned_bytes_(new char[s.size() + 1]), owned_size_(s.size()) {
    std::memcpy(owned_bytes_.get(), s.data(), s.size());
  }
  std::string_view owned_chars() const noexcept { return {owned_bytes_.get(), owned_size_}; }
};

/** A `span_buf` over memory of its own (moves keep it: the heap block moves along). */
struct span_subject : private owned_memory, span_buf {
  span_subject() : span_subject(std::string_view()) {}
  explicit span_subject(std::string_view initial)
      : owned_memory(initial), span_buf(owned_memory::owned_chars()) {}
  explicit span_subject(const char *initial) : span_subject(std::string_view(initial)) {}
  static constexpr bool rolls = false;
};

#ifdef BYTESIO_TEST_GUNZIP
/**
 * A `gunzip_buf` over its contents gzip'ed by zlib, as two members (the
 * reads cross the boundary) when there are two bytes or more. `getvalue()`
 * decodes everything again through a second `gunzip_buf`. With `Threads`
 * above 1 the buffer is given a complete index and decodes ahead on that
 * many threads.
 */
template <unsigned Threads = 1>
struct gunzip_subject : private owned_memory, gunzip_buf {
  gunzip_subject() : gunzip_subject(std::string_view()) {}
  explicit gunzip_subject(std::string_view initial)
      : owned_memory(two_members(initial)), gunzip_buf(made(gz_of(*this))) {}
  explicit gunzip_subject(const char *initial) : gunzip_subject(std::string_view(initial)) {}
  static constexpr bool rolls = false;

  byte_vector getvalue() const { return gunzip_buf(gz_of(*this)).read(); }

private:
  // Static, on the base: the constructor calls it before gunzip_buf exists.
  static std::span<const std::byte> gz_of(const owned_memory &m) {
    return std::as_bytes(std::span(m.owned_chars()));
  }
  static gunzip_buf made(std::span<const std::byte> gz) {
    if constexpr (Threads == 1)
      return gunzip_buf(gz);
    else
      return gunzip_buf(gz, gunzip_buf(gz, {.spacing = 32768}).build_index(), {.threads = Threads});
  }
  static std::string two_members(std::string_view text) {
    const std::string s(text);
    const std::size_t half = s.size() / 2;
    return half == 0 ? zlib_gzip(s, 6)
                     : zlib_gzip(s.substr(0, half), 6) + zlib_gzip(s.substr(half), 1);
  }
};
using read_only_subjects = std::tuple<span_subject, gunzip_subject<1>, gunzip_subject<2>>;
#else
using read_only_subjects = std::tuple<span_subject>;
#endif

using spooled_subjects =
    std::tuple<spooled_subject<0>, spooled_subject<1>, spooled_subject<spooled_buf::block_size + 7>,
               spooled_subject<1024 * 1024>>;

/** Every buffer that can be written. */
using writable_subjects = decltype(std::tuple_cat(bytes_subjects{}, spooled_subjects{}));

/** Every buffer, for the reading half of the contract. */
using file_subjects = decltype(std::tuple_cat(writable_subjects{}, read_only_subjects{}));

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_SUBJECTS_HPP
