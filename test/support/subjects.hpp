#ifndef BYTESIO_TEST_SUPPORT_SUBJECTS_HPP
#define BYTESIO_TEST_SUPPORT_SUBJECTS_HPP

// The buffers the contract suite (test/file_contract_*.cpp) runs over, each
// wrapped as a "subject": a type that IS the buffer and is constructed from
// the initial contents, so one test body serves every buffer:
//
//     BOOST_AUTO_TEST_CASE_TEMPLATE(name, F, writable_subjects) {
//       F b{"abc"};          // the contents "abc", position 0
//       b.write("x"); ...
//
// spooled_buf runs at several thresholds, so every case runs before the
// rollover (0: never), after it (1: rolled at the first write) and across
// it (a block and 7 bytes, 1 MiB: the large cases cross them).

#include "bytesio/bytes_buf.hpp"
#include "bytesio/spooled_buf.hpp"

#include <cstring>
#include <memory_resource>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace bytesio::test {

/** A `basic_bytes_buf<Storage>`. */
template <class Storage>
struct bytes_subject : basic_bytes_buf<Storage> {
  using basic_bytes_buf<Storage>::basic_bytes_buf;
  bytes_subject() = default;
  explicit bytes_subject(const char *initial) : basic_bytes_buf<Storage>(std::string_view(initial)) {}
  static constexpr bool rolls = false;
};

/** A `spooled_buf` with threshold `Threshold`, written with the initial contents and rewound. */
template <std::size_t Threshold>
struct spooled_subject : spooled_buf {
  spooled_subject() : spooled_buf(Threshold) {}
  explicit spooled_subject(std::string_view initial) : spooled_buf(Threshold) {
    if (!initial.empty()) {
      write(initial);
      seek(0);
    }
  }
  explicit spooled_subject(const char *initial) : spooled_subject(std::string_view(initial)) {}
  explicit spooled_subject(std::span<const std::byte> initial)
      : spooled_subject(
            std::string_view(reinterpret_cast<const char *>(initial.data()), initial.size())) {}
  static constexpr bool rolls = Threshold != 0;
};

using bytes_subjects =
    std::tuple<bytes_subject<byte_vector>, bytes_subject<std::vector<char>>,
               bytes_subject<std::vector<unsigned char>>, bytes_subject<std::vector<std::byte>>,
               bytes_subject<std::string>, bytes_subject<std::pmr::vector<std::byte>>>;

using spooled_subjects =
    std::tuple<spooled_subject<0>, spooled_subject<1>,
               spooled_subject<spooled_buf::block_size + 7>, spooled_subject<1024 * 1024>>;

/** Every buffer that can be written. */
using writable_subjects = decltype(std::tuple_cat(bytes_subjects{}, spooled_subjects{}));

/** Every buffer, for the reading half of the contract. */
using file_subjects = writable_subjects;

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_SUBJECTS_HPP
