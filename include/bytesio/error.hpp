// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_ERROR_HPP
#define BYTESIO_ERROR_HPP

#include "bytesio/detail/export.hpp"

#include <ios>
#include <string>
#include <system_error>

namespace bytesio {

/**
 * Error codes of bytesio, registered as a `std::error_code` enum.
 *
 * File-like member functions throw `std::ios_base::failure` whose `code()`
 * compares equal to one of these (`e.code() == bytesio::errc::closed`).
 */
enum class errc {
  closed = 1,       ///< the buffer was closed
  buffer_exported,  ///< a `getbuffer()` view is alive; the contents are pinned
  size_limit,       ///< the operation would make the contents exceed the limit
  invalid_argument, ///< an argument outside the domain (e.g. `seek(-1)`)
  invalid_base64,   ///< malformed base64 input (the message gives the offset)
  invalid_gzip,     ///< malformed gzip input (the message gives the offset)
  not_supported,    ///< the operation is not available on this object
};

/**
 * The category of `bytesio::errc`, named "bytesio".
 *
 * @return a reference to the one category object.
 */
BYTESIO_API const std::error_category &error_category() noexcept;

/**
 * Makes an error code of bytesio's category (found by ADL, so
 * `std::error_code ec = errc::closed;` works).
 */
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/**
 * Makes an error condition of bytesio's category, so that
 * `ec == bytesio::errc::closed` compares codes of this category.
 */
inline std::error_condition make_error_condition(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

namespace detail {

/** Throws `std::ios_base::failure` carrying `e`, with `what` as context. */
[[noreturn]] BYTESIO_API void throw_error(errc e, const std::string &what);

/** Throws `std::ios_base::failure` carrying the `errno` value `err`. */
[[noreturn]] void throw_system_error(int err, const std::string &what);

} // namespace detail
} // namespace bytesio

template <>
struct std::is_error_code_enum<bytesio::errc> : std::true_type {};

#endif // BYTESIO_ERROR_HPP
