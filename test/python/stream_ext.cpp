// SPDX-License-Identifier: BSL-1.0
// The test extension behind test_streams.py: C++ functions taking each
// stream type, bound with bytesio/python.hpp's casters.

#include "bytesio/python.hpp"

#include <pybind11/stl.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/** Writes `count` records of `size` bytes; record i is filled with byte i % 251. */
void write_records(std::ostream &out, std::size_t count, std::size_t size) {
  std::string record(size, '\0');
  for (std::size_t i = 0; i < count; ++i) {
    std::fill(record.begin(), record.end(), static_cast<char>(i % 251));
    out.write(record.data(), static_cast<std::streamsize>(record.size()));
  }
}

/** Everything from the position to the end, in reads of `chunk` bytes. */
py::bytes read_all(std::istream &in, std::size_t chunk) {
  std::string all, part(chunk, '\0');
  while (in.read(part.data(), static_cast<std::streamsize>(chunk)) || in.gcount() > 0)
    all.append(part.data(), static_cast<std::size_t>(in.gcount()));
  return py::bytes(all);
}

/**
 * Runs `ops` on the stream and returns one result per op, the stream's
 * state after each as part of it: ("w", bytes) writes, ("r", n) reads up to
 * n bytes, ("s", off, whence) seeks both positions, ("t",) tells, ("f",)
 * flushes, ("g",) gets one byte (-1 at the end), ("u",) ungets one, ("i",)
 * parses an int (`>>`). Results: the bytes read, the position, the byte,
 * the int or None, with `good()`.
 */
py::list run_ops(std::iostream &io, const py::list &ops) {
  py::list results;
  for (const auto &op_handle : ops) {
    auto op = op_handle.cast<py::tuple>();
    const auto kind = op[0].cast<std::string>();
    py::object value = py::none();
    if (kind == "w") {
      const auto data = op[1].cast<std::string>();
      io.write(data.data(), static_cast<std::streamsize>(data.size()));
    } else if (kind == "r") {
      std::string data(op[1].cast<std::size_t>(), '\0');
      io.read(data.data(), static_cast<std::streamsize>(data.size()));
      data.resize(static_cast<std::size_t>(io.gcount()));
      io.clear(io.rdstate() & ~(std::ios_base::eofbit | std::ios_base::failbit));
      value = py::bytes(data);
    } else if (kind == "s") {
      const auto dir = std::array{std::ios_base::beg, std::ios_base::cur,
                                  std::ios_base::end}[op[2].cast<std::size_t>()];
      io.seekg(op[1].cast<long long>(), dir);
      value = py::int_(static_cast<long long>(io.tellg()));
    } else if (kind == "t") {
      value = py::int_(static_cast<long long>(io.tellp()));
    } else if (kind == "f") {
      io.flush();
    } else if (kind == "g") {
      value = py::int_(io.get());
    } else if (kind == "u") {
      io.unget();
    } else if (kind == "i") {
      long long x = -1;
      io >> x;
      value = py::int_(x);
    } else {
      throw std::invalid_argument("unknown op " + kind);
    }
    results.append(py::make_tuple(value, io.good()));
  }
  return results;
}

/** Writes `data` and reports whether the stream is still good (the Python error comes after). */
bool write_and_report(std::ostream &out, const std::string &data) {
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.flush();
  return out.good();
}

/** Writes with exceptions enabled: the failure escapes the C++ function. */
void write_throwing(std::ostream &out, const std::string &data) {
  out.exceptions(std::ios_base::badbit);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.flush();
}

/** Throws a C++ exception after writing. */
void write_then_throw(std::ostream &out, const std::string &data) {
  out << data;
  throw std::out_of_range("thrown by C++ after writing");
}

/** Seeks to `pos` and reports `tellg`, -1 when the stream cannot seek. */
long long seek_to(std::istream &in, long long pos) {
  in.seekg(pos);
  return in.fail() ? -1 : static_cast<long long>(in.tellg());
}

/** Reads `n` bytes and leaves the rest: Python's position must follow. */
py::bytes read_some(std::istream &in, std::size_t n) {
  std::string data(n, '\0');
  in.read(data.data(), static_cast<std::streamsize>(n));
  data.resize(static_cast<std::size_t>(in.gcount()));
  return py::bytes(data);
}

/** Copies the input to the output in `chunk` pieces, without the GIL. */
std::size_t copy_stream(std::istream &in, std::ostream &out, std::size_t chunk) {
  std::vector<char> part(chunk);
  std::size_t total = 0;
  while (in.read(part.data(), static_cast<std::streamsize>(chunk)) || in.gcount() > 0) {
    out.write(part.data(), in.gcount());
    total += static_cast<std::size_t>(in.gcount());
  }
  return total;
}

/** The README's example: any function on std::ostream& takes Python file objects. */
void save_report(std::ostream &out, int rows) {
  for (int i = 0; i < rows; ++i)
    out << "row " << i << '\n';
}

/** Writes `data`, calls back into Python, writes `data` again. */
void write_call_write(std::ostream &out, const std::string &data, const py::function &f) {
  out << data << std::flush;
  f();
  out << data;
}

/** Writes `data` one character at a time (`put`, the streambuf's overflow), badbit throwing. */
void put_chars(std::ostream &out, const std::string &data) {
  out.exceptions(std::ios_base::badbit);
  for (char c : data)
    out.put(c);
  out.flush();
}

/** Reads `n` bytes with badbit throwing: a misbehaving file's error escapes. */
py::bytes read_throwing(std::istream &in, std::size_t n) {
  in.exceptions(std::ios_base::badbit);
  return read_some(in, n);
}

/** What `file_buf` makes of `file`: (readable, writable, seekable). */
py::tuple file_buf_of(py::object file, std::size_t buffer_size) {
  const bytesio::python::file_buf buf(std::move(file), buffer_size);
  return py::make_tuple(buf.readable(), buf.writable(), buf.seekable());
}

} // namespace

PYBIND11_MODULE(stream_ext, m) {
  m.def("save_report", &save_report);
  m.def("write_call_write", &write_call_write);
  m.def("write_records", &write_records);
  m.def("write_records_nogil", &write_records, py::call_guard<py::gil_scoped_release>());
  m.def("read_all", &read_all, py::arg("in"), py::arg("chunk") = 4096);
  m.def("run_ops", &run_ops);
  m.def("write_and_report", &write_and_report);
  m.def("write_throwing", &write_throwing);
  m.def("write_then_throw", &write_then_throw);
  m.def("seek_to", &seek_to);
  m.def("read_some", &read_some);
  m.def("put_chars", &put_chars);
  m.def("read_throwing", &read_throwing);
  m.def("file_buf_of", &file_buf_of, py::arg("file"), py::arg("buffer_size") = 65536);
  m.def("copy_stream", &copy_stream, py::call_guard<py::gil_scoped_release>());
  m.def("line_count", [](std::istream &in) {
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);)
      ++n;
    return n;
  });
}
