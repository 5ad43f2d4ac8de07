#include "bytesio/bytes_buf.hpp"

// The default buffer, compiled once (bytes_buf.hpp declares these extern).
namespace bytesio {
template class detail::file_core<basic_bytes_buf<byte_vector>, byte_vector, true, true>;
template class basic_bytes_buf<byte_vector>;
} // namespace bytesio
