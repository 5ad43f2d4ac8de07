// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_OS_LIMITS_HPP
#define BYTESIO_TEST_SUPPORT_OS_LIMITS_HPP

// Operating-system fault injection on Linux: a resource limit lowered for one
// scope makes the kernel refuse what the library asks for, the way a
// loaded machine would, with no hook in the library.

#if defined(__linux__)

#include "unit_test.hpp"

#include <cstddef>
#include <fstream>
#include <string>

#include <sys/resource.h>

namespace bytesio::test {

/** A size in /proc/self/status ("VmSize:", "VmRSS:"), in bytes. */
inline std::size_t status_bytes(const std::string &field) {
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;) {
    std::size_t kib = 0;
    if (key == field && status >> kib)
      return kib * 1024;
  }
  BOOST_FAIL("no " + field + " in /proc/self/status");
  return 0;
}

/** The process's mapped address space now (VmSize), in bytes. */
inline std::size_t mapped_bytes() { return status_bytes("VmSize:"); }

/** The process's resident memory now (VmRSS), in bytes. */
inline std::size_t resident_bytes() { return status_bytes("VmRSS:"); }

/**
 * RLIMIT_AS lowered to what the process maps now plus `slack` bytes, so any
 * mapping larger than the slack fails with ENOMEM (mmap, mremap, and the
 * large mallocs built on them); restored at the end of the scope.
 */
class address_space_limit {
public:
  explicit address_space_limit(std::size_t slack) {
    BOOST_REQUIRE(::getrlimit(RLIMIT_AS, &old_) == 0);
    rlimit lowered = old_;
    lowered.rlim_cur = mapped_bytes() + slack;
    BOOST_REQUIRE(lowered.rlim_cur <= old_.rlim_max);
    BOOST_REQUIRE(::setrlimit(RLIMIT_AS, &lowered) == 0);
  }
  ~address_space_limit() { ::setrlimit(RLIMIT_AS, &old_); }
  address_space_limit(const address_space_limit &) = delete;
  address_space_limit &operator=(const address_space_limit &) = delete;

private:
  rlimit old_{};
};

} // namespace bytesio::test

#endif // __linux__

#endif // BYTESIO_TEST_SUPPORT_OS_LIMITS_HPP
