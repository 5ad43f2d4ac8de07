#include "bytesio/spooled_buf.hpp"
#include "bytesio/detail/file_rules.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>

namespace bytesio {

/*  One position, two homes, at most one stream area live at a time (as in
    basic_bytes_buf, whose state machine this mirrors: pos_/size_ are the
    truth whenever no area is live).

    in memory (win_ == 0): mem_ holds the contents.

             eback()/pbase()     gptr()/pptr()         egptr()     epptr()
             |                   |                     |           |
             [---- contents ---------------------------]-- slack --]----]
             mem_.data()         + pos_                + size_     + min(mem_.size(),
                                                                         threshold_, limit)
             epptr stops at the threshold, so the write that would pass it
             reaches xsputn/overflow, which rolls over before writing.

    rolled over: mem_ is a block_size cache of the file, at offset win_.

             mem_[0]     dirty_lo_     pptr()      dirty_hi_   valid_      block_size
             |           |             |           |           |           |
             [-- clean --[---- not yet in the file ---]-- clean -]-- junk --]
             file offset win_                                  win_ + valid_ <= size_

             mem_[0, valid_) are the contents at [win_, win_ + valid_); the
             put area starts at or before valid_ (never over junk), and the
             get area ends at valid_. After flush_cache() the file holds
             exactly size_ bytes (a gap past the end is a hole, read as
             zeros), so a window can always be (re)loaded with pread.
             dirty_lo_ is lowered when a put area opens, dirty_hi_ raised
             when it settles, so the fast path never tracks anything.
*/

namespace {

constexpr std::uint64_t max_pos =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

} // namespace

spooled_buf::spooled_buf(std::size_t threshold, std::filesystem::path dir)
    : dir_(std::move(dir)), threshold_(threshold) {}

spooled_buf::spooled_buf(spooled_buf &&other) noexcept : threshold_(other.threshold_) {
  swap(other);
}

spooled_buf &spooled_buf::operator=(spooled_buf &&other) noexcept {
  if (this != &other) {
    spooled_buf old(std::move(*this));
    swap(other);
  }
  return *this;
}

spooled_buf::~spooled_buf() {
  try {
    close();
  } catch (...) {
    // Documented: the destructor cannot report; close() does.
  }
}

void spooled_buf::swap(spooled_buf &other) noexcept {
  settle();
  other.settle();
  std::streambuf::swap(other);
  using std::swap;
  mem_.swap(other.mem_);
  swap(file_, other.file_);
  dir_.swap(other.dir_);
  swap(size_, other.size_);
  swap(pos_, other.pos_);
  swap(win_, other.win_);
  swap(valid_, other.valid_);
  swap(dirty_lo_, other.dirty_lo_);
  swap(dirty_hi_, other.dirty_hi_);
  swap(threshold_, other.threshold_);
  swap(limit_, other.limit_);
  swap(rolled_, other.rolled_);
  swap(closed_, other.closed_);
}

// ---- state machine ----------------------------------------------------------

std::uint64_t spooled_buf::cur_pos() const noexcept {
  if (pptr() != nullptr)
    return win_ + static_cast<std::uint64_t>(pptr() - base());
  if (eback() != nullptr)
    return win_ + static_cast<std::uint64_t>(gptr() - base());
  return pos_;
}

std::uint64_t spooled_buf::cur_size() const noexcept {
  if (pptr() != nullptr)
    return std::max(size_, win_ + static_cast<std::uint64_t>(pptr() - base()));
  return size_;
}

void spooled_buf::settle() noexcept {
  if (pptr() == nullptr && eback() == nullptr)
    return;
  if (pptr() != nullptr && rolled_) {
    const auto w = static_cast<std::size_t>(pptr() - base());
    dirty_hi_ = std::max(dirty_hi_, w);
    valid_ = std::max(valid_, w);
  }
  size_ = cur_size();
  pos_ = cur_pos();
  setg(nullptr, nullptr, nullptr);
  setp(nullptr, nullptr);
}

std::uint64_t spooled_buf::writable_count(std::uint64_t n) const noexcept {
  const std::uint64_t ceiling =
      std::min<std::uint64_t>(std::max<std::uint64_t>(size_, limit_), max_pos);
  return pos_ >= ceiling ? 0 : std::min(n, ceiling - pos_);
}

void spooled_buf::enter_write() noexcept {
  // Called right after a successful put: the position is within reach.
  const std::uint64_t ceiling =
      std::min<std::uint64_t>(std::max<std::uint64_t>(size_, limit_), max_pos);
  if (!rolled_) {
    std::uint64_t end = std::min<std::uint64_t>(mem_.size(), ceiling);
    if (threshold_ != 0)
      end = std::min<std::uint64_t>(end, threshold_);
    setp(base() + pos_, base() + std::max(end, pos_));
    return;
  }
  const auto w = static_cast<std::size_t>(pos_ - win_);
  assert(pos_ >= win_ && w <= valid_ && "the put area never opens over junk");
  const std::size_t end = static_cast<std::size_t>(
      std::max<std::uint64_t>(w, std::min<std::uint64_t>(block_size, ceiling - win_)));
  if (end > w) {
    dirty_lo_ = dirty_lo_ == dirty_hi_ ? w : std::min(dirty_lo_, w);
    dirty_hi_ = std::max(dirty_hi_, w);
  }
  setp(base() + w, base() + end);
}

void spooled_buf::put(const char *p, std::size_t n) {
  // Precondition: settled, open, n > 0, pos_ + n within the limit.
  if (!rolled_ && threshold_ != 0 && pos_ + n > threshold_)
    rollover(); // before the write: the bytes are never held twice
  if (!rolled_)
    return put_memory(p, n);
  const std::uint64_t old_pos = pos_, old_size = size_;
  try {
    put_file(p, n);
  } catch (...) {
    // Size and position as they were; the cache forgets what lay past the
    // old end, and the file is cut (or padded with zeros) to the old length
    // so a later gap still reads as zeros. Bytes overwritten inside the old
    // contents may be partly new: the basic guarantee documented.
    pos_ = old_pos;
    size_ = old_size;
    if (win_ + valid_ > size_)
      valid_ = size_ > win_ ? static_cast<std::size_t>(size_ - win_) : 0;
    dirty_hi_ = std::min(dirty_hi_, valid_);
    if (dirty_lo_ >= dirty_hi_)
      dirty_lo_ = dirty_hi_ = 0;
    try {
      file_.truncate(size_);
    } catch (...) {
    }
    throw;
  }
}

void spooled_buf::put_memory(const char *p, std::size_t n) {
  const std::uint64_t end64 = pos_ + n;
  if (end64 > std::numeric_limits<std::size_t>::max())
    throw std::bad_alloc();
  const auto end = static_cast<std::size_t>(end64);
  if (end > mem_.size()) {
    if (end > mem_.capacity()) {
      const std::size_t cap = mem_.capacity();
      std::size_t want = std::max(end, cap > npos / 2 ? end : 2 * cap);
      if (threshold_ != 0) // memory never needs to hold more than the threshold
        want = std::max(end, std::min<std::size_t>(want, threshold_));
      mem_.reserve(want);
    }
    mem_.resize(mem_.capacity(), default_init); // the slack sputc writes into
  }
  if (pos_ > size_)
    std::memset(base() + size_, 0, static_cast<std::size_t>(pos_ - size_));
  std::memcpy(base() + pos_, p, n);
  pos_ = end;
  size_ = std::max<std::uint64_t>(size_, end);
}

void spooled_buf::put_file(const char *p, std::size_t n) {
  while (n != 0) {
    const bool inside = pos_ >= win_ && pos_ - win_ <= valid_ && pos_ - win_ < block_size;
    if (!inside) {
      flush_cache();
      if (n >= block_size) {
        // Whole blocks go straight to the file (put() undoes a failure).
        valid_ = 0; // the window may overlap what is overwritten
        win_ = pos_;
        file_.pwrite_all(p, n, pos_);
        pos_ += n;
        size_ = std::max(size_, pos_);
        win_ = pos_;
        return;
      }
      win_ = pos_;
      valid_ = 0;
    }
    const auto w = static_cast<std::size_t>(pos_ - win_);
    const std::size_t k = std::min(n, block_size - w);
    std::memcpy(base() + w, p, k);
    dirty_lo_ = dirty_lo_ == dirty_hi_ ? w : std::min(dirty_lo_, w);
    dirty_hi_ = std::max(dirty_hi_, w + k);
    valid_ = std::max(valid_, w + k);
    pos_ += k;
    size_ = std::max(size_, pos_);
    p += k;
    n -= k;
  }
}

void spooled_buf::flush_cache() {
  // Precondition: settled.
  if (dirty_hi_ > dirty_lo_)
    file_.pwrite_all(base() + dirty_lo_, dirty_hi_ - dirty_lo_, win_ + dirty_lo_);
  dirty_lo_ = dirty_hi_ = 0;
}

void spooled_buf::load_window(std::uint64_t at) {
  // Precondition: settled, rolled, at < size_.
  flush_cache();
  valid_ = 0; // a failing pread may have scribbled on the cache
  win_ = at;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block_size, size_ - at));
  valid_ = file_.pread_all(base(), n, at);
}

std::span<const char> spooled_buf::available() {
  // Precondition: settled, open.
  if (pos_ >= size_)
    return {};
  if (!rolled_)
    return {base() + pos_, static_cast<std::size_t>(size_ - pos_)};
  if (!(pos_ >= win_ && pos_ - win_ < valid_))
    load_window(pos_);
  const auto w = static_cast<std::size_t>(pos_ - win_);
  if (w >= valid_) // the file is shorter than it should be: someone cut it behind our back
    return {};
  return {base() + w, valid_ - w};
}

bool spooled_buf::enter_read() {
  settle();
  if (closed_)
    return false;
  const std::span<const char> bytes = available();
  if (bytes.empty())
    return false;
  char *first = base() + (bytes.data() - base());
  setg(base(), first, first + bytes.size());
  return true;
}

void spooled_buf::check_open(const char *op) const {
  if (closed_)
    detail::throw_error(errc::closed, std::string("bytesio: ") + op + " on a closed spooled_buf");
}

// ---- file-like API ------------------------------------------------------------

std::size_t spooled_buf::write(std::span<const std::byte> bytes) {
  check_open("write");
  if (bytes.empty())
    return 0;
  settle();
  if (writable_count(bytes.size()) < bytes.size())
    detail::throw_error(errc::size_limit, "bytesio: write of " + std::to_string(bytes.size()) +
                                              " bytes at position " + std::to_string(pos_) +
                                              " would pass the size limit of " +
                                              std::to_string(limit_));
  put(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  enter_write();
  return bytes.size();
}

std::size_t spooled_buf::write(std::string_view chars) {
  return write(std::as_bytes(std::span(chars)));
}

std::size_t spooled_buf::readinto(std::span<std::byte> out) {
  check_open("readinto");
  settle();
  auto *dst = reinterpret_cast<char *>(out.data());
  std::size_t done = 0;
  while (done < out.size() && pos_ < size_) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, size_ - pos_));
    if (rolled_ && want >= block_size && !(pos_ >= win_ && pos_ - win_ < valid_)) {
      flush_cache(); // whole blocks bypass the cache
      const std::size_t got = file_.pread_all(dst + done, want, pos_);
      pos_ += got;
      done += got;
      if (got < want)
        break;
      continue;
    }
    const std::span<const char> bytes = available();
    if (bytes.empty())
      break;
    const std::size_t k = std::min(bytes.size(), want);
    std::memcpy(dst + done, bytes.data(), k);
    pos_ += k;
    done += k;
  }
  return done;
}

byte_vector spooled_buf::read(std::size_t n) {
  check_open("read");
  settle();
  const std::uint64_t left = pos_ < size_ ? size_ - pos_ : 0;
  byte_vector out;
  out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(n, left)), default_init);
  out.resize(readinto(out));
  return out;
}

byte_vector spooled_buf::readline(std::size_t limit) {
  check_open("readline");
  settle();
  byte_vector out;
  while (out.size() < limit) {
    const std::span<const char> bytes = available();
    if (bytes.empty())
      break;
    std::size_t k = std::min(bytes.size(), limit - out.size());
    const void *nl = std::memchr(bytes.data(), '\n', k);
    if (nl != nullptr)
      k = static_cast<std::size_t>(static_cast<const char *>(nl) - bytes.data()) + 1;
    const std::size_t old = out.size();
    out.resize(old + k, default_init);
    std::memcpy(out.data() + old, bytes.data(), k);
    pos_ += k;
    if (nl != nullptr)
      break;
  }
  return out;
}

std::vector<byte_vector> spooled_buf::readlines(std::size_t hint) {
  check_open("readlines");
  settle();
  const std::uint64_t start = pos_;
  try {
    return detail::collect_lines([this] { return readline(); }, hint);
  } catch (...) {
    settle();
    pos_ = start; // strong guarantee: a failure consumes nothing
    throw;
  }
}

std::uint64_t spooled_buf::seek(std::int64_t off, std::ios_base::seekdir dir) {
  check_open("seek");
  settle();
  pos_ = static_cast<std::uint64_t>(detail::file_seek_target(off, dir, pos_, size_));
  return pos_;
}

std::uint64_t spooled_buf::tell() const {
  check_open("tell");
  return cur_pos();
}

std::uint64_t spooled_buf::truncate() {
  check_open("truncate");
  return truncate(cur_pos());
}

std::uint64_t spooled_buf::truncate(std::uint64_t size) {
  check_open("truncate");
  settle();
  if (!rolled_ && threshold_ != 0 && size > threshold_)
    rollover();
  if (size >= size_)
    return size;
  if (rolled_) {
    flush_cache();
    file_.truncate(size);
    if (win_ + valid_ > size)
      valid_ = size > win_ ? static_cast<std::size_t>(size - win_) : 0;
  }
  size_ = size;
  return size;
}

byte_vector spooled_buf::getvalue() const {
  check_open("getvalue");
  const std::uint64_t n = cur_size();
  if (n > std::numeric_limits<std::size_t>::max())
    throw std::bad_alloc();
  if (!rolled_)
    return byte_vector(std::span<const std::byte>(mem_.data(), static_cast<std::size_t>(n)));
  // The file, overlaid with what the cache holds and the file does not yet;
  // const, so the cache is read in place rather than flushed.
  byte_vector out;
  out.resize(static_cast<std::size_t>(n)); // zeros: a gap not yet in the file
  file_.pread_all(out.data(), out.size(), 0);
  std::size_t hi = dirty_hi_;
  if (pptr() != nullptr)
    hi = std::max(hi, static_cast<std::size_t>(pptr() - base()));
  if (hi > dirty_lo_)
    std::memcpy(out.data() + win_ + dirty_lo_, mem_.data() + dirty_lo_, hi - dirty_lo_);
  return out;
}

void spooled_buf::flush() {
  check_open("flush");
  settle();
  if (rolled_)
    flush_cache();
}

void spooled_buf::close() {
  if (closed_)
    return;
  settle();
  if (rolled_)
    flush_cache(); // throws: still open, nothing lost
  closed_ = true;
  byte_vector().swap(mem_);
  size_ = pos_ = win_ = 0;
  valid_ = dirty_lo_ = dirty_hi_ = 0;
  file_.close();
}

void spooled_buf::rollover() {
  check_open("rollover");
  if (rolled_)
    return;
  settle();
  // Everything that can fail comes first; the commit below cannot throw.
  byte_vector cache;
  cache.resize(block_size, default_init);
  std::filesystem::path dir = dir_;
  if (dir.empty()) {
    std::error_code ec;
    dir = std::filesystem::temp_directory_path(ec);
    if (ec)
      detail::throw_system_error(ec.value(), "bytesio: no temporary directory: " + ec.message());
  }
  detail::temp_file file = detail::temp_file::create(dir);
  if (size_ != 0)
    file.pwrite_all(mem_.data(), static_cast<std::size_t>(size_), 0);
  file_ = std::move(file);
  mem_.swap(cache);
  win_ = pos_;
  valid_ = 0;
  dirty_lo_ = dirty_hi_ = 0;
  rolled_ = true;
}

int spooled_buf::fileno() {
  check_open("fileno");
  rollover();
  settle();
  flush_cache();
  return file_.fd();
}

std::size_t spooled_buf::capacity() const noexcept {
  if (closed_)
    return 0;
  return rolled_ ? size() : mem_.capacity();
}

void spooled_buf::reserve(std::size_t n) {
  check_open("reserve");
  if (rolled_)
    return;
  settle();
  mem_.reserve(threshold_ != 0 ? std::min(n, threshold_) : n);
}

void spooled_buf::shrink_to_fit() {
  check_open("shrink_to_fit");
  if (rolled_)
    return;
  settle();
  mem_.resize(static_cast<std::size_t>(size_));
  mem_.shrink_to_fit();
}

void spooled_buf::clear() {
  check_open("clear");
  settle();
  if (rolled_) {
    file_.truncate(0);
    win_ = 0;
    valid_ = dirty_lo_ = dirty_hi_ = 0;
  }
  size_ = pos_ = 0;
}

void spooled_buf::set_size_limit(std::size_t limit) {
  check_open("set_size_limit");
  settle(); // the put area's end depends on the limit
  limit_ = limit;
}

std::size_t spooled_buf::size_limit() const {
  check_open("size_limit");
  return limit_;
}

// ---- std::streambuf ---------------------------------------------------------------

auto spooled_buf::overflow(int_type ch) -> int_type {
  if (traits_type::eq_int_type(ch, traits_type::eof()))
    return closed_ ? traits_type::eof() : traits_type::not_eof(ch);
  const char c = traits_type::to_char_type(ch);
  return xsputn(&c, 1) == 1 ? ch : traits_type::eof();
}

auto spooled_buf::underflow() -> int_type {
  if (!enter_read())
    return traits_type::eof();
  return traits_type::to_int_type(*gptr());
}

auto spooled_buf::pbackfail(int_type ch) -> int_type {
  settle();
  if (closed_ || pos_ == 0 || pos_ > size_)
    return traits_type::eof();
  const std::uint64_t at = pos_ - 1;
  if (rolled_ && !(at >= win_ && at - win_ < valid_))
    load_window(at > block_size / 2 ? at - block_size / 2 : 0); // room to unget further
  const auto w = static_cast<std::size_t>(at - win_);
  char &prev = base()[w];
  if (!traits_type::eq_int_type(ch, traits_type::eof()) &&
      !traits_type::eq(traits_type::to_char_type(ch), prev)) {
    // A different character overwrites, as std::stringbuf does in out mode.
    prev = traits_type::to_char_type(ch);
    if (rolled_) {
      dirty_lo_ = dirty_lo_ == dirty_hi_ ? w : std::min(dirty_lo_, w);
      dirty_hi_ = std::max(dirty_hi_, w + 1);
    }
  }
  --pos_;
  enter_read();
  // For ch == eof (sungetc at the start of a cache block) the character
  // itself, as if the get area had reached back that far.
  return traits_type::eq_int_type(ch, traits_type::eof()) ? traits_type::to_int_type(prev) : ch;
}

std::streamsize spooled_buf::xsputn(const char_type *s, std::streamsize n) {
  if (n <= 0)
    return 0;
  const auto count = static_cast<std::size_t>(n);
  if (pptr() != nullptr && count <= static_cast<std::size_t>(epptr() - pptr())) {
    std::memcpy(pptr(), s, count);
    setp(pptr() + count, epptr());
    return n;
  }
  settle();
  if (closed_)
    return 0;
  const auto k = static_cast<std::size_t>(writable_count(count));
  if (k != 0) {
    put(s, k);
    enter_write();
  }
  return static_cast<std::streamsize>(k);
}

std::streamsize spooled_buf::xsgetn(char_type *s, std::streamsize n) {
  if (n <= 0)
    return 0;
  const auto count = static_cast<std::size_t>(n);
  std::size_t done = 0;
  if (eback() != nullptr) {
    done = std::min(count, static_cast<std::size_t>(egptr() - gptr()));
    std::memcpy(s, gptr(), done);
    setg(eback(), gptr() + done, egptr());
    if (done == count)
      return n;
  }
  settle();
  if (closed_)
    return static_cast<std::streamsize>(done);
  done += readinto(std::as_writable_bytes(std::span(s + done, count - done)));
  return static_cast<std::streamsize>(done);
}

std::streamsize spooled_buf::showmanyc() {
  if (closed_)
    return -1;
  const std::uint64_t pos = cur_pos(), size = cur_size();
  return pos < size ? static_cast<std::streamsize>(size - pos) : 0;
}

auto spooled_buf::seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode which)
    -> pos_type {
  const pos_type fail = pos_type(off_type(-1));
  if (closed_ || (which & (std::ios_base::in | std::ios_base::out)) == 0)
    return fail;
  if (off == 0 && dir == std::ios_base::cur) // tellg/tellp: disturb nothing
    return pos_type(static_cast<off_type>(cur_pos()));
  settle();
  const auto target = detail::stream_seek_target(off, dir, pos_, size_);
  if (!target)
    return fail;
  pos_ = static_cast<std::uint64_t>(*target);
  return pos_type(static_cast<off_type>(*target));
}

auto spooled_buf::seekpos(pos_type pos, std::ios_base::openmode which) -> pos_type {
  return seekoff(off_type(pos), std::ios_base::beg, which);
}

int spooled_buf::sync() {
  if (closed_)
    return -1;
  settle();
  if (!rolled_)
    return 0;
  try {
    flush_cache();
  } catch (...) {
    return -1; // the cache keeps the bytes; flush() or close() report the errno
  }
  return 0;
}

} // namespace bytesio
