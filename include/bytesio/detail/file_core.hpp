// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_FILE_CORE_HPP
#define BYTESIO_DETAIL_FILE_CORE_HPP

#include "bytesio/detail/export.hpp"

#include "bytesio/detail/file_rules.hpp"
#include "bytesio/detail/storage.hpp"
#include "bytesio/error.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ios>
#include <span>
#include <streambuf>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bytesio::detail {

/** Bytes `[offset, offset + size)` of a file, in memory at `data`. */
struct file_window {
  char *data = nullptr;
  std::uint64_t offset = 0;
  std::size_t size = 0;
};

/** Copies `n` bytes, `sizeof(Word) <= n <= 2 * sizeof(Word)`, as two overlapping words. */
template <class Word>
void copy_two_words(char *to, const char *from, std::size_t n) noexcept {
  Word head, tail;
  std::memcpy(&head, from, sizeof(Word));
  std::memcpy(&tail, from + n - sizeof(Word), sizeof(Word));
  std::memcpy(to, &head, sizeof(Word));
  std::memcpy(to + n - sizeof(Word), &tail, sizeof(Word));
}

/**
 * `std::memcpy(to, from, n)` with copies of up to 16 bytes inline: for the
 * short reads and writes of record-sized I/O, the call costs more than the
 * copy.
 */
inline void copy_bytes(char *to, const char *from, std::size_t n) noexcept {
  if (n > 16) {
    std::memcpy(to, from, n);
  } else if (n >= 8) {
    copy_two_words<std::uint64_t>(to, from, n);
  } else if (n >= 4) {
    copy_two_words<std::uint32_t>(to, from, n);
  } else if (n != 0) { // 1 to 3 bytes: the first, the middle and the last cover them
    const char first = from[0], middle = from[n / 2], last = from[n - 1];
    to[0] = first;
    to[n / 2] = middle;
    to[n - 1] = last;
  }
}

/**
 * The optional hooks of a buffer, opted into by name: a buffer declares
 * `static constexpr detail::optional_hooks hooks{.sync_storage = true}`
 * and `file_buffer` requires exactly the hooks declared there, so a
 * misspelled or forgotten hook is a compile error, never a silent no-op.
 */
struct optional_hooks {
  /**
   * `std::size_t read_direct(std::uint64_t pos, char *out, std::size_t n)`:
   * a read that bypasses the windows, or `npos` to decline.
   */
  bool read_direct = false;
  /** `void put_settled(std::size_t end) noexcept`: the put area wrote its window up to `end`. */
  bool put_settled = false;
  /**
   * `void truncate_storage(std::uint64_t size)`: called by `truncate` and
   * `clear` before the contents become `min(size, this size)`.
   */
  bool truncate_storage = false;
  /**
   * `void sync_storage()`: makes the storage durable (`flush`, `pubsync`,
   * and `close` before releasing; a throw leaves the buffer open).
   */
  bool sync_storage = false;
  /**
   * `void discover_size(std::uint64_t pos)`: for a buffer whose length is
   * learned by reading it (`gunzip_buf`), where `file_size()` is the length
   * known so far. Before the core treats `pos >= file_size()` as the end, it
   * calls this, which learns the length (`set_file_size`) at least as far as
   * `pos + 1` or to the end; `unknown_size` asks for the whole length
   * (`seek` from the end). Counts passed to reads are then bounds, not sizes.
   */
  bool discover_size = false;
};

/** `discover_size(unknown_size)`: learn the whole length. */
inline constexpr std::uint64_t unknown_size = static_cast<std::uint64_t>(-1);

/**
 * The core's one door to the private hooks of its buffers, which befriend
 * it: the core calls them here, and `file_buffer` checks them here.
 */
struct core_access {
  template <class D>
  static constexpr auto hooks() noexcept -> std::remove_cv_t<decltype(D::hooks)> {
    return D::hooks;
  }
  template <class D>
  static auto result_of(const D &d, const std::byte *p, std::size_t n)
      -> decltype(d.result_of(p, n)) {
    return d.result_of(p, n);
  }
  template <class D>
  static auto release(D &d) -> decltype(d.release()) {
    return d.release();
  }
  template <class D>
  static auto memory(const D &d) noexcept(noexcept(d.memory())) -> decltype(d.memory()) {
    return d.memory();
  }
  template <class D>
  static auto read_window(D &d, std::uint64_t pos) -> decltype(d.read_window(pos)) {
    return d.read_window(pos);
  }
  template <class D>
  static auto contents(const D &d) -> decltype(d.contents()) {
    return d.contents();
  }
  template <class D>
  static auto store(D &d, std::uint64_t pos, const char *p, std::size_t n)
      -> decltype(d.store(pos, p, n)) {
    return d.store(pos, p, n);
  }
  template <class D>
  static auto write_window(D &d, std::uint64_t pos) noexcept(noexcept(d.write_window(pos)))
      -> decltype(d.write_window(pos)) {
    return d.write_window(pos);
  }
  template <class D>
  static auto reserve_storage(D &d, std::size_t n) -> decltype(d.reserve_storage(n)) {
    return d.reserve_storage(n);
  }
  template <class D>
  static auto shrink_storage(D &d, std::uint64_t size) -> decltype(d.shrink_storage(size)) {
    return d.shrink_storage(size);
  }
  template <class D>
  static auto storage_capacity(const D &d) noexcept(noexcept(d.storage_capacity()))
      -> decltype(d.storage_capacity()) {
    return d.storage_capacity();
  }
  template <class D>
  static auto read_direct(D &d, std::uint64_t pos, char *out, std::size_t n)
      -> decltype(d.read_direct(pos, out, n)) {
    return d.read_direct(pos, out, n);
  }
  template <class D>
  static auto put_settled(D &d, std::size_t end) noexcept(noexcept(d.put_settled(end)))
      -> decltype(d.put_settled(end)) {
    return d.put_settled(end);
  }
  template <class D>
  static auto truncate_storage(D &d, std::uint64_t size) -> decltype(d.truncate_storage(size)) {
    return d.truncate_storage(size);
  }
  template <class D>
  static auto sync_storage(D &d) -> decltype(d.sync_storage()) {
    return d.sync_storage();
  }
  template <class D>
  static auto discover_size(D &d, std::uint64_t pos) -> decltype(d.discover_size(pos)) {
    return d.discover_size(pos);
  }
};

// What a buffer built on `file_core` supplies: private members, reached
// through `core_access`. All are called with no stream area live
// ("settled"), except `write_window`, which is called to open one, and
// `put_settled`, called while closing one. A result is what `read()` returns.

/**
 * Every buffer: `result_of(p, n)`, a new result holding a copy of `n` bytes
 * (`p` may be null when `n == 0`); `release()`, which frees the storage at
 * `close`, after the core has marked the buffer closed; and `hooks`, the
 * optional hooks it has.
 */
template <class D>
concept buffer_hooks = requires(D &d, const D &cd, const std::byte *p, std::size_t n) {
  { core_access::hooks<D>() } -> std::same_as<optional_hooks>;
  { core_access::result_of(cd, p, n) } -> std::same_as<decltype(d.read())>;
  core_access::release(d);
};

/** Contiguous: `memory()`, the contents (the bytes `[0, size)`, null when there are none). */
template <class D>
concept contiguous_hooks = requires(const D &cd) {
  { core_access::memory(cd) } -> std::same_as<const std::byte *>;
  requires noexcept(core_access::memory(cd));
};

/**
 * Not contiguous: `read_window(pos)`, a run of the contents that holds
 * `pos < size` (it may throw an OS error; a run that does not hold `pos`
 * reads as the end).
 */
template <class D>
concept window_hooks = requires(D &d, std::uint64_t pos) {
  { core_access::read_window(d, pos) } -> std::same_as<file_window>;
};

/**
 * Writable and not contiguous: `contents()`, a copy of everything, for
 * `getvalue` (a contiguous buffer's is its memory; a read-only one has none).
 */
template <class D>
concept contents_hook = requires(D &d, const D &cd) {
  { core_access::contents(cd) } -> std::same_as<decltype(d.read())>;
};

/**
 * Writable: `store(pos, p, n)` writes `n > 0` bytes at `pos` (zero-filling
 * a gap from the end to `pos`; the limit is already checked; it may throw,
 * leaving the contents as they were); `write_window(pos)`, the memory a put
 * area may write into inline at `pos` (the core cuts it at the size limit);
 * `reserve_storage(n)`, `shrink_storage(size)` and `storage_capacity()` serve
 * `reserve`, `shrink_to_fit` and `capacity`.
 */
template <class D>
concept writable_hooks = requires(D &d, const D &cd, std::uint64_t pos, const char *p,
                                  std::size_t n) {
  core_access::store(d, pos, p, n);
  { core_access::write_window(d, pos) } -> std::same_as<file_window>;
  requires noexcept(core_access::write_window(d, pos));
  core_access::reserve_storage(d, n);
  core_access::shrink_storage(d, pos);
  { core_access::storage_capacity(cd) } -> std::same_as<std::size_t>;
  requires noexcept(core_access::storage_capacity(cd));
};

// The optional hooks, each as the core calls it (see `optional_hooks`).
template <class D>
concept has_read_direct = requires(D &d, std::uint64_t pos, char *out, std::size_t n) {
  { core_access::read_direct(d, pos, out, n) } -> std::same_as<std::size_t>;
};
template <class D>
concept has_put_settled = requires(D &d, std::size_t end) {
  core_access::put_settled(d, end);
  requires noexcept(core_access::put_settled(d, end));
};
template <class D>
concept has_truncate_storage = requires(D &d, std::uint64_t size) {
  core_access::truncate_storage(d, size);
};
template <class D>
concept has_sync_storage = requires(D &d) {
  core_access::sync_storage(d);
};
template <class D>
concept has_discover_size = requires(D &d, std::uint64_t pos) {
  core_access::discover_size(d, pos);
};

// clang-format 14 mangles these two (it takes `> &&` for an rvalue reference).
// clang-format off

/** Each optional hook exists exactly when `hooks` declares it. */
template <class D>
concept declared_hooks =
    core_access::hooks<D>().read_direct == has_read_direct<D> &&
    core_access::hooks<D>().put_settled == has_put_settled<D> &&
    core_access::hooks<D>().truncate_storage == has_truncate_storage<D> &&
    core_access::hooks<D>().sync_storage == has_sync_storage<D> &&
    core_access::hooks<D>().discover_size == has_discover_size<D>;

/** The seam between `file_core` and a buffer built on it, as the compiler checks it. */
template <class D>
concept file_buffer =
    buffer_hooks<D> &&
    (!D::contiguous || contiguous_hooks<D>) &&
    (D::contiguous || window_hooks<D>) &&
    (!D::writable || writable_hooks<D>) &&
    (!D::writable || D::contiguous || contents_hook<D>) &&
    (!D::writable || !core_access::hooks<D>().discover_size) &&
    declared_hooks<D>;

// clang-format on

/**
 * The file every bytesio buffer is: one position shared by reading and
 * writing, which may lie past the end; the io.BytesIO seek rules; zero-fill
 * past the end; `readline`/`readlines`; `truncate`; the size limit; the
 * closed state; and the `std::streambuf` virtuals with their fast paths.
 * Written once here; `basic_bytes_buf`, `spooled_buf` and `span_buf` derive
 * from it (CRTP) and supply only where their bytes are.
 *
 * The file-like API below is each buffer's public API, documented once
 * here; the buffers' headers say where they differ. Members that need
 * memory (`view`, `read_view`, `readline_view`) exist only for contiguous
 * buffers, and the writing half only for writable ones (a `span_buf` has no
 * `write` to call), through their requires-clauses.
 *
 * The template arguments say what the buffer is: `Contiguous` (its contents
 * are one block of memory) and `Writable`. (Template arguments rather than
 * members of `Derived`: the requires-clauses must not need `Derived`
 * complete, which clang checks eagerly.) What `Derived` supplies is the
 * concept `file_buffer` above, which the core and each buffer assert.
 */
template <class Derived, class Result, bool Contiguous, bool Writable>
class BYTESIO_API file_core : public std::streambuf {
public:
  /** The contents are one block of memory: `view`, `read_view`, `readline_view` exist. */
  static constexpr bool contiguous = Contiguous;
  /** The buffer can be written: the writing half exists. */
  static constexpr bool writable = Writable;

  /** "All" for counts, "none" for the size limit. */
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // ---- writing (the buffers that are `writable`) ----------------------------

  /**
   * Writes `bytes` at the position, overwriting, then extending; the
   * position advances by the count. If the position is past the end, the gap
   * is zero-filled first. An empty write changes nothing.
   * @return `bytes.size()`.
   * @throws closed, buffer_exported (even for an empty write), size_limit
   *   (if the contents would grow past `size_limit()`; nothing is written),
   *   std::bad_alloc; `spooled_buf`: an OS error. Strong guarantee
   *   (`spooled_buf` after its rollover: basic).
   * Invalidates `view()` spans.
   */
  std::size_t write(std::span<const std::byte> bytes) requires Writable;

  /** Writes the characters of `chars` as bytes; see `write(span)`. */
  std::size_t write(std::string_view chars) requires Writable;

  /**
   * Writes any contiguous range of `char`, `unsigned char` or `std::byte`
   * (`std::vector`, `std::array`, ...); see `write(span)`.
   */
  template <byte_range R>
  std::size_t write(const R &range) requires Writable;

  /** `truncate(tell())`. */
  std::uint64_t truncate() requires Writable;

  /**
   * Cuts the contents to `size` bytes if they are longer; never extends and
   * never moves the position (a later write past the end zero-fills again).
   * The capacity is kept.
   * @return `size`.
   * @throws closed, buffer_exported (even when nothing would be cut).
   * Invalidates `view()` spans that reach past `size`.
   */
  std::uint64_t truncate(std::uint64_t size) requires Writable;

  /** Size 0, position 0, capacity kept. @throws closed, buffer_exported */
  void clear() requires Writable;

  /** The storage's capacity (0 when closed). */
  std::size_t capacity() const noexcept requires Writable;

  /**
   * Makes room for `n` bytes of contents without further allocation.
   * @throws closed, buffer_exported, std::bad_alloc. Strong guarantee.
   * Invalidates `view()` spans.
   */
  void reserve(std::size_t n) requires Writable;

  /**
   * Frees the capacity beyond the contents.
   * @throws closed, buffer_exported, std::bad_alloc. Invalidates `view()`.
   */
  void shrink_to_fit() requires Writable;

  /**
   * Caps the contents at `limit` bytes: any write (file-like or through a
   * stream) that would grow them past it fails with `size_limit`, the guard
   * for decompressing untrusted input into memory. A file-like write writes
   * nothing of a call that fails; a stream may land the bytes up to the
   * limit before it reports `badbit`. Contents already longer than a new
   * limit are kept and may be overwritten in place.
   * @throws closed
   */
  void set_size_limit(std::size_t limit) requires Writable;

  /** The size limit (`npos`: none, the default). @throws closed */
  std::size_t size_limit() const requires Writable;

  // ---- reading ------------------------------------------------------------------

  /**
   * Copies `min(out.size(), remaining)` bytes from the position into `out`
   * and advances the position by that count.
   * @return the count, 0 at or past the end.
   * @throws closed; where reading can fail (`spooled_buf`'s file,
   *   `gunzip_buf`'s data), that error, consuming nothing.
   */
  std::size_t readinto(std::span<std::byte> out);

  /**
   * Reads up to `n` bytes (all that remain by default) from the position.
   * @return a new `Result` with the bytes, empty at or past the end.
   * @throws closed, std::bad_alloc. Strong guarantee.
   */
  Result read(std::size_t n = npos);

  /**
   * Reads up to and including the next `'\n'`, at most `limit` bytes.
   * @return the line, empty at or past the end (or for `limit == 0`).
   * @throws closed, std::bad_alloc. Strong guarantee.
   */
  Result readline(std::size_t limit = npos);

  /**
   * Reads lines until their total length reaches `hint` (0: until the end),
   * as `io.BytesIO.readlines`: the line that reaches the hint is included.
   * @throws closed, std::bad_alloc. Strong guarantee.
   */
  std::vector<Result> readlines(std::size_t hint = 0);

  /**
   * The bytes and the position change of `read(n)`, as a view of the
   * buffer's memory instead of a copy: valid until the buffer next changes,
   * as `view()`. @throws closed
   */
  std::span<const std::byte> read_view(std::size_t n = npos) requires Contiguous;

  /** The bytes and the position change of `readline(limit)`, as a view; see `read_view`. */
  std::span<const std::byte> readline_view(std::size_t limit = npos) requires Contiguous;

  /**
   * Moves the position, as `io.BytesIO.seek`. `beg`: to `off`, which must
   * not be negative; `cur`/`end`: relative to the position or the end,
   * clamped to 0. No upper bound: a later write zero-fills the gap. Never
   * changes the contents.
   * @return the new position.
   * @throws closed; invalid_argument for `beg` with `off < 0`, an unknown
   *   `dir`, or a position beyond `INT64_MAX`.
   */
  std::uint64_t seek(std::int64_t off, std::ios_base::seekdir dir = std::ios_base::beg);

  /** The position. @throws closed */
  std::uint64_t tell() const;

  /** A copy of the whole contents. @throws closed, std::bad_alloc */
  Result getvalue() const requires Writable;

  /**
   * The whole contents without a copy, like `std::stringbuf::view()`:
   * valid until the next call that changes the buffer (write, stream output,
   * truncate, reserve, shrink_to_fit, clear, take, close, move). Empty when
   * closed.
   */
  std::span<const std::byte> view() const noexcept requires Contiguous;

  // ---- state ----------------------------------------------------------------------

  /**
   * Frees the storage and closes the buffer; a second call does nothing.
   * Afterwards every member fails with `closed` except `close()` and
   * `closed()`, and `view`, `size`, `empty`, `capacity` report an empty
   * buffer; the stream's reads and writes fail.
   * @throws buffer_exported (the buffer stays open and unchanged);
   *   `spooled_buf`: see there.
   */
  void close();

  /** Whether `close()` was called (and succeeded). */
  bool closed() const noexcept { return closed_; }

  /** The length of the contents (0 when closed). */
  std::size_t size() const noexcept { return closed_ ? 0 : static_cast<std::size_t>(cur_size()); }

  /** Whether the contents are empty. */
  bool empty() const noexcept { return size() == 0; }

protected:
  file_core() = default;
  file_core(file_core &&other) noexcept;
  file_core &operator=(file_core &&other) noexcept;
  file_core(const file_core &) = delete;
  file_core &operator=(const file_core &) = delete;
  ~file_core() override;
  void swap(file_core &other) noexcept;

  /** @throws closed (naming `op`) if the buffer is closed */
  void check_open(const char *op) const {
    if (closed_) [[unlikely]]
      throw_closed(op);
  }

  /** Makes the storage durable (`sync_storage`). @throws closed, what it throws */
  void flush();

  /** The length and the position; exact only when settled. */
  std::uint64_t file_size() const noexcept { return size_; }
  std::uint64_t file_pos() const noexcept { return pos_; }

  /**
   * Sets the length, settled: for a buffer constructed over existing
   * contents, and for adapters that fill the storage themselves.
   */
  void set_file_size(std::uint64_t n) noexcept { size_ = n; }

  /**
   * The length no growth may pass: the size limit (or the length, if already
   * longer), never beyond INT64_MAX. Exact only when settled. Protected for
   * adapters that grow the storage themselves (asio.hpp), so the rule stays here.
   */
  std::uint64_t write_ceiling() const noexcept;

  /** Ends a live stream area, folding it into the position and the length. */
  void settle() noexcept {
    if (pptr() != nullptr || eback() != nullptr)
      settle_area();
  }
  static Derived &settled(Derived &d) noexcept {
    d.settle();
    return d;
  }

  /** Checks the buffer is open (@throws closed), then settles. */
  void begin(const char *op);
  /** Checks the buffer may change (@throws closed, buffer_exported), then settles. */
  void begin_change(const char *op);

  /** Counts a live exported view (`getbuffer`): it refuses every change of the bytes' location. */
  void pin() noexcept { ++exports_; }
  void unpin() noexcept { --exports_; }

  // ---- std::streambuf ----------------------------------------------------------

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
  Derived &derived() noexcept { return static_cast<Derived &>(*this); }
  const Derived &derived() const noexcept { return static_cast<const Derived &>(*this); }
  static constexpr optional_hooks hooks() noexcept { return core_access::hooks<Derived>(); }

  void discover_end();
  static void append(Result &out, const char *p, std::size_t n);
  std::uint64_t cur_pos() const noexcept;
  std::uint64_t cur_size() const noexcept;
  // The halves of check_open and settle that are rarely taken, out of line so
  // that every operation's check is a compare and a branch.
  [[noreturn]] static void throw_closed(const char *op);
  void settle_area() noexcept;
  std::size_t remaining(std::size_t n) const noexcept;
  std::span<const char> run_at(std::uint64_t pos);
  std::size_t copy_out(char *out, std::size_t n);
  std::size_t line_length(std::span<const char> run, std::size_t want,
                          bool &complete) const noexcept;
  // The slow halves of xsputn/xsgetn, out of line so that the hot paths
  // (room in the area) save no registers (callgrind: 13 of the 114
  // instructions of a 16-byte istream::read).
  [[gnu::noinline]] std::streamsize put_rest(const char_type *s, std::streamsize n);
  [[gnu::noinline]] std::streamsize get_rest(char_type *s, std::size_t want);
  bool enter_read();
  void enter_write() noexcept;
  void put(const char *p, std::size_t n);
  void advance_get(std::size_t n) noexcept;
  void advance_put(std::size_t n) noexcept;
  bool writable_now() const noexcept;

  // A live area is a window of the contents: area_base_ holds the byte at
  // file offset area_offset_ (0 for the buffers in memory).
  char *area_base_ = nullptr;
  std::uint64_t area_offset_ = 0;
  std::uint64_t size_ = 0;   // the contents' length, when no put area is live
  std::uint64_t pos_ = 0;    // the position, when no area is live
  std::size_t limit_ = npos; // set_size_limit
  std::size_t exports_ = 0;  // live getbuffer() views
  bool closed_ = false;
};

} // namespace bytesio::detail

#include "bytesio/detail/impl/file_core.hpp"

#endif // BYTESIO_DETAIL_FILE_CORE_HPP
