// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_IMPL_FILE_CORE_HPP
#define BYTESIO_DETAIL_IMPL_FILE_CORE_HPP

#include <cassert>
#include <climits>
#include <cstring>
#include <string>
#include <utility>

namespace bytesio::detail {

/*  One position, three states. The standard streambuf keeps separate get and
    put areas; a file has one position. So at most one area is live at a
    time, and pos_/size_ are the truth whenever neither is:

    idle     no get area, no put area; the position is pos_, the length size_.

    reading  eback()            gptr()                      egptr()
             |                  |                           |
             [------------- a window of the contents -------]
             area_base_         + (position - area_offset_) + window size

    writing  pbase()   pptr()                                   epptr()
             |         |                                        |
             [------- a window the buffer lets us write into ---]
             at the position                                    window end, cut
                                                                at the size limit
             the length is max(size_, area_offset_ + pptr() - area_base_):
             sputc may extend it inline, never past the limit.

    A buffer in memory offers its whole storage as the window (offset 0);
    a spooled file after the rollover offers its cache block. Every member
    that touches the storage settles to idle first, so no area outlives a
    reallocation or a window move. Areas are set with setg/setp, and
    gbump/pbump take only counts that fit an int, so contents beyond 2 GiB
    work.
*/

template <class Derived, class Result, bool Contiguous, bool Writable>
file_core<Derived, Result, Contiguous, Writable>::file_core(file_core &&other) noexcept
    : std::streambuf(settled(static_cast<Derived &>(other))), size_(std::exchange(other.size_, 0)),
      pos_(std::exchange(other.pos_, 0)), limit_(std::exchange(other.limit_, npos)),
      closed_(std::exchange(other.closed_, false)) {
  assert(other.exports_ == 0 && "moving a buffer while a getbuffer() view is alive");
}

template <class Derived, class Result, bool Contiguous, bool Writable>
auto file_core<Derived, Result, Contiguous, Writable>::operator=(file_core &&other) noexcept
    -> file_core & {
  assert(exports_ == 0 && other.exports_ == 0 &&
         "moving a buffer while a getbuffer() view is alive");
  if (this != &other) {
    settle();
    other.settle();
    std::streambuf::operator=(other); // the locale; both areas are null
    size_ = std::exchange(other.size_, 0);
    pos_ = std::exchange(other.pos_, 0);
    limit_ = std::exchange(other.limit_, npos);
    closed_ = std::exchange(other.closed_, false);
  }
  return *this;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
file_core<Derived, Result, Contiguous, Writable>::~file_core() {
  static_assert(file_buffer<Derived>,
                "a buffer on detail::file_core supplies the hooks of detail::file_buffer, and "
                "declares in `hooks` exactly the optional ones it has");
  assert(exports_ == 0 && "a getbuffer() view outlives its buffer");
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::swap(file_core &other) noexcept {
  assert(exports_ == 0 && other.exports_ == 0 &&
         "swapping a buffer while a getbuffer() view is alive");
  settle();
  other.settle();
  std::streambuf::swap(other);
  using std::swap;
  swap(size_, other.size_);
  swap(pos_, other.pos_);
  swap(limit_, other.limit_);
  swap(closed_, other.closed_);
}

// ---- state machine ----------------------------------------------------------

template <class Derived, class Result, bool Contiguous, bool Writable>
std::uint64_t file_core<Derived, Result, Contiguous, Writable>::cur_pos() const noexcept {
  if (pptr() != nullptr)
    return area_offset_ + static_cast<std::uint64_t>(pptr() - area_base_);
  if (eback() != nullptr)
    return area_offset_ + static_cast<std::uint64_t>(gptr() - area_base_);
  return pos_;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::uint64_t file_core<Derived, Result, Contiguous, Writable>::cur_size() const noexcept {
  if (pptr() != nullptr)
    return max_of(size_, area_offset_ + static_cast<std::uint64_t>(pptr() - area_base_));
  return size_;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::settle_area() noexcept {
  if (pptr() != nullptr) {
    const auto written = static_cast<std::size_t>(pptr() - area_base_);
    if constexpr (hooks().put_settled)
      core_access::put_settled(derived(), written);
    pos_ = area_offset_ + written;
    size_ = max_of(size_, pos_);
  } else {
    pos_ = area_offset_ + static_cast<std::uint64_t>(gptr() - area_base_);
  }
  setg(nullptr, nullptr, nullptr);
  setp(nullptr, nullptr);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::discover_end() {
  // Precondition: settled, open.
  if constexpr (hooks().discover_size)
    core_access::discover_size(derived(), unknown_size);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::append(Result &out, const char *p,
                                                              std::size_t n) {
  const std::size_t old = out.size();
  resize_for_overwrite(out, old + n);
  std::memcpy(bytes_of(out) + old, p, n);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t
file_core<Derived, Result, Contiguous, Writable>::remaining(std::size_t n) const noexcept {
  // Precondition: settled. Where the length is learned by reading, `n` stays a bound.
  if constexpr (hooks().discover_size)
    return n;
  return pos_ < size_ ? static_cast<std::size_t>(min_of<std::uint64_t>(n, size_ - pos_)) : 0;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::uint64_t file_core<Derived, Result, Contiguous, Writable>::write_ceiling() const noexcept {
  // Growth past the limit is refused; so is a position past INT64_MAX.
  return min_of<std::uint64_t>(max_of<std::uint64_t>(size_, limit_), std::uint64_t{INT64_MAX});
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::span<const char> file_core<Derived, Result, Contiguous, Writable>::run_at(std::uint64_t pos) {
  // Precondition: settled, open. The bytes from pos to the end of its window.
  if (pos >= size_) {
    if constexpr (hooks().discover_size)
      core_access::discover_size(derived(), pos);
    if (pos >= size_)
      return {};
  }
  file_window w;
  if constexpr (Contiguous)
    w = {const_cast<char *>(reinterpret_cast<const char *>(core_access::memory(derived()))), 0,
         static_cast<std::size_t>(size_)};
  else
    w = core_access::read_window(derived(), pos);
  assert(w.offset + w.size <= size_ && "a window never reaches past the contents");
  if (pos < w.offset || pos - w.offset >= w.size)
    return {}; // the storage lost bytes behind our back (a file cut by another process)
  const auto at = static_cast<std::size_t>(pos - w.offset);
  return {w.data + at, w.size - at};
}

template <class Derived, class Result, bool Contiguous, bool Writable>
bool file_core<Derived, Result, Contiguous, Writable>::enter_read() {
  settle();
  if (closed_)
    return false;
  const std::span<const char> run = run_at(pos_);
  if (run.empty())
    return false;
  char *first = const_cast<char *>(run.data());
  area_base_ = first;
  area_offset_ = pos_;
  setg(first, first, first + run.size());
  return true;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::enter_write() noexcept {
  // Called right after a successful put, settled.
  const file_window w = core_access::write_window(derived(), pos_);
  const std::uint64_t end = min_of(w.offset + w.size, write_ceiling());
  if (w.data == nullptr || pos_ < w.offset || end <= pos_)
    return; // no room to write inline: the next write comes back here
  area_base_ = w.data;
  area_offset_ = w.offset;
  setp(w.data + (pos_ - w.offset), w.data + (end - w.offset));
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::put(const char *p, std::size_t n) {
  // Precondition: settled, writable, n > 0, pos_ + n within the ceiling.
  core_access::store(derived(), pos_, p, n);
  pos_ += n;
  size_ = max_of(size_, pos_);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::advance_get(std::size_t n) noexcept {
  if (n <= static_cast<std::size_t>(INT_MAX))
    gbump(static_cast<int>(n));
  else
    setg(eback(), gptr() + n, egptr());
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::advance_put(std::size_t n) noexcept {
  if (n <= static_cast<std::size_t>(INT_MAX))
    pbump(static_cast<int>(n));
  else
    setp(pptr() + n, epptr()); // setp keeps pbase() == pptr(): settle() counts from area_base_
}

template <class Derived, class Result, bool Contiguous, bool Writable>
bool file_core<Derived, Result, Contiguous, Writable>::writable_now() const noexcept {
  if constexpr (Writable)
    return !closed_ && exports_ == 0;
  else
    return false;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::throw_closed(const char *op) {
  throw_error(errc::closed, std::string("bytesio: ") + op + " on a closed buffer");
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::begin(const char *op) {
  check_open(op);
  settle();
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::begin_change(const char *op) {
  check_open(op);
  if (exports_ != 0)
    throw_error(errc::buffer_exported, std::string("bytesio: ") + op + " while " +
                                           std::to_string(exports_) +
                                           " getbuffer() view(s) are alive");
  settle();
}

// ---- writing --------------------------------------------------------------------

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t file_core<Derived, Result, Contiguous, Writable>::write(
    std::span<const std::byte> bytes) requires Writable {
  // Room left in the put area by the last write: an ostream's own fast path
  // (a closed buffer, or one settled for any other call, has no put area).
  if (pptr() != nullptr && exports_ == 0 && !bytes.empty() &&
      bytes.size() <= static_cast<std::size_t>(epptr() - pptr())) {
    std::memcpy(pptr(), bytes.data(), bytes.size());
    advance_put(bytes.size());
    return bytes.size();
  }
  begin_change("write");
  if (bytes.empty())
    return 0;
  const std::uint64_t ceiling = write_ceiling();
  if (pos_ >= ceiling || bytes.size() > ceiling - pos_)
    throw_error(errc::size_limit,
                "bytesio: write of " + std::to_string(bytes.size()) + " bytes at position " +
                    std::to_string(pos_) + " would pass " +
                    (limit_ == npos ? std::string("the largest position, INT64_MAX")
                                    : "the size limit of " + std::to_string(limit_)));
  put(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  enter_write();
  return bytes.size();
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t
file_core<Derived, Result, Contiguous, Writable>::write(std::string_view chars) requires Writable {
  return write(std::as_bytes(std::span(chars)));
}

template <class Derived, class Result, bool Contiguous, bool Writable>
template <byte_range R>
std::size_t
file_core<Derived, Result, Contiguous, Writable>::write(const R &range) requires Writable {
  return write(std::as_bytes(std::span(std::data(range), std::size(range))));
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::uint64_t file_core<Derived, Result, Contiguous, Writable>::truncate() requires Writable {
  check_open("truncate");
  return truncate(cur_pos());
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::uint64_t
file_core<Derived, Result, Contiguous, Writable>::truncate(std::uint64_t size) requires Writable {
  begin_change("truncate");
  if constexpr (hooks().truncate_storage)
    core_access::truncate_storage(derived(), size);
  size_ = min_of(size_, size);
  return size;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::clear() requires Writable {
  begin_change("clear");
  if constexpr (hooks().truncate_storage)
    core_access::truncate_storage(derived(), 0);
  size_ = pos_ = 0;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t
file_core<Derived, Result, Contiguous, Writable>::capacity() const noexcept requires Writable {
  return closed_ ? 0 : core_access::storage_capacity(derived());
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::reserve(std::size_t n) requires Writable {
  begin_change("reserve");
  core_access::reserve_storage(derived(), n);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::shrink_to_fit() requires Writable {
  begin_change("shrink_to_fit");
  core_access::shrink_storage(derived(), size_);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::set_size_limit(
    std::size_t limit) requires Writable {
  begin("set_size_limit"); // the put area's end depends on the limit
  limit_ = limit;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t file_core<Derived, Result, Contiguous, Writable>::size_limit() const requires Writable {
  check_open("size_limit");
  return limit_;
}

// ---- reading --------------------------------------------------------------------

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t file_core<Derived, Result, Contiguous, Writable>::copy_out(char *out, std::size_t n) {
  // Precondition: settled, open. The one loop of every read: window by
  // window, or around the windows where the buffer offers that.
  std::size_t done = 0;
  while (done < n && (hooks().discover_size || pos_ < size_)) {
    const std::size_t want = remaining(n - done);
    if constexpr (hooks().read_direct) {
      const std::size_t got = core_access::read_direct(derived(), pos_, out + done, want);
      if (got != npos) {
        pos_ += got;
        done += got;
        if (got == 0)
          break;
        continue;
      }
    }
    const std::span<const char> run = run_at(pos_);
    if (run.empty())
      break;
    const std::size_t k = min_of(run.size(), want);
    std::memcpy(out + done, run.data(), k);
    pos_ += k;
    done += k;
  }
  return done;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t file_core<Derived, Result, Contiguous, Writable>::readinto(std::span<std::byte> out) {
  begin("readinto");
  const std::uint64_t start = pos_;
  try {
    return copy_out(reinterpret_cast<char *>(out.data()), out.size());
  } catch (...) {
    settle();
    pos_ = start; // a failure consumes nothing (the bytes of `out` are unspecified)
    throw;
  }
}

template <class Derived, class Result, bool Contiguous, bool Writable>
Result file_core<Derived, Result, Contiguous, Writable>::read(std::size_t n) {
  begin("read");
  const std::size_t want = remaining(n);
  const std::span<const char> run = run_at(pos_);
  if (run.size() >= want) { // one window holds it all: one exact copy
    Result out =
        core_access::result_of(derived(), reinterpret_cast<const std::byte *>(run.data()), want);
    pos_ += want;
    return out;
  }
  Result out = core_access::result_of(derived(), nullptr, 0);
  const std::uint64_t start = pos_;
  try {
    if constexpr (hooks().discover_size) {
      // `want` is only a bound: the result grows run by run.
      // (The next run is asked for only while bytes are wanted: asking decodes.)
      for (std::span<const char> r = run; !r.empty();) {
        const std::size_t k = min_of(r.size(), want - out.size());
        append(out, r.data(), k);
        pos_ += k;
        if (out.size() == want)
          break;
        r = run_at(pos_);
      }
    } else {
      resize_for_overwrite(out, want);
      out.resize(copy_out(reinterpret_cast<char *>(bytes_of(out)), want));
    }
  } catch (...) {
    settle();
    pos_ = start; // strong guarantee: a failure consumes nothing
    throw;
  }
  return out;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::size_t file_core<Derived, Result, Contiguous, Writable>::line_length(
    std::span<const char> run, std::size_t want, bool &complete) const noexcept {
  // The part of `run` that belongs to a line of at most `want` bytes.
  const std::size_t n = min_of(want, run.size());
  const void *nl = n == 0 ? nullptr : std::memchr(run.data(), '\n', n);
  complete = nl != nullptr || n == want;
  return nl == nullptr ? n
                       : static_cast<std::size_t>(static_cast<const char *>(nl) - run.data()) + 1;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
Result file_core<Derived, Result, Contiguous, Writable>::readline(std::size_t limit) {
  begin("readline");
  std::size_t want = remaining(limit);
  std::span<const char> run = run_at(pos_);
  bool complete = false;
  std::size_t n = line_length(run, want, complete);
  Result out =
      core_access::result_of(derived(), reinterpret_cast<const std::byte *>(run.data()), n);
  pos_ += n;
  if (complete)
    return out;
  // The line goes on in the next window.
  const std::uint64_t start = pos_ - n;
  try {
    while (!complete) {
      want -= n;
      run = run_at(pos_);
      if (run.empty())
        break;
      n = line_length(run, want, complete);
      append(out, run.data(), n);
      pos_ += n;
    }
  } catch (...) {
    settle();
    pos_ = start;
    throw;
  }
  return out;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::vector<Result> file_core<Derived, Result, Contiguous, Writable>::readlines(std::size_t hint) {
  begin("readlines");
  const std::uint64_t start = pos_;
  try {
    return collect_lines([this] { return readline(); }, hint);
  } catch (...) {
    settle();
    pos_ = start; // strong guarantee: a failure consumes nothing
    throw;
  }
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::span<const std::byte>
file_core<Derived, Result, Contiguous, Writable>::read_view(std::size_t n) requires Contiguous {
  begin("read_view");
  const std::size_t k = remaining(n);
  const std::span<const char> run = run_at(pos_);
  pos_ += k;
  return std::as_bytes(run.first(k));
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::span<const std::byte> file_core<Derived, Result, Contiguous, Writable>::readline_view(
    std::size_t limit) requires Contiguous {
  begin("readline_view");
  const std::span<const char> run = run_at(pos_);
  bool complete = false;
  const std::size_t n = line_length(run, remaining(limit), complete);
  pos_ += n;
  return std::as_bytes(run.first(n));
}

template <class Derived, class Result, bool Contiguous, bool Writable>
Result file_core<Derived, Result, Contiguous, Writable>::getvalue() const requires Writable {
  check_open("getvalue");
  if constexpr (Contiguous)
    return core_access::result_of(derived(), core_access::memory(derived()),
                                  static_cast<std::size_t>(cur_size()));
  else
    return core_access::contents(derived());
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::span<const std::byte>
file_core<Derived, Result, Contiguous, Writable>::view() const noexcept requires Contiguous {
  // clang 14 instantiates constrained-out members in an explicit
  // instantiation (spooled_buf's), so the body must compile for every buffer.
  if constexpr (Contiguous) {
    if (!closed_)
      return {core_access::memory(derived()), static_cast<std::size_t>(cur_size())};
  }
  return {};
}

// ---- position, flush, close ---------------------------------------------------

template <class Derived, class Result, bool Contiguous, bool Writable>
std::uint64_t file_core<Derived, Result, Contiguous, Writable>::seek(std::int64_t off,
                                                                     std::ios_base::seekdir dir) {
  begin("seek");
  if (dir == std::ios_base::end)
    discover_end();
  pos_ = file_seek_target(off, dir, pos_, size_);
  return pos_;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::uint64_t file_core<Derived, Result, Contiguous, Writable>::tell() const {
  check_open("tell");
  return cur_pos();
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::flush() {
  begin("flush");
  if constexpr (hooks().sync_storage)
    core_access::sync_storage(derived());
}

template <class Derived, class Result, bool Contiguous, bool Writable>
void file_core<Derived, Result, Contiguous, Writable>::close() {
  if (closed_)
    return;
  begin_change("close");
  if constexpr (hooks().sync_storage)
    core_access::sync_storage(derived()); // a failure leaves the buffer open, nothing lost
  closed_ = true;
  size_ = pos_ = 0;
  core_access::release(derived());
}

// ---- std::streambuf ---------------------------------------------------------------

template <class Derived, class Result, bool Contiguous, bool Writable>
auto file_core<Derived, Result, Contiguous, Writable>::overflow(int_type ch) -> int_type {
  if (traits_type::eq_int_type(ch, traits_type::eof()))
    return closed_ ? traits_type::eof() : traits_type::not_eof(ch);
  const char c = traits_type::to_char_type(ch);
  return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
}

template <class Derived, class Result, bool Contiguous, bool Writable>
auto file_core<Derived, Result, Contiguous, Writable>::underflow() -> int_type {
  if (!enter_read())
    return traits_type::eof();
  return traits_type::to_int_type(*gptr());
}

template <class Derived, class Result, bool Contiguous, bool Writable>
auto file_core<Derived, Result, Contiguous, Writable>::pbackfail(int_type ch) -> int_type {
  settle();
  if (closed_ || pos_ == 0 || pos_ > size_)
    return traits_type::eof();
  const std::span<const char> run = run_at(pos_ - 1);
  if (run.empty())
    return traits_type::eof();
  char back = run.front();
  if (!traits_type::eq_int_type(ch, traits_type::eof()) &&
      !traits_type::eq(traits_type::to_char_type(ch), back)) {
    // A different character overwrites, as std::stringbuf does in out mode;
    // that is a write, so a pinned or read-only buffer refuses it.
    if (!writable_now())
      return traits_type::eof();
    back = traits_type::to_char_type(ch);
    if constexpr (Writable)
      core_access::store(derived(), pos_ - 1, &back, 1);
  }
  --pos_;
  enter_read();
  return traits_type::to_int_type(back); // the byte now at the position, as sungetc promises
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::streamsize file_core<Derived, Result, Contiguous, Writable>::xsputn(const char_type *s,
                                                                         std::streamsize n) {
  // The hot path: the put area has room (it is empty, 0 <= 0, when idle).
  if (n > 0 && n <= epptr() - pptr()) {
    copy_bytes(pptr(), s, static_cast<std::size_t>(n));
    advance_put(static_cast<std::size_t>(n));
    return n;
  }
  return n <= 0 ? 0 : put_rest(s, n);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::streamsize file_core<Derived, Result, Contiguous, Writable>::put_rest(const char_type *s,
                                                                           std::streamsize n) {
  if constexpr (Writable) {
    settle();
    if (!writable_now())
      return 0;
    const std::uint64_t ceiling = write_ceiling();
    const auto k = static_cast<std::size_t>(
        pos_ >= ceiling ? 0 : min_of<std::uint64_t>(static_cast<std::uint64_t>(n), ceiling - pos_));
    if (k != 0) {
      put(s, k);
      enter_write();
    }
    return static_cast<std::streamsize>(k);
  } else {
    (void)s;
    (void)n;
    return 0; // a read-only buffer: output never lands, the stream sets badbit
  }
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::streamsize file_core<Derived, Result, Contiguous, Writable>::xsgetn(char_type *s,
                                                                         std::streamsize n) {
  if (n <= 0)
    return 0;
  const auto want = static_cast<std::size_t>(n);
  // The hot path: the get area holds it all (it is empty when idle).
  if (want <= static_cast<std::size_t>(egptr() - gptr())) {
    copy_bytes(s, gptr(), want);
    advance_get(want);
    return n;
  }
  return get_rest(s, want);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::streamsize file_core<Derived, Result, Contiguous, Writable>::get_rest(char_type *s,
                                                                           std::size_t want) {
  // Drain the get area, then read the rest.
  const auto got = static_cast<std::size_t>(egptr() - gptr());
  if (got != 0) {
    std::memcpy(s, gptr(), got);
    advance_get(got);
  }
  settle();
  if (closed_)
    return static_cast<std::streamsize>(got);
  const std::size_t done = got + copy_out(s + got, want - got);
  // In memory a get area at the new position is free to open, and the next
  // small read then takes the hot path; a window elsewhere may cost I/O.
  if constexpr (Contiguous)
    enter_read();
  return static_cast<std::streamsize>(done);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
std::streamsize file_core<Derived, Result, Contiguous, Writable>::showmanyc() {
  if (closed_)
    return -1;
  const std::uint64_t pos = cur_pos(), size = cur_size();
  return pos < size ? static_cast<std::streamsize>(size - pos) : 0;
}

template <class Derived, class Result, bool Contiguous, bool Writable>
auto file_core<Derived, Result, Contiguous, Writable>::seekoff(off_type off,
                                                               std::ios_base::seekdir dir,
                                                               std::ios_base::openmode which)
    -> pos_type {
  const pos_type fail = pos_type(off_type(-1));
  if (closed_ || (which & (std::ios_base::in | std::ios_base::out)) == 0)
    return fail;
  if (off == 0 && dir == std::ios_base::cur) // tellg/tellp: disturb nothing
    return pos_type(static_cast<off_type>(cur_pos()));
  settle();
  if (dir == std::ios_base::end)
    discover_end();
  const std::streamoff target = stream_seek_target(off, dir, pos_, size_);
  if (target < 0)
    return fail;
  pos_ = static_cast<std::uint64_t>(target);
  return pos_type(target);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
auto file_core<Derived, Result, Contiguous, Writable>::seekpos(pos_type pos,
                                                               std::ios_base::openmode which)
    -> pos_type {
  return seekoff(off_type(pos), std::ios_base::beg, which);
}

template <class Derived, class Result, bool Contiguous, bool Writable>
int file_core<Derived, Result, Contiguous, Writable>::sync() {
  if (closed_)
    return -1;
  // Memory needs nothing, and keeps its put area: std::endl syncs every line.
  if constexpr (hooks().sync_storage) {
    settle();
    try {
      core_access::sync_storage(derived());
    } catch (...) {
      return -1; // the storage keeps the bytes; flush() or close() report the error
    }
  }
  return 0;
}

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_IMPL_FILE_CORE_HPP
