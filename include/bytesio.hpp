#ifndef BYTESIO_HPP
#define BYTESIO_HPP

// The core: standard library only.
#include "bytesio/byte_vector.hpp"
#include "bytesio/bytes_buf.hpp"
#include "bytesio/bytes_stream.hpp"
#include "bytesio/error.hpp"
#include "bytesio/spooled_buf.hpp"

#endif // BYTESIO_HPP
