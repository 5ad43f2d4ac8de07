// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_CONTRACT_HPP
#define BYTESIO_TEST_SUPPORT_CONTRACT_HPP

// What the contract suite's files share: the subjects and the state check.

#include "subjects.hpp"
#include "test_support.hpp"

#include <string>

namespace bytesio::test {

using traits = std::char_traits<char>;

/** The contents of any buffer of the library, checking `view()` against `getvalue()` where both
 * exist. */
template <class Buf>
std::string contents(const Buf &b) {
  if constexpr (requires { b.getvalue(); }) {
    std::string value = str(b.getvalue());
    if constexpr (requires { b.view(); })
      BOOST_TEST(str(b.view()) == value);
    return value;
  } else {
    return str(b.view());
  }
}

} // namespace bytesio::test

// The contents, the size and the position.
#define BYTESIO_CHECK_STATE(b, expected, position)                                                 \
  do {                                                                                             \
    const std::string expected_ = (expected);                                                      \
    BOOST_TEST(::bytesio::test::contents(b) == expected_);                                         \
    BOOST_TEST((b).size() == expected_.size());                                                    \
    BOOST_TEST((b).tell() == std::uint64_t(position));                                             \
  } while (0)

#endif // BYTESIO_TEST_SUPPORT_CONTRACT_HPP
