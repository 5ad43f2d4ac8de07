// SPDX-License-Identifier: BSL-1.0
#include "bytesio/bytes_stream.hpp"

#include <string>
#include <vector>

// The streams over byte_vector and the standard Storages, compiled once
// (bytes_stream.hpp declares these extern), as their buffers are.
namespace bytesio {
template class basic_bytes_stream<byte_vector>;
template class basic_bytes_stream<std::vector<char>>;
template class basic_bytes_stream<std::string>;
} // namespace bytesio
