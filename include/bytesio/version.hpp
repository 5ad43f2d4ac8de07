// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_VERSION_HPP
#define BYTESIO_VERSION_HPP

// The library's version, for `#if`: `BYTESIO_VERSION` is
// major * 10000 + minor * 100 + patch (0.1.0 is 100), as fmt's FMT_VERSION.
// It equals the CMake project version (project() in CMakeLists.txt); the
// `version` test fails when the two differ.
#define BYTESIO_VERSION_MAJOR 0
#define BYTESIO_VERSION_MINOR 1
#define BYTESIO_VERSION_PATCH 0
#define BYTESIO_VERSION                                                                            \
  (BYTESIO_VERSION_MAJOR * 10000 + BYTESIO_VERSION_MINOR * 100 + BYTESIO_VERSION_PATCH)

#endif // BYTESIO_VERSION_HPP
