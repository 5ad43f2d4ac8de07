// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_UNIT_TEST_HPP
#define BYTESIO_TEST_SUPPORT_UNIT_TEST_HPP

// Boost.Test for every test file: the compiled library (Boost::unit_test_framework,
// BOOST_TEST_DYN_LINK) by default; its header-only variant where no compiled
// Boost exists (the MinGW cross build, BYTESIO_TEST_HEADER_ONLY), in the one
// file of each test program that defines BOOST_TEST_MODULE.

#if defined(BYTESIO_TEST_HEADER_ONLY) && defined(BOOST_TEST_MODULE)
#include <boost/test/included/unit_test.hpp>
#else
#include <boost/test/unit_test.hpp>
#endif

#endif // BYTESIO_TEST_SUPPORT_UNIT_TEST_HPP
