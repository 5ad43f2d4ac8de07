// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_IMPL_ASIO_HPP
#define BYTESIO_IMPL_ASIO_HPP

#include "bytesio/detail/bytes_buf_access.hpp"

#include <boost/asio/buffer.hpp>

#include <algorithm>
#include <ios>
#include <stdexcept>
#include <string>

namespace bytesio {

/*  The dynamic buffer is a window on the file, from the position on; the
    storage's slack past the end is the output sequence.

    0                tell()                   end = size()     storage_.size()
    |                |                        |                |
    [---- read ------][----- readable --------][--- slack -----]
                     data(): size() bytes       prepare(n) / grow(n) take
                     consume(n) moves tell()    n of these (more memory if
                                                needed), commit / grow move
                                                the end over them

    max_size() runs from tell() to the size limit; capacity() from tell() to
    the storage's capacity. Nothing here caches a pointer: every call asks the
    buffer, settled, through detail::bytes_buf_access, so a stream on the
    buffer and the dynamic buffer may take turns.
*/

namespace detail {

/** bytesio's errors as a `boost::system` category, for Asio and Beast. */
class asio_error_category final : public boost::system::error_category {
public:
  // A fixed id makes every copy of this inline category (one per shared
  // object) compare equal.
  constexpr asio_error_category() noexcept : boost::system::error_category(0x62797465'73696f21) {}
  const char *name() const noexcept override { return "bytesio"; }
  std::string message(int ev) const override { return bytesio::error_category().message(ev); }
};

inline const boost::system::error_category &asio_category() noexcept {
  static const asio_error_category category;
  return category;
}

inline boost::system::error_code asio_error(errc e) noexcept {
  return {static_cast<int>(e), asio_category()};
}

/** Runs the core's `begin_change` check; its failure becomes `ec` (false). */
template <class S>
bool begin_change_or(basic_bytes_buf<S> &b, const char *op, boost::system::error_code &ec) {
  try {
    bytes_buf_access::begin_change(b, op);
  } catch (const std::ios_base::failure &e) {
    if (e.code().category() != bytesio::error_category())
      throw;
    ec = asio_error(static_cast<errc>(e.code().value()));
    return false;
  }
  return true;
}

[[noreturn]] inline void throw_too_long(const char *op, std::size_t n, std::size_t room) {
  throw std::length_error(std::string("bytesio: dynamic_buffer ") + op + " of " +
                          std::to_string(n) + " bytes would pass the size limit (room for " +
                          std::to_string(room) + ")");
}

} // namespace detail

inline bool operator==(const boost::system::error_code &ec, errc e) noexcept {
  return ec.category() == detail::asio_category() && ec.value() == static_cast<int>(e);
}

// ---- basic_bytes_dynamic_buffer -----------------------------------------------

template <class Storage>
std::size_t basic_bytes_dynamic_buffer<Storage>::size() const noexcept {
  using access = detail::bytes_buf_access;
  const std::uint64_t pos = access::position(*buf_), end = access::length(*buf_);
  return pos < end ? static_cast<std::size_t>(end - pos) : 0;
}

template <class Storage>
std::size_t basic_bytes_dynamic_buffer<Storage>::max_size() const noexcept {
  using access = detail::bytes_buf_access;
  // The ceiling is at least the length, so this is at least size().
  const std::uint64_t pos = access::position(*buf_), top = access::ceiling(*buf_);
  return pos < top ? access::to_size(top - pos) : 0;
}

template <class Storage>
std::size_t basic_bytes_dynamic_buffer<Storage>::capacity() const noexcept {
  using access = detail::bytes_buf_access;
  const std::size_t n = size();
  return std::min(max_size(), n + std::min(access::slack(*buf_), access::room(*buf_)));
}

template <class Storage>
auto basic_bytes_dynamic_buffer<Storage>::data() const noexcept -> const_buffers_type {
  return const_cast<const basic_bytes_dynamic_buffer &>(*this).data(0, size());
}

template <class Storage>
auto basic_bytes_dynamic_buffer<Storage>::data(std::size_t pos, std::size_t n) noexcept
    -> mutable_buffers_type {
  using access = detail::bytes_buf_access;
  const std::size_t readable = size();
  if (pos >= readable || n == 0)
    return {};
  const auto start = static_cast<std::size_t>(access::position(*buf_));
  return {access::memory(*buf_) + start + pos, std::min(n, readable - pos)};
}

template <class Storage>
auto basic_bytes_dynamic_buffer<Storage>::data(std::size_t pos, std::size_t n) const noexcept
    -> const_buffers_type {
  return const_cast<basic_bytes_dynamic_buffer &>(*this).data(pos, n);
}

template <class Storage>
auto basic_bytes_dynamic_buffer<Storage>::prepare(std::size_t n) -> mutable_buffers_type {
  using access = detail::bytes_buf_access;
  access::begin_change(*buf_, "dynamic_buffer prepare");
  const std::size_t room = access::room(*buf_);
  if (n > room)
    detail::throw_too_long("prepare", n, room);
  if (n == 0) {
    prepared_ = 0;
    return {};
  }
  std::byte *p = access::prepare(*buf_, n); // a throw changes nothing, prepared_ included
  prepared_ = n;
  return {p, n};
}

template <class Storage>
void basic_bytes_dynamic_buffer<Storage>::commit(std::size_t n) {
  using access = detail::bytes_buf_access;
  access::begin(*buf_, "dynamic_buffer commit");
  // Only what was prepared, and only what is still in memory past the end
  // and within the limit should the buffer have been used in between.
  const std::size_t k = std::min({n, prepared_, access::prepared(*buf_), access::room(*buf_)});
  prepared_ = 0;
  access::commit(*buf_, k);
}

template <class Storage>
void basic_bytes_dynamic_buffer<Storage>::grow(std::size_t n) {
  using access = detail::bytes_buf_access;
  access::begin_change(*buf_, "dynamic_buffer grow");
  const std::size_t room = access::room(*buf_);
  if (n > room)
    detail::throw_too_long("grow", n, room);
  if (n == 0)
    return;
  access::prepare(*buf_, n);
  access::commit(*buf_, n);
}

template <class Storage>
void basic_bytes_dynamic_buffer<Storage>::shrink(std::size_t n) {
  using access = detail::bytes_buf_access;
  access::begin(*buf_, "dynamic_buffer shrink");
  const std::uint64_t pos = access::position(*buf_), end = access::length(*buf_);
  if (end > pos)
    access::cut(*buf_, end - std::min<std::uint64_t>(n, end - pos));
}

template <class Storage>
void basic_bytes_dynamic_buffer<Storage>::consume(std::size_t n) {
  (void)buf_->read_view(n); // the file's own read: the same position rules
}

// ---- http_body ----------------------------------------------------------------------

inline void http_body::reader::init(const boost::optional<std::uint64_t> &content_length,
                                    boost::beast::error_code &ec) {
  using access = detail::bytes_buf_access;
  ec = {};
  if (!detail::begin_change_or(body_, "http_body reader", ec) || !content_length)
    return;
  if (*content_length > access::room(body_)) {
    ec = detail::asio_error(errc::size_limit); // refused before a byte arrives
    return;
  }
  body_.reserve(static_cast<std::size_t>(access::append_at(body_) + *content_length));
}

template <class ConstBufferSequence>
std::size_t http_body::reader::put(const ConstBufferSequence &buffers,
                                   boost::beast::error_code &ec) {
  using access = detail::bytes_buf_access;
  ec = {};
  if (!detail::begin_change_or(body_, "http_body reader", ec))
    return 0;
  const std::size_t n = boost::asio::buffer_size(buffers);
  if (n > access::room(body_)) {
    ec = detail::asio_error(errc::size_limit); // nothing of this piece is kept
    return 0;
  }
  if (n == 0)
    return 0;
  std::byte *p = access::prepare(body_, n);
  const std::size_t k = boost::asio::buffer_copy(boost::asio::mutable_buffer(p, n), buffers);
  access::commit(body_, k);
  return k;
}

inline void http_body::writer::init(boost::beast::error_code &ec) noexcept {
  ec = body_.closed() ? detail::asio_error(errc::closed) : boost::beast::error_code();
}

inline auto http_body::writer::get(boost::beast::error_code &ec) noexcept
    -> boost::optional<std::pair<const_buffers_type, bool>> {
  ec = {};
  const std::span<const std::byte> bytes = body_.view();
  return {{const_buffers_type(bytes.data(), bytes.size()), false}};
}

} // namespace bytesio

#endif // BYTESIO_IMPL_ASIO_HPP
