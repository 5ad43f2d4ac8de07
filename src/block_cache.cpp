// SPDX-License-Identifier: BSL-1.0
#include "bytesio/detail/block_cache.hpp"

#include <algorithm>
#include <cstring>

namespace bytesio::detail {

block_cache::block_cache(std::uint64_t at) : win_(at) { block_.resize(block_size, default_init); }

void block_cache::mark_dirty(std::size_t lo, std::size_t hi) noexcept {
  // The one place the dirty range grows; an empty range takes [lo, hi) as is.
  dirty_lo_ = dirty_lo_ == dirty_hi_ ? lo : std::min(dirty_lo_, lo);
  dirty_hi_ = std::max(dirty_hi_, hi);
}

void block_cache::forget_past(std::uint64_t size) noexcept {
  if (win_ + valid_ > size)
    valid_ = size > win_ ? static_cast<std::size_t>(size - win_) : 0;
  dirty_hi_ = std::min(dirty_hi_, valid_);
  if (dirty_lo_ >= dirty_hi_)
    dirty_lo_ = dirty_hi_ = 0;
}

void block_cache::flush(const temp_file &file) {
  if (dirty_hi_ > dirty_lo_)
    file.pwrite_all(block_.data() + dirty_lo_, dirty_hi_ - dirty_lo_, win_ + dirty_lo_);
  dirty_lo_ = dirty_hi_ = 0;
}

file_window block_cache::load(const temp_file &file, std::uint64_t at, std::uint64_t size) {
  flush(file);
  valid_ = 0; // a failing pread may have scribbled on the block
  // Aligned, so reading backwards (sungetc) finds the bytes before `at` too.
  win_ = at - at % block_size;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block_size, size - win_));
  valid_ = file.pread_all(data(), n, win_);
  return window();
}

void block_cache::store(const temp_file &file, std::uint64_t pos, std::uint64_t size, const char *p,
                        std::size_t n) {
  try {
    while (n != 0) {
      if (!(pos >= win_ && pos - win_ <= valid_ && pos - win_ < block_size)) {
        flush(file);
        win_ = pos;
        valid_ = 0; // the window may overlap what is about to be overwritten
        if (n >= block_size) {
          file.pwrite_all(p, n, pos);
          win_ = pos + n;
          return;
        }
      }
      const auto w = static_cast<std::size_t>(pos - win_);
      const std::size_t k = std::min(n, block_size - w);
      std::memcpy(data() + w, p, k);
      mark_dirty(w, w + k);
      valid_ = std::max(valid_, w + k);
      pos += k;
      p += k;
      n -= k;
    }
  } catch (...) {
    // The length stays `size`: the cache forgets what lay past it, and the
    // file is cut (or padded with zeros) to it so a later gap still reads
    // as zeros. Bytes overwritten inside the old contents may be partly
    // new: the basic guarantee spooled_buf documents.
    forget_past(size);
    try {
      file.truncate(size);
    } catch (...) {
    }
    throw;
  }
}

file_window block_cache::write_window(std::uint64_t pos) noexcept {
  if (!(pos >= win_ && pos - win_ <= valid_ && pos - win_ < block_size))
    return {};
  const auto w = static_cast<std::size_t>(pos - win_);
  mark_dirty(w, w); // written() raises the end when the area closes
  return {data(), win_, block_size};
}

void block_cache::written(std::size_t end) noexcept {
  dirty_hi_ = std::max(dirty_hi_, end); // dirty_lo_ was lowered when the area opened
  valid_ = std::max(valid_, end);
}

void block_cache::truncate(const temp_file &file, std::uint64_t size) {
  flush(file);
  file.truncate(size);
  forget_past(size);
}

void block_cache::overlay(std::byte *out, const char *put_end) const noexcept {
  const char *base = reinterpret_cast<const char *>(block_.data());
  const std::size_t hi = put_end == nullptr
                             ? dirty_hi_
                             : std::max(dirty_hi_, static_cast<std::size_t>(put_end - base));
  if (hi > dirty_lo_)
    std::memcpy(out + win_ + dirty_lo_, block_.data() + dirty_lo_, hi - dirty_lo_);
}

} // namespace bytesio::detail
