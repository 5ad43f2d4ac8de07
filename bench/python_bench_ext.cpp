// SPDX-License-Identifier: BSL-1.0
// The C++ half of bench/python_bench.py: one function writing 256 MiB in
// records through std::ostream&, reached four ways from Python.

#include "bytesio/python.hpp"

#include <pybind11/pybind11.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/** What every row does: `total` bytes in records of `record` bytes. */
void write_records(std::ostream &out, std::size_t total, std::size_t record) {
  const std::string r(record, 'x');
  for (std::size_t done = 0; done < total; done += record)
    out.write(r.data(), static_cast<std::streamsize>(record));
}

/**
 * The peer: the streambuf recipe from cctbx that scipy, OCP, RDKit and others
 * carry (`python_streambuf`, `pystreambuf.h`), reduced to its writing half:
 * a put area of `buffer_size` bytes (the recipe's default is 1024), each
 * full one copied into a new `bytes` object handed to `write`, and the
 * character `overflow` is given written in a `bytes` object of its own.
 */
class recipe_streambuf : public std::streambuf {
public:
  recipe_streambuf(const py::object &file, std::size_t buffer_size)
      : write_(file.attr("write")), buffer_(buffer_size) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  ~recipe_streambuf() override { write_chunk(); }

protected:
  // As the recipe does: the full put area, then the character that did not
  // fit in a `bytes` object of its own (a second call to `write`).
  int_type overflow(int_type c) override {
    write_chunk();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      const char ch = traits_type::to_char_type(c);
      write_(py::bytes(&ch, 1));
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    write_chunk();
    return 0;
  }

private:
  void write_chunk() {
    const auto n = pptr() - pbase();
    if (n > 0)
      write_(py::bytes(pbase(), static_cast<std::size_t>(n)));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  py::object write_;
  std::vector<char> buffer_;
};

void write_recipe(const py::object &file, std::size_t total, std::size_t record,
                  std::size_t buffer_size) {
  recipe_streambuf buf(file, buffer_size);
  std::ostream out(&buf);
  write_records(out, total, record);
  out.flush();
}

/** Into a bytes_buf in C++, then one write of the result: the copy file_buf avoids. */
void write_then_copy(const py::object &file, std::size_t total, std::size_t record) {
  bytesio::bytes_buf buf;
  std::ostream out(&buf);
  write_records(out, total, record);
  const auto v = buf.view();
  file.attr("write")(py::memoryview::from_memory(v.data(), static_cast<py::ssize_t>(v.size())));
}

/** Pure C++: the limit for a bytesio.BytesIO argument. */
std::size_t write_cpp(std::size_t total, std::size_t record) {
  bytesio::bytes_buf buf;
  std::ostream out(&buf);
  write_records(out, total, record);
  return buf.size();
}

} // namespace

PYBIND11_MODULE(python_bench_ext, m) {
  m.def("write_stream", &write_records); // through python.hpp's caster
  m.def("write_recipe", &write_recipe);
  m.def("write_then_copy", &write_then_copy);
  m.def("write_cpp", &write_cpp);
}
