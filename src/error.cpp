// SPDX-License-Identifier: BSL-1.0
#include "bytesio/error.hpp"

namespace bytesio {
namespace {

class category_impl final : public std::error_category {
public:
  const char *name() const noexcept override { return "bytesio"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
    case errc::closed:
      return "operation on a closed buffer";
    case errc::buffer_exported:
      return "buffer is pinned by an exported view";
    case errc::size_limit:
      return "size limit exceeded";
    case errc::invalid_argument:
      return "invalid argument";
    case errc::invalid_base64:
      return "invalid base64 input";
    case errc::invalid_gzip:
      return "invalid gzip input";
    case errc::not_supported:
      return "operation not supported";
    }
    return "unknown bytesio error";
  }
};

} // namespace

const std::error_category &error_category() noexcept {
  static const category_impl instance;
  return instance;
}

namespace detail {

void throw_error(errc e, const std::string &what) {
  throw std::ios_base::failure(what, make_error_code(e));
}

void throw_system_error(int err, const std::string &what) {
  throw std::ios_base::failure(what, std::error_code(err, std::generic_category()));
}

} // namespace detail
} // namespace bytesio
