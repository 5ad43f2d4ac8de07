// SPDX-License-Identifier: BSL-1.0
#include "bytesio/spooled_buf.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>

namespace bytesio {

/*  The file logic is detail::file_core's. What is spooled_buf's own is where
    the bytes live:

    in memory: mem_ is the whole window, offset 0, as in basic_bytes_buf,
               but a put area stops at the threshold, so the write that
               would pass it reaches store(), which rolls over first.

             mem_.data()            + length        + min(mem_.size(), threshold)
             |                      |               |
             [------ contents ------]---- slack ----]

    rolled:    the file holds the contents; cache_ (detail/block_cache.hpp)
               is the window, one block at some offset, and the dirty range
               it has not written yet.
*/

template class detail::file_core<spooled_buf, byte_vector, false, true>;

spooled_buf::spooled_buf(std::size_t threshold, std::filesystem::path dir)
    : dir_(std::move(dir)), threshold_(threshold) {}

spooled_buf::spooled_buf(spooled_buf &&other) noexcept
    : core(std::move(other)), mem_(std::move(other.mem_)), cache_(std::move(other.cache_)),
      file_(std::move(other.file_)), dir_(std::exchange(other.dir_, {})),
      threshold_(other.threshold_), rolled_(std::exchange(other.rolled_, false)) {
  other.cache_ = {};
}

spooled_buf &spooled_buf::operator=(spooled_buf &&other) noexcept {
  if (this != &other) {
    spooled_buf old(std::move(*this)); // closed as the destructor does
    swap(other);
    other.threshold_ = threshold_; // as the move constructor leaves its source: its own threshold
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
  core::swap(other);
  using std::swap;
  mem_.swap(other.mem_);
  swap(cache_, other.cache_);
  swap(file_, other.file_);
  dir_.swap(other.dir_);
  swap(threshold_, other.threshold_);
  swap(rolled_, other.rolled_);
}

// ---- storage operations for detail::file_core --------------------------------

detail::file_window spooled_buf::read_window(std::uint64_t pos) {
  if (!rolled_)
    return {reinterpret_cast<char *>(mem_.data()), 0, static_cast<std::size_t>(file_size())};
  return cache_.holds(pos) ? cache_.window() : cache_.load(file_, pos, file_size());
}

std::size_t spooled_buf::read_direct(std::uint64_t pos, char *out, std::size_t n) {
  // Whole blocks bypass the cache.
  if (!rolled_ || n < block_size || cache_.holds(pos))
    return npos;
  cache_.flush(file_);
  return file_.pread_all(out, n, pos);
}

void spooled_buf::store(std::uint64_t pos, const char *p, std::size_t n) {
  if (!rolled_ && threshold_ != 0 && pos + n > threshold_)
    rollover(); // before the write: the bytes are never held twice
  if (rolled_)
    cache_.store(file_, pos, file_size(), p, n);
  else // memory never needs to hold more than the threshold
    detail::store_bytes(mem_, file_size(), pos, p, n, threshold_ != 0 ? threshold_ : npos);
}

detail::file_window spooled_buf::write_window(std::uint64_t pos) noexcept {
  if (rolled_)
    return cache_.write_window(pos);
  const std::size_t extent = detail::writable_extent(mem_);
  return {reinterpret_cast<char *>(mem_.data()), 0,
          threshold_ != 0 ? std::min(extent, threshold_) : extent};
}

void spooled_buf::put_settled(std::size_t end) noexcept {
  if (rolled_)
    cache_.written(end);
  else
    detail::settle_extent(mem_, end);
}

void spooled_buf::truncate_storage(std::uint64_t size) {
  if (!rolled_ && threshold_ != 0 && size > threshold_)
    rollover();
  if (rolled_ && size < file_size())
    cache_.truncate(file_, size);
}

void spooled_buf::sync_storage() {
  if (rolled_)
    cache_.flush(file_);
}

void spooled_buf::release() {
  byte_vector().swap(mem_);
  cache_ = {};
  file_.close(); // an error of close(2) itself: closed anyway, as documented
}

byte_vector spooled_buf::contents() const {
  const std::uint64_t n = size();
  if (n > std::numeric_limits<std::size_t>::max())
    throw std::bad_alloc();
  if (!rolled_)
    return result_of(mem_.data(), static_cast<std::size_t>(n));
  // The file, overlaid with what the cache holds and the file does not yet;
  // const, so the cache is read in place rather than flushed.
  byte_vector out;
  out.resize(static_cast<std::size_t>(n)); // zeros: a gap not yet in the file
  file_.pread_all(out.data(), out.size(), 0);
  cache_.overlay(out.data(), pptr());
  return out;
}

byte_vector spooled_buf::result_of(const std::byte *p, std::size_t n) const {
  return byte_vector(std::span<const std::byte>(p, n));
}

void spooled_buf::reserve_storage(std::size_t n) {
  if (!rolled_)
    mem_.reserve(threshold_ != 0 ? std::min(n, threshold_) : n);
}

void spooled_buf::shrink_storage(std::uint64_t length) {
  if (rolled_)
    return;
  mem_.resize(static_cast<std::size_t>(length));
  mem_.shrink_to_fit();
}

std::size_t spooled_buf::storage_capacity() const noexcept {
  return rolled_ ? size() : mem_.capacity();
}

// ---- spooled_buf's own ------------------------------------------------------------

void spooled_buf::rollover() {
  begin("rollover");
  if (rolled_)
    return;
  // Everything that can fail comes first; the commit below cannot throw.
  detail::block_cache cache(file_pos());
  std::filesystem::path dir = dir_;
  if (dir.empty()) {
    std::error_code ec;
    dir = std::filesystem::temp_directory_path(ec);
    if (ec)
      detail::throw_system_error(ec.value(), "bytesio: no temporary directory: " + ec.message());
  }
  detail::temp_file file = detail::temp_file::create(dir);
  if (file_size() != 0)
    file.pwrite_all(mem_.data(), static_cast<std::size_t>(file_size()), 0);
  file_ = std::move(file);
  cache_ = std::move(cache);
  byte_vector().swap(mem_);
  rolled_ = true;
}

int spooled_buf::fileno() {
  rollover();
  flush();
  return file_.fd();
}

} // namespace bytesio
