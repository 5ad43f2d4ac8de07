// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_PYTHON_LENDING_HPP
#define BYTESIO_DETAIL_PYTHON_LENDING_HPP

// How the `bytesio` Python module lends a `bytesio.BytesIO`'s bytes_buf to
// python.hpp's casters in other extension modules: a capsule holding this
// table, found through the already-imported module (never imported for it).

#include "bytesio/bytes_buf.hpp"

#include <Python.h>

#include <cstddef>

namespace bytesio::python::detail {

struct lending_api {
  /** Bumped on any change of this table or of what it lends. */
  static constexpr unsigned current_version = 1;
  /** The capsule's name, also the module attribute that holds it. */
  static constexpr const char *capsule_name = "bytesio._lending_api";

  unsigned version;
  std::size_t bytes_buf_size; // a mismatch means another build of bytesio: no lending
  PyTypeObject *type;         // bytesio.BytesIO
  /**
   * The buffer of a `bytesio.BytesIO` (or subclass), marked lent: its Python
   * methods raise BufferError until `give_back`. Null, with no Python error
   * set, when it is closed or a `getbuffer()` view pins it (then the caster
   * goes through the Python methods, which raise the right error).
   */
  bytes_buf *(*lend)(PyObject *bytesio_object);
  void (*give_back)(PyObject *bytesio_object);

  /**
   * The table if the module is imported and is this build's, else null.
   * Needs the GIL.
   */
  static const lending_api *find() noexcept {
    PyObject *name = PyUnicode_FromString("bytesio");
    PyObject *module = name == nullptr ? nullptr : PyImport_GetModule(name);
    Py_XDECREF(name);
    const lending_api *api = nullptr;
    if (module != nullptr) {
      PyObject *capsule = PyObject_GetAttrString(module, "_lending_api");
      if (capsule != nullptr)
        api = static_cast<const lending_api *>(PyCapsule_GetPointer(capsule, capsule_name));
      Py_XDECREF(capsule);
      Py_DECREF(module);
    }
    PyErr_Clear();
    if (api != nullptr &&
        (api->version != current_version || api->bytes_buf_size != sizeof(bytes_buf)))
      api = nullptr;
    return api;
  }
};

} // namespace bytesio::python::detail

#endif
