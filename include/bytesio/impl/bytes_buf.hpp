#ifndef BYTESIO_IMPL_BYTES_BUF_HPP
#define BYTESIO_IMPL_BYTES_BUF_HPP

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace bytesio {

/*  One position, three states. The standard streambuf keeps separate get and
    put areas; a file has one position. So at most one area is live at a
    time, and `pos_`/`size_` are the truth whenever neither is:

    idle     no get area, no put area; the position is pos_, the length size_.

    reading  eback()          gptr()                  egptr()
             |                |                       |
             [---- contents ---------------------------]---- slack ----]
             data             data + position         data + size_     data + storage_.size()

    writing  pbase()   pptr()                                  epptr()
             |         |                                       |
             [---- contents ----------------][---- slack --------------]
             data      data + position      data + size_       data + min(storage_.size(),
                                                                         max(size_, limit_))
             the length is max(size_, pptr() - data): sputc may extend it
             inline, but never past the limit.

    storage_.size() is the extent of valid memory, at least size_; the bytes
    past size_ are garbage, so a write past the end zero-fills its gap
    explicitly. Every member that touches storage_ settles to idle first, so
    no area outlives a reallocation. Positions and sizes travel as size_t and
    areas are set with setg/setp, never with the int-taking gbump/pbump, so
    contents beyond 2 GiB work.
*/

template <class Storage>
basic_bytes_buf<Storage>::basic_bytes_buf(std::span<const std::byte> initial)
    : storage_(detail::copy_of(Storage{}, initial.data(), initial.size())), size_(initial.size()) {}

template <class Storage>
basic_bytes_buf<Storage>::basic_bytes_buf(std::string_view initial)
    : basic_bytes_buf(std::as_bytes(std::span(initial))) {}

template <class Storage>
template <class S>
requires std::same_as<S, Storage> basic_bytes_buf<Storage>::basic_bytes_buf(S &&adopted)
noexcept(std::is_nothrow_move_constructible_v<Storage>)
    : storage_(std::move(adopted)), size_(storage_.size()) {}

template <class Storage>
basic_bytes_buf<Storage>::basic_bytes_buf(basic_bytes_buf &&other) noexcept(
    std::is_nothrow_move_constructible_v<Storage>)
    : std::streambuf(settled(other)), storage_(std::move(other.storage_)),
      size_(std::exchange(other.size_, 0)), pos_(std::exchange(other.pos_, 0)),
      limit_(std::exchange(other.limit_, npos)), exports_(0),
      closed_(std::exchange(other.closed_, false)) {
  assert(other.exports_ == 0 && "moving a bytes_buf while a getbuffer() view is alive");
  other.storage_.clear(); // a moved-from container is only "valid"; make it empty
}

template <class Storage>
basic_bytes_buf<Storage> &basic_bytes_buf<Storage>::operator=(basic_bytes_buf &&other) {
  assert(exports_ == 0 && other.exports_ == 0 &&
         "moving a bytes_buf while a getbuffer() view is alive");
  if (this != &other) {
    settle();
    other.settle();
    std::streambuf::operator=(other); // the locale; both areas are null
    storage_ = std::move(other.storage_);
    other.storage_.clear();
    size_ = std::exchange(other.size_, 0);
    pos_ = std::exchange(other.pos_, 0);
    limit_ = std::exchange(other.limit_, npos);
    closed_ = std::exchange(other.closed_, false);
  }
  return *this;
}

template <class Storage>
basic_bytes_buf<Storage>::~basic_bytes_buf() {
  assert(exports_ == 0 && "a getbuffer() view outlives its bytes_buf");
}

template <class Storage>
void basic_bytes_buf<Storage>::swap(basic_bytes_buf &other) noexcept(
    std::is_nothrow_swappable_v<Storage>) {
  assert(exports_ == 0 && other.exports_ == 0 &&
         "swapping a bytes_buf while a getbuffer() view is alive");
  settle();
  other.settle();
  std::streambuf::swap(other);
  using std::swap;
  swap(storage_, other.storage_);
  swap(size_, other.size_);
  swap(pos_, other.pos_);
  swap(limit_, other.limit_);
  swap(closed_, other.closed_);
}

// ---- state machine ----------------------------------------------------------

template <class Storage>
std::size_t basic_bytes_buf<Storage>::current_pos() const noexcept {
  if (pptr() != nullptr)
    return static_cast<std::size_t>(pptr() - base());
  if (eback() != nullptr)
    return static_cast<std::size_t>(gptr() - eback());
  return pos_;
}

template <class Storage>
std::size_t basic_bytes_buf<Storage>::current_size() const noexcept {
  if (pptr() != nullptr)
    return std::max(size_, static_cast<std::size_t>(pptr() - base()));
  return size_;
}

template <class Storage>
void basic_bytes_buf<Storage>::settle() noexcept {
  if (pptr() == nullptr && eback() == nullptr)
    return;
  size_ = current_size();
  pos_ = current_pos();
  setg(nullptr, nullptr, nullptr);
  setp(nullptr, nullptr);
}

template <class Storage>
bool basic_bytes_buf<Storage>::enter_read() noexcept {
  settle();
  if (closed_ || pos_ >= size_)
    return false;
  setg(base(), base() + pos_, base() + size_);
  return true;
}

template <class Storage>
void basic_bytes_buf<Storage>::enter_write() noexcept {
  // Called right after a successful write, so pos_ <= size_ <= extent.
  const std::size_t end = std::min(storage_.size(), std::max(size_, limit_));
  setp(base() + pos_, base() + end);
}

template <class Storage>
std::size_t basic_bytes_buf<Storage>::writable_count(std::size_t n) const noexcept {
  // Growth past the limit is refused; so is a position no size_t can reach.
  const std::size_t ceiling =
      std::min<std::size_t>(std::max(size_, limit_), std::numeric_limits<std::int64_t>::max());
  return pos_ >= ceiling ? 0 : std::min(n, ceiling - pos_);
}

template <class Storage>
void basic_bytes_buf<Storage>::put_bytes(const void *p, std::size_t n) {
  // Precondition: settled, writable, n > 0, pos_ + n within the limit.
  const std::size_t end = pos_ + n;
  if (end > storage_.size()) {
    if (end > storage_.capacity()) {
      const std::size_t cap = storage_.capacity();
      storage_.reserve(std::max(end, cap > npos / 2 ? end : 2 * cap));
    }
    // The slack up to the capacity is what sputc writes into inline.
    detail::resize_for_overwrite(storage_, storage_.capacity());
  }
  if (pos_ > size_)
    std::memset(base() + size_, 0, pos_ - size_);
  std::memcpy(base() + pos_, p, n);
  pos_ = end;
  size_ = std::max(size_, end);
}

template <class Storage>
void basic_bytes_buf<Storage>::check_open(const char *op) const {
  if (closed_)
    detail::throw_error(errc::closed, std::string("bytesio: ") + op + " on a closed buffer");
}

template <class Storage>
void basic_bytes_buf<Storage>::check_mutable(const char *op) const {
  check_open(op);
  if (exports_ != 0)
    detail::throw_error(errc::buffer_exported, std::string("bytesio: ") + op + " while " +
                                                   std::to_string(exports_) +
                                                   " getbuffer() view(s) are alive");
}

// ---- file-like API ------------------------------------------------------------

template <class Storage>
std::size_t basic_bytes_buf<Storage>::write(std::span<const std::byte> bytes) {
  check_mutable("write");
  if (bytes.empty())
    return 0;
  settle();
  if (writable_count(bytes.size()) < bytes.size())
    detail::throw_error(errc::size_limit,
                        "bytesio: write of " + std::to_string(bytes.size()) +
                            " bytes at position " + std::to_string(pos_) + " would pass " +
                            (limit_ == npos ? std::string("the largest position, INT64_MAX")
                                            : "the size limit of " + std::to_string(limit_)));
  put_bytes(bytes.data(), bytes.size());
  enter_write();
  return bytes.size();
}

template <class Storage>
std::size_t basic_bytes_buf<Storage>::write(std::string_view chars) {
  return write(std::as_bytes(std::span(chars)));
}

template <class Storage>
template <detail::byte_range R>
std::size_t basic_bytes_buf<Storage>::write(const R &range) {
  return write(std::as_bytes(std::span(std::ranges::data(range), std::ranges::size(range))));
}

template <class Storage>
Storage basic_bytes_buf<Storage>::copy_out(std::size_t n) {
  // Precondition: settled, n <= remaining(). With n == 0 the position may lie
  // past the end of a storage with no data at all, so no pointer is formed.
  if (n == 0)
    return detail::empty_like(storage_);
  Storage out = detail::copy_of(storage_, detail::bytes_of(storage_) + pos_, n);
  pos_ += n;
  return out;
}

template <class Storage>
std::size_t basic_bytes_buf<Storage>::readinto(std::span<std::byte> out) {
  check_open("readinto");
  settle();
  const std::size_t n = std::min(out.size(), remaining());
  if (n != 0) {
    std::memcpy(out.data(), base() + pos_, n);
    pos_ += n;
  }
  return n;
}

template <class Storage>
Storage basic_bytes_buf<Storage>::read(std::size_t n) {
  check_open("read");
  settle();
  return copy_out(std::min(n, remaining()));
}

template <class Storage>
Storage basic_bytes_buf<Storage>::readline(std::size_t limit) {
  check_open("readline");
  settle();
  std::size_t n = std::min(limit, remaining());
  if (n != 0) {
    if (const void *nl = std::memchr(base() + pos_, '\n', n))
      n = static_cast<std::size_t>(static_cast<const char *>(nl) - (base() + pos_)) + 1;
  }
  return copy_out(n);
}

template <class Storage>
std::vector<Storage> basic_bytes_buf<Storage>::readlines(std::size_t hint) {
  check_open("readlines");
  settle();
  const std::size_t start = pos_;
  try {
    return detail::collect_lines([this] { return readline(); }, hint);
  } catch (...) {
    settle();
    pos_ = start; // strong guarantee: a failed allocation consumes nothing
    throw;
  }
}

template <class Storage>
std::uint64_t basic_bytes_buf<Storage>::seek(std::int64_t off, std::ios_base::seekdir dir) {
  check_open("seek");
  settle();
  pos_ = static_cast<std::size_t>(detail::file_seek_target(off, dir, pos_, size_));
  return pos_;
}

template <class Storage>
std::uint64_t basic_bytes_buf<Storage>::tell() const {
  check_open("tell");
  return current_pos();
}

template <class Storage>
std::uint64_t basic_bytes_buf<Storage>::truncate() {
  check_open("truncate");
  return truncate(current_pos());
}

template <class Storage>
std::uint64_t basic_bytes_buf<Storage>::truncate(std::uint64_t size) {
  check_mutable("truncate");
  settle();
  if (size < size_)
    size_ = static_cast<std::size_t>(size);
  return size;
}

template <class Storage>
Storage basic_bytes_buf<Storage>::getvalue() const {
  check_open("getvalue");
  return detail::copy_of(storage_, detail::bytes_of(storage_), current_size());
}

template <class Storage>
std::span<const std::byte> basic_bytes_buf<Storage>::view() const noexcept {
  if (closed_)
    return {};
  return {detail::bytes_of(storage_), current_size()};
}

template <class Storage>
auto basic_bytes_buf<Storage>::getbuffer() -> exported_view {
  check_open("getbuffer");
  settle(); // no put area while pinned: every stream write reaches overflow()
  return exported_view(this, {detail::bytes_of(storage_), size_});
}

template <class Storage>
Storage basic_bytes_buf<Storage>::take() {
  check_mutable("take");
  settle();
  storage_.resize(size_); // shrinking: drops the slack, never reallocates
  Storage out = std::move(storage_);
  storage_.clear();
  size_ = 0;
  pos_ = 0;
  return out;
}

template <class Storage>
void basic_bytes_buf<Storage>::close() {
  if (closed_)
    return;
  check_mutable("close");
  settle();
  storage_.clear();
  storage_.shrink_to_fit();
  size_ = 0;
  pos_ = 0;
  closed_ = true;
}

template <class Storage>
void basic_bytes_buf<Storage>::reserve(std::size_t n) {
  check_mutable("reserve");
  settle();
  storage_.reserve(n);
}

template <class Storage>
void basic_bytes_buf<Storage>::shrink_to_fit() {
  check_mutable("shrink_to_fit");
  settle();
  storage_.resize(size_);
  storage_.shrink_to_fit();
}

template <class Storage>
void basic_bytes_buf<Storage>::clear() {
  check_mutable("clear");
  settle();
  size_ = 0;
  pos_ = 0;
}

template <class Storage>
void basic_bytes_buf<Storage>::set_size_limit(std::size_t limit) {
  check_open("set_size_limit");
  settle(); // the put area's end depends on the limit
  limit_ = limit;
}

template <class Storage>
std::size_t basic_bytes_buf<Storage>::size_limit() const {
  check_open("size_limit");
  return limit_;
}

// ---- std::streambuf ---------------------------------------------------------------

template <class Storage>
auto basic_bytes_buf<Storage>::overflow(int_type ch) -> int_type {
  if (traits_type::eq_int_type(ch, traits_type::eof()))
    return closed_ ? traits_type::eof() : traits_type::not_eof(ch);
  const char c = traits_type::to_char_type(ch);
  return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
}

template <class Storage>
auto basic_bytes_buf<Storage>::underflow() -> int_type {
  if (!enter_read())
    return traits_type::eof();
  return traits_type::to_int_type(*gptr());
}

template <class Storage>
auto basic_bytes_buf<Storage>::pbackfail(int_type ch) -> int_type {
  settle();
  if (closed_ || pos_ == 0 || pos_ > size_)
    return traits_type::eof();
  char &prev = base()[pos_ - 1];
  if (!traits_type::eq_int_type(ch, traits_type::eof()) &&
      !traits_type::eq(traits_type::to_char_type(ch), prev)) {
    // A different character overwrites, as std::stringbuf does in out mode;
    // that is a write, so a pinned buffer refuses it.
    if (exports_ != 0)
      return traits_type::eof();
    prev = traits_type::to_char_type(ch);
  }
  --pos_;
  enter_read();
  return traits_type::to_int_type(prev); // the byte now at the position, as sungetc promises
}

template <class Storage>
std::streamsize basic_bytes_buf<Storage>::xsputn(const char_type *s, std::streamsize n) {
  // The hot path: the put area has room (it is empty, 0 <= 0, when idle).
  if (n > 0 && n <= epptr() - pptr()) {
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    if (n <= std::numeric_limits<int>::max())
      pbump(static_cast<int>(n));
    else
      setp(pptr() + n, epptr());
    return n;
  }
  if (n <= 0)
    return 0;
  const auto count = static_cast<std::size_t>(n);
  settle();
  if (!writable())
    return 0;
  const std::size_t k = writable_count(count);
  if (k != 0) {
    put_bytes(s, k);
    enter_write();
  }
  return static_cast<std::streamsize>(k);
}

template <class Storage>
std::streamsize basic_bytes_buf<Storage>::xsgetn(char_type *s, std::streamsize n) {
  if (n <= 0)
    return 0;
  if (eback() == nullptr && !enter_read())
    return 0;
  const auto count =
      std::min(static_cast<std::size_t>(n), static_cast<std::size_t>(egptr() - gptr()));
  std::memcpy(s, gptr(), count);
  if (count <= static_cast<std::size_t>(std::numeric_limits<int>::max()))
    gbump(static_cast<int>(count));
  else
    setg(eback(), gptr() + count, egptr());
  return static_cast<std::streamsize>(count);
}

template <class Storage>
std::streamsize basic_bytes_buf<Storage>::showmanyc() {
  if (closed_)
    return -1;
  const std::size_t pos = current_pos(), size = current_size();
  return pos < size ? static_cast<std::streamsize>(size - pos) : 0;
}

template <class Storage>
auto basic_bytes_buf<Storage>::seekoff(off_type off, std::ios_base::seekdir dir,
                                       std::ios_base::openmode which) -> pos_type {
  const pos_type fail = pos_type(off_type(-1));
  if (closed_ || (which & (std::ios_base::in | std::ios_base::out)) == 0)
    return fail;
  if (off == 0 && dir == std::ios_base::cur) // tellg/tellp: disturb nothing
    return pos_type(static_cast<off_type>(current_pos()));
  settle();
  const auto target = detail::stream_seek_target(off, dir, pos_, size_);
  if (!target)
    return fail;
  pos_ = static_cast<std::size_t>(*target);
  return pos_type(static_cast<off_type>(*target));
}

template <class Storage>
auto basic_bytes_buf<Storage>::seekpos(pos_type pos, std::ios_base::openmode which) -> pos_type {
  return seekoff(off_type(pos), std::ios_base::beg, which);
}

template <class Storage>
int basic_bytes_buf<Storage>::sync() {
  return closed_ ? -1 : 0;
}

} // namespace bytesio

#endif // BYTESIO_IMPL_BYTES_BUF_HPP
