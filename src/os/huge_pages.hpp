// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_SRC_OS_HUGE_PAGES_HPP
#define BYTESIO_SRC_OS_HUGE_PAGES_HPP

#include <cstddef>

// Private to src/: memory.cpp defines it, for its own blocks and for the
// compiled parts that fill large blocks from elsewhere (base64.cpp).

namespace bytesio::detail {

/** Asks the OS to back the whole pages of a large block (4 MiB or more) with huge pages; a hint. */
void advise_huge_pages(void *p, std::size_t n) noexcept;

} // namespace bytesio::detail

#endif // BYTESIO_SRC_OS_HUGE_PAGES_HPP
