#ifndef BYTESIO_HPP
#define BYTESIO_HPP

// The core: standard library only.
#include "bytesio/byte_vector.hpp"
#include "bytesio/bytes_buf.hpp"
#include "bytesio/bytes_stream.hpp"
#include "bytesio/error.hpp"
#include "bytesio/spooled_buf.hpp"

// base64: the one-shot functions need only the standard library; the
// filters appear when Boost.Iostreams is on the include path.
#include "bytesio/base64.hpp"

// Boost.Iostreams integration, when Boost is there.
#if __has_include(<boost/iostreams/categories.hpp>)
#include "bytesio/iostreams.hpp"
#endif

// The ISA-L gzip filters live in their own library target (bytesio::igzip)
// and are not included here: include "bytesio/igzip.hpp" and link it.
// Nor are the watching filters (crc32_filter needs bytesio::filters):
// include "bytesio/filters.hpp".

#endif // BYTESIO_HPP
