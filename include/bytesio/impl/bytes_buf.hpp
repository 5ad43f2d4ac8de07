// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_IMPL_BYTES_BUF_HPP
#define BYTESIO_IMPL_BYTES_BUF_HPP

#include <utility>

namespace bytesio {

/*  The file logic and its pointer picture are in detail/file_core.hpp. What
    is bytes_buf's own: the storage is the whole window, offset 0.

             data             data + size()      + storage_.size()   + writable_extent
             |                |                  |                   |
             [--- contents ---][---- garbage ----][--- untouched ----]
                                a write past the   a byte_vector's fresh
                                end zero-fills it  pages: zeros, never
                                                   filled again
             The put area may write up to writable_extent() (the capacity
             for a byte_vector, the storage's size for other containers,
             which are sized to their capacity), cut at the size limit;
             detail/storage.hpp has the rules.
*/

template <class Storage>
basic_bytes_buf<Storage>::basic_bytes_buf(std::span<const std::byte> initial)
    : basic_bytes_buf(detail::copy_of(Storage{}, initial.data(), initial.size())) {}

template <class Storage>
basic_bytes_buf<Storage>::basic_bytes_buf(std::string_view initial)
    : basic_bytes_buf(std::as_bytes(std::span(initial))) {}

template <class Storage>
template <class S>
requires std::same_as<S, Storage> basic_bytes_buf<Storage>::basic_bytes_buf(S &&adopted)
noexcept(std::is_nothrow_move_constructible_v<Storage>) : storage_(std::move(adopted)) {
  this->set_file_size(storage_.size());
}

template <class Storage>
basic_bytes_buf<Storage>::basic_bytes_buf(basic_bytes_buf &&other) noexcept(
    std::is_nothrow_move_constructible_v<Storage>)
    : core(std::move(other)), storage_(std::move(other.storage_)) {
  other.storage_.clear(); // a moved-from container is only "valid"; make it empty
}

template <class Storage>
basic_bytes_buf<Storage> &basic_bytes_buf<Storage>::operator=(basic_bytes_buf &&other) {
  if (this != &other) {
    core::operator=(std::move(other));
    storage_ = std::move(other.storage_);
    other.storage_.clear();
  }
  return *this;
}

template <class Storage>
void basic_bytes_buf<Storage>::swap(basic_bytes_buf &other) noexcept(
    std::is_nothrow_swappable_v<Storage>) {
  core::swap(other);
  using std::swap;
  swap(storage_, other.storage_);
}

template <class Storage>
auto basic_bytes_buf<Storage>::getbuffer() -> exported_view {
  this->begin("getbuffer"); // no put area while pinned: every stream write reaches xsputn's checks
  return exported_view(this,
                       {detail::bytes_of(storage_), static_cast<std::size_t>(this->file_size())});
}

template <class Storage>
Storage basic_bytes_buf<Storage>::take() {
  this->begin_change("take");
  storage_.resize(
      static_cast<std::size_t>(this->file_size())); // shrinking: drops the slack, never reallocates
  Storage out = std::move(storage_);
  storage_.clear();
  this->clear();
  return out;
}

} // namespace bytesio

#endif // BYTESIO_IMPL_BYTES_BUF_HPP
