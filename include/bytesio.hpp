// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_HPP
#define BYTESIO_HPP

// Every bytesio header that needs only the standard library.
#include "bytesio/base64.hpp"
#include "bytesio/byte_vector.hpp"
#include "bytesio/bytes_buf.hpp"
#include "bytesio/bytes_stream.hpp"
#include "bytesio/error.hpp"
#include "bytesio/mapped_file.hpp"
#include "bytesio/span_buf.hpp"
#include "bytesio/spooled_buf.hpp"
#include "bytesio/version.hpp"

// Not here, since they need more than the standard library: the Boost
// headers (iostreams.hpp, base64_filters.hpp, filters.hpp, asio.hpp), the
// ISA-L gzip filters (igzip.hpp, target bytesio::igzip), open_file
// (cfile.hpp) and minizip_io (minizip.hpp). Include those by name.

#endif // BYTESIO_HPP
