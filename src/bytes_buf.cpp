// SPDX-License-Identifier: BSL-1.0
#include "bytesio/bytes_buf.hpp"

#include <string>
#include <vector>

// The buffers over byte_vector and the standard Storages, compiled once
// (bytes_buf.hpp declares these extern).
namespace bytesio {
template class detail::file_core<basic_bytes_buf<byte_vector>, byte_vector, true, true>;
template class basic_bytes_buf<byte_vector>;
template class detail::file_core<basic_bytes_buf<std::vector<char>>, std::vector<char>, true, true>;
template class basic_bytes_buf<std::vector<char>>;
template class detail::file_core<basic_bytes_buf<std::string>, std::string, true, true>;
template class basic_bytes_buf<std::string>;
} // namespace bytesio
