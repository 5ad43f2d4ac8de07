// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_SPOOLED_BUF_HPP
#define BYTESIO_SPOOLED_BUF_HPP

#include "bytesio/detail/export.hpp"

#include "bytesio/byte_vector.hpp"
#include "bytesio/detail/block_cache.hpp"
#include "bytesio/detail/file_core.hpp"
#include "bytesio/detail/temp_file.hpp"
#include "bytesio/error.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ios>
#include <istream>
#include <span>
#include <streambuf>
#include <string_view>
#include <utility>
#include <vector>

namespace bytesio {

/**
 * A binary file that lives in memory up to a threshold and then in an
 * anonymous temporary file: the C++ counterpart of Python's
 * `tempfile.SpooledTemporaryFile`, as a `std::streambuf` with the file-like
 * API of `bytes_buf`.
 *
 * Everything `basic_bytes_buf` promises holds here, before and after the
 * rollover alike: one position shared by reading and writing, which may lie
 * past the end; a write past the end zero-fills the gap; `truncate` never
 * extends and never moves the position; `seek` never changes the contents;
 * the size limit; `close`. Only `take`, `view` and `getbuffer`, which need
 * the bytes in memory, are missing; `read`, `readline`, `getvalue` return a
 * `byte_vector`.
 *
 * Rollover. The data move into the file when
 * - a write (file-like or through a stream) would leave the position
 *   greater than `threshold` (a threshold of 0 never rolls by writing). The
 *   move happens *before* that write, so a large write is never held in
 *   memory twice: with threshold 30, writing 20 then 10 bytes stays in
 *   memory, one more byte rolls over; `seek(100)` alone does not roll, the
 *   next write does;
 * - `truncate(n)` is called with `n > threshold` (and a threshold other than
 *   0: unlike CPython, whose `truncate` rolls any `max_size=0` file, 0 means
 *   "never by itself" here);
 * - `rollover()` or `fileno()` is called.
 * The contents and the position (even past the end) carry over unchanged.
 * The file is created in `dir` (default: `std::filesystem::temp_directory_path()`,
 * which honours `TMPDIR`, looked up at the rollover) with `O_TMPFILE` where
 * the filesystem supports it, else `mkstemp` (mode 0600) and an immediate
 * `unlink`; always close-on-exec. It has no name, so nothing is left on disk
 * after the buffer dies, even if the process is killed.
 *
 * After the rollover, I/O goes through a block cache of `block_size` bytes
 * that is the stream's get or put area, so `sputc`/`sputn` of small records
 * cost a `memcpy`; the cache is written with `pwrite` when the position
 * leaves it, on `flush()`, `pubsync()`, `fileno()`, `truncate`, and `close()`.
 * Writes of a block or more bypass it.
 *
 * Errors. File-like members throw `std::ios_base::failure`: with a
 * `bytesio::errc` (`closed`, `size_limit`, `invalid_argument`) for misuse,
 * with the `errno` value (`std::generic_category()`, so
 * `e.code() == std::errc::file_too_large`) for an operating-system failure.
 * A failed rollover (missing or read-only directory, disk full, `EFBIG`)
 * throws and leaves every byte in memory, the buffer still readable and
 * writable: strong guarantee. After the rollover an OS error is always
 * reported, never swallowed, including one that only shows when the cache
 * is flushed: `close()` throws if its final flush fails (and then leaves the
 * buffer open with its data). The destructor cannot throw and discards such
 * an error: a caller who cares about the last bytes calls `close()` (or
 * `flush()`) first. OS errors after the rollover give the basic guarantee
 * (the bytes of a failed write's range may be partly written; size and
 * position are unchanged); everything else gives the strong guarantee.
 *
 * As a `std::streambuf`: the virtuals report misuse by return value, as
 * `basic_bytes_buf` does (`eof`, `pos_type(-1)`, a short count), but an OS
 * error propagates from `overflow`, `underflow`, `xsputn`, `xsgetn` and
 * `pbackfail` as the exception above. The standard streams catch it and set
 * `badbit` (rethrowing it when `exceptions()` include `badbit`), so a
 * stream reports a failed rollover or a disk error as `badbit` with the
 * `errno` at hand; `sync()` returns -1 on failure. Seeking never performs
 * I/O.
 *
 * Thread safety: none for one object; distinct objects are independent.
 * Not copyable; movable and swappable.
 */
class BYTESIO_API spooled_buf
    : public detail::file_core<spooled_buf, byte_vector, /*Contiguous=*/false, /*Writable=*/true> {
  using core = detail::file_core<spooled_buf, byte_vector, false, true>;
  friend detail::core_access;

public:
  /** The size of the block cache used after the rollover. */
  static constexpr std::size_t block_size = detail::block_cache::block_size;

  /**
   * An empty buffer in memory, at position 0, with no size limit.
   * @param threshold the largest position that stays in memory (0: no limit).
   * @param dir where the temporary file goes (empty: the system temp dir).
   * Allocates nothing until the first write.
   */
  explicit spooled_buf(std::size_t threshold, std::filesystem::path dir = {});

  /**
   * Takes `other`'s whole state (contents in memory or file, position,
   * threshold, directory, limit, closed flag) without copying bytes;
   * `other` is left empty, open and in memory at position 0, with its own
   * threshold, the default directory and no limit.
   */
  spooled_buf(spooled_buf &&other) noexcept;

  /**
   * Closes this buffer as the destructor does (call `close()` first to see
   * its errors) and takes `other`'s state, leaving `other` as the move
   * constructor does.
   */
  spooled_buf &operator=(spooled_buf &&other) noexcept;

  spooled_buf(const spooled_buf &) = delete;
  spooled_buf &operator=(const spooled_buf &) = delete;

  /** Closes, discarding any error of the final flush (see `close()`). */
  ~spooled_buf() override;

  /** Exchanges the whole state with `other`. */
  void swap(spooled_buf &other) noexcept;

  friend void swap(spooled_buf &a, spooled_buf &b) noexcept { a.swap(b); }

  // ---- file-like API ----------------------------------------------------------
  // detail::file_core's, as bytes_buf's (see the differences above), but
  // view, read_view, readline_view, getbuffer and take, which need memory.
  // `read`, `readline`, `readlines` return `byte_vector`; after the rollover
  // they may throw an OS error, leaving the position where it was.
  // `truncate(size)` rolls over first if `size > threshold`; `capacity()` is
  // `size()` after the rollover; `reserve(n)` reserves `min(n, threshold)`
  // in memory (`n` for threshold 0) and, like `shrink_to_fit`, does nothing
  // after the rollover; `clear()` stays rolled over (the file is cut to 0).
  // `close()` flushes first: an OS error of that flush throws and leaves the
  // buffer open and unchanged; an error of `close(2)` itself throws with the
  // buffer closed anyway.

  /**
   * Writes the block cache to the file (nothing to do in memory).
   * @throws closed, an OS error (the cache keeps the data; a retry may succeed).
   */
  using core::flush;

  /** Whether the data moved to the temporary file (stays true after `close()`). */
  bool rolled() const noexcept { return rolled_; }

  /**
   * Moves the contents and position into the temporary file now; nothing
   * happens if they are there already.
   * @throws closed, std::bad_alloc, an OS error: everything stays in memory.
   */
  void rollover();

  /**
   * Rolls over, flushes the cache, and returns the file's descriptor, which
   * stays owned by the buffer. Reading it with `pread` sees the contents as
   * of this call; writing it behind the buffer's back is not supported.
   * @throws closed, an OS error.
   */
  int fileno();

  /** The threshold given at construction. */
  std::size_t threshold() const noexcept { return threshold_; }

private:
  // ---- storage operations for detail::file_core (detail::file_buffer) -----
  static constexpr detail::optional_hooks hooks{
      .read_direct = true, .put_settled = true, .truncate_storage = true, .sync_storage = true};
  detail::file_window read_window(std::uint64_t pos);
  std::size_t read_direct(std::uint64_t pos, char *out, std::size_t n);
  void store(std::uint64_t pos, const char *p, std::size_t n);
  detail::file_window write_window(std::uint64_t pos) noexcept;
  void put_settled(std::size_t end) noexcept;
  void truncate_storage(std::uint64_t size);
  void sync_storage();
  void release();
  byte_vector contents() const;
  byte_vector result_of(const std::byte *p, std::size_t n) const;
  void reserve_storage(std::size_t n);
  void shrink_storage(std::uint64_t length);
  std::size_t storage_capacity() const noexcept;

  // In memory, mem_ holds the contents (mem_.size() is the extent the put
  // area may use, at least the length). After the rollover the contents
  // are in file_, seen through cache_, and mem_ is empty.
  byte_vector mem_;
  detail::block_cache cache_;
  detail::temp_file file_;
  std::filesystem::path dir_;
  std::size_t threshold_;
  bool rolled_ = false;
};

/**
 * A `std::iostream` over a `spooled_buf` that it owns, shaped like
 * `bytes_stream`: the same constructor arguments as the buffer, `rdbuf()`
 * returns `spooled_buf*`, `buf()` gives the file-like API. A failed rollover
 * or disk error sets `badbit` (and throws the OS error when `exceptions()`
 * ask). Not copyable; movable and swappable.
 */
class spooled_stream : public std::iostream {
public:
  /** A stream over `spooled_buf(threshold, dir)`. */
  explicit spooled_stream(std::size_t threshold, std::filesystem::path dir = {})
      : std::iostream(nullptr), buf_(threshold, std::move(dir)) {
    this->init(&buf_);
  }

  /** Takes `other`'s state and buffer. */
  spooled_stream(spooled_stream &&other) noexcept
      : std::iostream(std::move(other)), buf_(std::move(other.buf_)) {
    this->set_rdbuf(&buf_);
  }

  /** Takes `other`'s state flags, format and buffer. */
  spooled_stream &operator=(spooled_stream &&other) noexcept {
    std::iostream::operator=(std::move(other));
    buf_ = std::move(other.buf_);
    return *this;
  }

  spooled_stream(const spooled_stream &) = delete;
  spooled_stream &operator=(const spooled_stream &) = delete;

  /** Exchanges the stream states and the buffers. */
  void swap(spooled_stream &other) noexcept {
    std::iostream::swap(other);
    buf_.swap(other.buf_);
  }

  friend void swap(spooled_stream &a, spooled_stream &b) noexcept { a.swap(b); }

  /** The buffer (hides `std::ios::rdbuf()`). */
  spooled_buf *rdbuf() const noexcept { return const_cast<spooled_buf *>(&buf_); }

  /** The buffer, for the file-like API. */
  spooled_buf &buf() noexcept { return buf_; }
  const spooled_buf &buf() const noexcept { return buf_; }

  /** A copy of the contents; see `spooled_buf::getvalue`. */
  byte_vector getvalue() const { return buf_.getvalue(); }

  /** The length of the contents. */
  std::size_t size() const noexcept { return buf_.size(); }

  /** Whether the data live in the temporary file. */
  bool rolled() const noexcept { return buf_.rolled(); }

private:
  spooled_buf buf_;
};

static_assert(detail::file_buffer<spooled_buf>,
              "spooled_buf supplies the file core's hooks, declaring its optional ones");

// The core's members for spooled_buf are compiled once, in src/spooled_buf.cpp.
extern template class detail::file_core<spooled_buf, byte_vector, false, true>;

} // namespace bytesio

#endif // BYTESIO_SPOOLED_BUF_HPP
