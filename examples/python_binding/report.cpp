// SPDX-License-Identifier: BSL-1.0
// A C++ library's Python binding with bytesio/python.hpp: `write_report`
// takes a std::ostream& and writes a gzip'ed CSV report to it; from Python
// it takes any binary file object (examples/python_binding/run_report.py).

#include "bytesio/python.hpp"

#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include <ostream>

namespace io = boost::iostreams;

/** The library's function, unchanged: it knows nothing of Python. */
void write_report(std::ostream &out, int rows) {
  io::filtering_ostream gz;
  gz.push(io::gzip_compressor());
  gz.push(out);
  gz << "id,customer,amount\n";
  for (int i = 0; i < rows; ++i)
    gz << i << ",customer-" << i % 97 << ',' << (i * 37) % 1000 << '.' << i % 100 << '\n';
}

PYBIND11_MODULE(report, m) {
  m.doc() = "bytesio's python_binding example";
  // The GIL is released while the report is written: python.hpp takes it
  // back for each call into the Python file object.
  m.def("write_report", &write_report, pybind11::arg("out"), pybind11::arg("rows"),
        pybind11::call_guard<pybind11::gil_scoped_release>());
}
