// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_EXPORT_HPP
#define BYTESIO_DETAIL_EXPORT_HPP

// BYTESIO_API marks what the compiled libraries export: the classes and
// functions defined in src/ that headers declare, and the explicit
// instantiations the headers declare `extern template`. The libraries are
// built with hidden visibility (-fvisibility=hidden
// -fvisibility-inlines-hidden, CMake and b2), so a shared build exports
// these and nothing else; a static build links the same either way.
// Windows builds are static: there it is empty.
#if defined(_WIN32) || defined(__CYGWIN__)
#define BYTESIO_API
#elif defined(__GNUC__) || defined(__clang__)
#define BYTESIO_API __attribute__((visibility("default")))
#else
#define BYTESIO_API
#endif

#endif // BYTESIO_DETAIL_EXPORT_HPP
