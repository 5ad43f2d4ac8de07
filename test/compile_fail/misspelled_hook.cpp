// SPDX-License-Identifier: BSL-1.0
// The file core's seam is checked by the compiler: a buffer that declares
// its optional sync_storage hook but misspells it (BYTESIO_MISSPELL), or has
// it without declaring it (BYTESIO_UNDECLARED), must not compile. Compiled
// by test/CMakeLists.txt and test/Jamfile once with each macro, and once
// with neither, which must compile, so that the failures cannot come from
// an include path or a typo.
#include "bytesio/byte_vector.hpp"
#include "bytesio/detail/file_core.hpp"

#include <cstddef>
#include <span>
#include <string_view>

namespace {

// A read-only buffer over caller memory (span_buf's shape) that makes its
// storage durable. It does not assert detail::file_buffer itself: the core
// must refuse it on its own.
class durable_buf : public bytesio::detail::file_core<durable_buf, bytesio::byte_vector,
                                                      /*Contiguous=*/true, /*Writable=*/false> {
  friend bytesio::detail::core_access;

public:
  explicit durable_buf(std::string_view chars) noexcept : bytes_(std::as_bytes(std::span(chars))) {
    set_file_size(bytes_.size());
  }
  using file_core::flush;
  int syncs = 0;

private:
#ifdef BYTESIO_UNDECLARED
  static constexpr bytesio::detail::optional_hooks hooks{};
#else
  static constexpr bytesio::detail::optional_hooks hooks{.sync_storage = true};
#endif
  const std::byte *memory() const noexcept { return bytes_.data(); }
  bytesio::byte_vector result_of(const std::byte *p, std::size_t n) const {
    return bytesio::byte_vector(std::span<const std::byte>(p, n));
  }
  void release() noexcept { bytes_ = {}; }
#ifdef BYTESIO_MISSPELL
  void sync_storag() { ++syncs; }
#else
  void sync_storage() { ++syncs; }
#endif

  std::span<const std::byte> bytes_;
};

} // namespace

int main() {
  durable_buf b("bytes");
  b.flush();
  return b.syncs == 1 && b.read().size() == 5 ? 0 : 1;
}
