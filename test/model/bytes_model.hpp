// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_MODEL_BYTES_MODEL_HPP
#define BYTESIO_TEST_MODEL_BYTES_MODEL_HPP

// The reference model of io.BytesIO as the buffers document it (the file-like
// API in include/bytesio/detail/file_core.hpp): a vector and a
// position, a few obvious lines per operation, no performance tricks. Used
// only by tests and fuzzers, which run it side by side with bytes_buf /
// bytes_stream and demand identical contents, positions, results and errors.

#include "bytesio/error.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ios>
#include <limits>
#include <optional>
#include <vector>

namespace bytesio::test {

/** The io.BytesIO rules, written as plainly as possible.
 *
 *  File-like members return `std::nullopt`-free results and report failure
 *  through `error`: after each call `error` is the errc the real buffer must
 *  throw, or 0 when the call must succeed. Stream-level members return the
 *  iostate bits the real stream must end up with (after a `clear()` before
 *  the call).
 */
struct bytes_model {
  using bytes = std::vector<std::byte>;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  bytes data;               ///< the contents
  std::size_t pos = 0;      ///< the one position, may lie past the end
  std::size_t limit = npos; ///< set_size_limit
  std::size_t exports = 0;  ///< live getbuffer() views
  bool closed = false;
  bool read_only = false; ///< a span_buf: stream output and overwriting putbacks fail
  int error = 0;          ///< errc of the last file-like call, 0: success

  std::size_t remaining() const { return pos < data.size() ? data.size() - pos : 0; }

  bool fail(errc e) {
    error = static_cast<int>(e);
    return false;
  }
  bool open() {
    error = 0;
    return closed ? fail(errc::closed) : true;
  }
  bool mutable_() { return open() && (exports == 0 || fail(errc::buffer_exported)); }

  // Places bytes at pos, zero-filling a gap; no checks.
  void put(const std::byte *p, std::size_t n) {
    if (n == 0)
      return;
    if (data.size() < pos + n)
      data.resize(pos + n); // zero-fills the gap and the new tail
    std::copy(p, p + n, data.begin() + static_cast<std::ptrdiff_t>(pos));
    pos += n;
  }

  // How many of n bytes fit under the limit at pos.
  std::size_t room(std::size_t n) const {
    const std::size_t ceiling = std::max(data.size(), limit);
    return pos >= ceiling ? 0 : std::min(n, ceiling - pos);
  }

  // ---- file-like API ----------------------------------------------------
  std::size_t write(const std::byte *p, std::size_t n) {
    if (!mutable_() || n == 0)
      return 0;
    if (room(n) < n)
      return fail(errc::size_limit), 0;
    put(p, n);
    return n;
  }
  // The n bytes at pos (the caller made sure they exist); never forms an
  // iterator past the end, since pos may lie anywhere up to 2^63.
  bytes slice(std::size_t n) const {
    if (n == 0)
      return {};
    const auto first = data.begin() + static_cast<std::ptrdiff_t>(pos);
    return bytes(first, first + static_cast<std::ptrdiff_t>(n));
  }
  bytes read(std::size_t n = npos) {
    if (!open())
      return {};
    n = std::min(n, remaining());
    bytes out = slice(n);
    pos += n;
    return out;
  }
  std::size_t readinto(std::byte *out, std::size_t n) {
    bytes got = read(n);
    std::copy(got.begin(), got.end(), out);
    return got.size();
  }
  bytes readline(std::size_t lim = npos) {
    if (!open())
      return {};
    std::size_t n = 0;
    while (n < lim && pos + n < data.size()) {
      ++n;
      if (data[pos + n - 1] == std::byte{'\n'})
        break;
    }
    return read(n);
  }
  std::vector<bytes> readlines(std::size_t hint = 0) {
    std::vector<bytes> lines;
    if (!open())
      return lines;
    std::size_t total = 0;
    for (bytes line = readline(); !line.empty(); line = readline()) {
      total += line.size();
      lines.push_back(line);
      if (hint != 0 && total >= hint)
        break;
    }
    return lines;
  }
  std::uint64_t seek(std::int64_t off, std::ios_base::seekdir dir) {
    if (!open())
      return 0;
    if (dir == std::ios_base::beg && off < 0)
      return fail(errc::invalid_argument), 0;
    const auto origin = static_cast<std::int64_t>(dir == std::ios_base::beg   ? 0
                                                  : dir == std::ios_base::cur ? pos
                                                                              : data.size());
    if (off > 0 && origin > std::numeric_limits<std::int64_t>::max() - off)
      return fail(errc::invalid_argument), 0;
    pos = static_cast<std::size_t>(std::max<std::int64_t>(0, origin + off));
    return pos;
  }
  std::uint64_t tell() { return open() ? pos : 0; }
  std::uint64_t truncate(std::uint64_t n) {
    if (!mutable_())
      return 0;
    if (n < data.size())
      data.resize(static_cast<std::size_t>(n));
    return n;
  }
  std::uint64_t truncate() { return open() ? truncate(pos) : 0; }
  bytes getvalue() { return open() ? data : bytes{}; }
  bool getbuffer() { return open() && ++exports != 0; }
  void release() { --exports; }
  bytes take() {
    if (!mutable_())
      return {};
    bytes out;
    out.swap(data);
    pos = 0;
    return out;
  }
  void clear() {
    if (mutable_())
      data.clear(), pos = 0;
  }
  void close() {
    if (closed) {
      error = 0;
      return;
    }
    if (mutable_())
      data.clear(), pos = 0, closed = true;
  }
  void reserve() { mutable_(); }
  void shrink_to_fit() { mutable_(); }
  void set_size_limit(std::size_t n) {
    if (open())
      limit = n;
  }
  std::size_t size_limit() { return open() ? limit : 0; }
  std::size_t size() const { return closed ? 0 : data.size(); }

  // ---- stream level (std::iostream over the buffer) ----------------------
  using state = std::ios_base::iostate;
  static constexpr state good = std::ios_base::goodbit, bad = std::ios_base::badbit,
                         eof_fail = std::ios_base::eofbit | std::ios_base::failbit;

  state stream_put(std::byte c) { return stream_write(&c, 1) == 1 ? good : bad; }
  /// ostream::write: as many bytes as fit under the limit land.
  std::size_t stream_write(const std::byte *p, std::size_t n) {
    if (closed || exports != 0 || read_only)
      return 0;
    n = room(n);
    put(p, n);
    return n;
  }
  /// istream::get(): the byte, or nullopt with eofbit|failbit.
  std::optional<std::byte> stream_get() {
    if (closed || pos >= data.size())
      return std::nullopt;
    return data[pos++];
  }
  /// istream::read: the bytes read (gcount); short means eofbit|failbit.
  bytes stream_read(std::size_t n) {
    if (closed)
      return {};
    n = std::min(n, remaining());
    bytes out = slice(n);
    pos += n;
    return out;
  }
  /// seekg/seekp: one position; negative targets fail with failbit.
  state stream_seek(std::int64_t off, std::ios_base::seekdir dir) {
    if (closed)
      return std::ios_base::failbit;
    const auto origin = static_cast<std::int64_t>(dir == std::ios_base::beg   ? 0
                                                  : dir == std::ios_base::cur ? pos
                                                                              : data.size());
    if ((off > 0 && origin > std::numeric_limits<std::int64_t>::max() - off) || origin + off < 0)
      return std::ios_base::failbit;
    pos = static_cast<std::size_t>(origin + off);
    return good;
  }
  /// tellg/tellp: the position, or -1 on a closed buffer.
  std::int64_t stream_tell() const { return closed ? -1 : static_cast<std::int64_t>(pos); }
  /// putback(c): steps back over c; a different byte is overwritten (a write).
  state stream_putback(std::byte c) {
    if (closed || pos == 0 || pos > data.size())
      return bad;
    if (data[pos - 1] != c) {
      if (exports != 0 || read_only)
        return bad;
      data[pos - 1] = c;
    }
    --pos;
    return good;
  }
  /// unget(): steps back one byte.
  state stream_unget() {
    if (closed || pos == 0 || pos > data.size())
      return bad;
    --pos;
    return good;
  }
};

} // namespace bytesio::test

#endif // BYTESIO_TEST_MODEL_BYTES_MODEL_HPP
