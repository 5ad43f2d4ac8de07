#ifndef BYTESIO_SPOOLED_BUF_HPP
#define BYTESIO_SPOOLED_BUF_HPP

#include "bytesio/byte_vector.hpp"
#include "bytesio/detail/storage.hpp"
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
class spooled_buf : public std::streambuf {
public:
  /** "All": the default count of `read`, `readline`; "no limit". */
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /** The size of the block cache used after the rollover. */
  static constexpr std::size_t block_size = 256 * 1024;

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
   * `other` is left empty, open and in memory at position 0, with the same
   * threshold, the default directory and no limit.
   */
  spooled_buf(spooled_buf &&other) noexcept;

  /**
   * Closes this buffer as the destructor does (call `close()` first to see
   * its errors) and takes `other`'s state, as the move constructor.
   */
  spooled_buf &operator=(spooled_buf &&other) noexcept;

  spooled_buf(const spooled_buf &) = delete;
  spooled_buf &operator=(const spooled_buf &) = delete;

  /** Closes, discarding any error of the final flush (see `close()`). */
  ~spooled_buf() override;

  /** Exchanges the whole state with `other`. */
  void swap(spooled_buf &other) noexcept;

  friend void swap(spooled_buf &a, spooled_buf &b) noexcept { a.swap(b); }

  // ---- file-like API ---------------------------------------------------------

  /**
   * Writes `bytes` at the position, overwriting, then extending; a gap past
   * the end is zero-filled first; an empty write changes nothing. Rolls over
   * first if the position would pass the threshold.
   * @return `bytes.size()`.
   * @throws closed, size_limit (nothing written), std::bad_alloc, an OS
   *   error (failed rollover: nothing changed; after the rollover: basic).
   */
  std::size_t write(std::span<const std::byte> bytes);

  /** Writes the characters of `chars`; see `write(span)`. */
  std::size_t write(std::string_view chars);

  /** Writes a contiguous range of `char`/`unsigned char`/`std::byte`; see `write(span)`. */
  template <detail::byte_range R>
  std::size_t write(const R &range) {
    return write(std::as_bytes(std::span(std::ranges::data(range), std::ranges::size(range))));
  }

  /**
   * Copies `min(out.size(), remaining)` bytes from the position into `out`.
   * @return the count, 0 at or past the end. @throws closed, an OS error
   */
  std::size_t readinto(std::span<std::byte> out);

  /** Reads up to `n` bytes. @throws closed, std::bad_alloc, an OS error */
  byte_vector read(std::size_t n = npos);

  /**
   * Reads up to and including the next `'\n'`, at most `limit` bytes.
   * @return the line; empty at the end. @throws closed, std::bad_alloc, an OS error
   */
  byte_vector readline(std::size_t limit = npos);

  /**
   * Lines until their total length reaches `hint` (0: all), as
   * `io.BytesIO.readlines`.
   * @throws closed, std::bad_alloc, an OS error. Strong guarantee: on a
   *   failure the position is where it was.
   */
  std::vector<byte_vector> readlines(std::size_t hint = 0);

  /**
   * Moves the position, as `bytes_buf::seek`; never rolls over, never does I/O.
   * @return the new position. @throws closed, invalid_argument
   */
  std::uint64_t seek(std::int64_t off, std::ios_base::seekdir dir = std::ios_base::beg);

  /** The position. @throws closed */
  std::uint64_t tell() const;

  /** `truncate(tell())`. */
  std::uint64_t truncate();

  /**
   * Cuts the contents to `size` bytes if longer; never extends, never moves
   * the position. Rolls over first if `size > threshold` (as Python does).
   * @return `size`. @throws closed, an OS error (rollover, flush, ftruncate:
   *   nothing changed).
   */
  std::uint64_t truncate(std::uint64_t size);

  /** A copy of the whole contents. @throws closed, std::bad_alloc, an OS error */
  byte_vector getvalue() const;

  /**
   * Writes the block cache to the file (nothing to do in memory).
   * @throws closed, an OS error (the cache keeps the data; a retry may succeed).
   */
  void flush();

  /**
   * Flushes, closes the file and frees the memory; a second call does
   * nothing. Afterwards every member fails with `closed` except `close()`,
   * `closed()`, `rolled()` and the `noexcept` accessors, which report an
   * empty buffer.
   * @throws an OS error of the final flush: the buffer then stays open and
   *   unchanged (strong); an error of `close(2)` itself: the buffer is
   *   closed anyway.
   */
  void close();

  /** Whether `close()` succeeded. */
  bool closed() const noexcept { return closed_; }

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

  /** The length of the contents (0 when closed). */
  std::size_t size() const noexcept { return closed_ ? 0 : static_cast<std::size_t>(cur_size()); }

  /** Whether the contents are empty. */
  bool empty() const noexcept { return size() == 0; }

  /** Bytes held without reallocation: the memory's capacity; after the rollover, `size()`. */
  std::size_t capacity() const noexcept;

  /**
   * In memory, reserves `min(n, threshold)` bytes (`n` if the threshold is
   * 0); after the rollover does nothing.
   * @throws closed, std::bad_alloc. Strong guarantee.
   */
  void reserve(std::size_t n);

  /** In memory, frees the capacity beyond the contents; after the rollover does nothing. */
  void shrink_to_fit();

  /**
   * Size 0, position 0; stays rolled over if it was (the file is cut to 0).
   * @throws closed, an OS error (nothing changed).
   */
  void clear();

  /** Caps the contents at `limit` bytes, as `bytes_buf::set_size_limit`. @throws closed */
  void set_size_limit(std::size_t limit);

  /** The size limit (`npos`: none). @throws closed */
  std::size_t size_limit() const;

protected:
  int_type overflow(int_type ch) override;
  int_type underflow() override;
  int_type pbackfail(int_type ch) override;
  std::streamsize xsputn(const char_type *s, std::streamsize n) override;
  std::streamsize xsgetn(char_type *s, std::streamsize n) override;
  std::streamsize showmanyc() override;
  pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                   std::ios_base::openmode which = std::ios_base::in | std::ios_base::out) override;
  pos_type seekpos(pos_type pos,
                   std::ios_base::openmode which = std::ios_base::in | std::ios_base::out) override;
  int sync() override;

private:
  char *base() noexcept { return reinterpret_cast<char *>(mem_.data()); }
  const char *base() const noexcept { return reinterpret_cast<const char *>(mem_.data()); }
  std::uint64_t cur_pos() const noexcept;
  std::uint64_t cur_size() const noexcept;
  void settle() noexcept;
  static spooled_buf &settled(spooled_buf &b) noexcept {
    b.settle();
    return b;
  }
  std::uint64_t writable_count(std::uint64_t n) const noexcept;
  void put(const char *p, std::size_t n);
  void put_memory(const char *p, std::size_t n);
  void put_file(const char *p, std::size_t n);
  void enter_write() noexcept;
  bool enter_read();
  std::span<const char> available();
  void load_window(std::uint64_t at);
  void flush_cache();
  void check_open(const char *op) const;

  // In memory, mem_ holds the contents (mem_.size() is the extent that the
  // put area may use, >= size_) and win_ is 0. After the rollover, mem_ is
  // the block cache: mem_[0, valid_) holds the contents at file offset win_,
  // and mem_[dirty_lo_, dirty_hi_) of it is not yet in the file.
  byte_vector mem_;
  detail::temp_file file_;
  std::filesystem::path dir_;
  std::uint64_t size_ = 0;
  std::uint64_t pos_ = 0;
  std::uint64_t win_ = 0;
  std::size_t valid_ = 0;
  std::size_t dirty_lo_ = 0;
  std::size_t dirty_hi_ = 0;
  std::size_t threshold_;
  std::size_t limit_ = npos;
  bool rolled_ = false;
  bool closed_ = false;
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

} // namespace bytesio

#endif // BYTESIO_SPOOLED_BUF_HPP
