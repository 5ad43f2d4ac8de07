// The Python module `bytesio`: `bytesio.BytesIO`, CPython's io.BytesIO
// over a bytesio::bytes_buf.
//
// Written on the C API rather than pybind11's classes, for three reasons:
// the type derives from `_io._BufferedIOBase`, as CPython's own BytesIO
// does (so detach, fileno, writelines, the context manager and iteration
// come from io itself); `getbuffer()` needs a release hook, which pybind11's
// buffer support lacks (pybind11#2693), so the exported memoryview can pin
// the buffer as CPython's does; and every call is a METH_O or METH_FASTCALL
// one, as fast as CPython's.

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bytesio/bytes_buf.hpp"
#include "bytesio/detail/python_lending.hpp"
#include "bytesio/error.hpp"

#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <system_error>

namespace {

using bytesio::bytes_buf;

/**
 * The object: `_io._BufferedIOBase`'s fields first (its instance dict and
 * weak reference list, which the type inherits), then ours at `fields_offset`.
 */
struct fields {
  bytes_buf buf;
  int lent = 0; // a bound C++ call has the buffer as its stream (python.hpp's casters)
};

Py_ssize_t fields_offset = 0;

fields &of(PyObject *self) {
  return *reinterpret_cast<fields *>(reinterpret_cast<char *>(self) + fields_offset);
}

/** Turns the C++ exception in flight into the Python one CPython's BytesIO raises. */
PyObject *raise_current() {
  try {
    throw;
  } catch (const std::system_error &e) {
    const auto code = e.code();
    if (code == bytesio::errc::closed)
      PyErr_SetString(PyExc_ValueError, "I/O operation on closed file.");
    else if (code == bytesio::errc::buffer_exported)
      PyErr_SetString(PyExc_BufferError, "Existing exports of data: object cannot be re-sized");
    else if (code == bytesio::errc::size_limit)
      PyErr_SetString(PyExc_OverflowError, "new buffer size too large");
    else if (code == bytesio::errc::invalid_argument)
      PyErr_SetString(PyExc_ValueError, e.what());
    else
      PyErr_SetString(PyExc_OSError, e.what());
  } catch (const std::bad_alloc &) {
    PyErr_NoMemory();
  } catch (const std::exception &e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

/** Runs `f`, returning its object, or NULL with the Python error set. */
template <class F>
PyObject *guarded(F &&f) noexcept {
  try {
    return f();
  } catch (...) {
    return raise_current();
  }
}

PyObject *closed_error() {
  PyErr_SetString(PyExc_ValueError, "I/O operation on closed file.");
  return nullptr;
}

/** A size argument as CPython's clinic reads `Py_ssize_t(accept={int, NoneType})`. */
bool size_argument(PyObject *arg, Py_ssize_t &size) {
  if (arg == Py_None)
    return true;
  if (!PyIndex_Check(arg)) {
    PyErr_Format(PyExc_TypeError, "argument should be integer or None, not '%.200s'",
                 Py_TYPE(arg)->tp_name);
    return false;
  }
  size = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
  return !(size == -1 && PyErr_Occurred());
}

/** The optional single positional size argument of read, read1, readline. */
bool optional_size(PyObject *const *args, Py_ssize_t nargs, const char *name, Py_ssize_t &size) {
  size = -1;
  if (nargs > 1) {
    PyErr_Format(PyExc_TypeError, "%s expected at most 1 argument, got %zd", name, nargs);
    return false;
  }
  return nargs == 0 || size_argument(args[0], size);
}

std::size_t count_of(Py_ssize_t size) {
  return size < 0 ? bytes_buf::npos : static_cast<std::size_t>(size);
}

PyObject *bytes_of(std::span<const std::byte> s) {
  return PyBytes_FromStringAndSize(reinterpret_cast<const char *>(s.data()),
                                   static_cast<Py_ssize_t>(s.size()));
}

/**
 * While a bound C++ call holds the buffer as its stream (which may run
 * without the GIL), Python's methods must not touch it: BufferError.
 */
bool not_lent(PyObject *self) {
  if (of(self).lent == 0)
    return true;
  PyErr_SetString(PyExc_BufferError,
                  "bytesio.BytesIO is in use by a C++ call that took it as a stream");
  return false;
}

template <PyObject *(*F)(PyObject *, PyObject *)>
PyObject *unlent(PyObject *self, PyObject *arg) {
  return not_lent(self) ? F(self, arg) : nullptr;
}

template <PyObject *(*F)(PyObject *, PyObject *const *, Py_ssize_t)>
PyObject *unlent_fast(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  return not_lent(self) ? F(self, args, nargs) : nullptr;
}

/** A METH_FASTCALL method for the table, which types them all as PyCFunction. */
template <PyObject *(*F)(PyObject *, PyObject *const *, Py_ssize_t)>
PyCFunction fastcall() {
  return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(unlent_fast<F>));
}

// ---- the buffer exporter behind getbuffer() ----------------------------------

/** What `getbuffer()` wraps in a memoryview: each export pins the buffer. */
struct exporter {
  PyObject_HEAD PyObject *source; // the BytesIO
};

PyTypeObject *exporter_type = nullptr;

int exporter_getbuffer(PyObject *self, Py_buffer *view, int flags) {
  auto *source = reinterpret_cast<exporter *>(self)->source;
  if (!not_lent(source)) {
    view->obj = nullptr;
    return -1;
  }
  try {
    auto *pinned = new bytes_buf::exported_view(of(source).buf.getbuffer());
    if (PyBuffer_FillInfo(view, self, pinned->data(), static_cast<Py_ssize_t>(pinned->size()), 0,
                          flags) != 0) {
      delete pinned;
      return -1;
    }
    view->internal = pinned;
    return 0;
  } catch (...) {
    raise_current();
    view->obj = nullptr;
    return -1;
  }
}

void exporter_releasebuffer(PyObject *, Py_buffer *view) {
  delete static_cast<bytes_buf::exported_view *>(view->internal);
}

void exporter_dealloc(PyObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  Py_CLEAR(reinterpret_cast<exporter *>(self)->source);
  type->tp_free(self);
  Py_DECREF(type);
}

int exporter_traverse(PyObject *self, visitproc visit, void *arg) {
  Py_VISIT(reinterpret_cast<exporter *>(self)->source);
  Py_VISIT(Py_TYPE(self));
  return 0;
}

PyType_Slot exporter_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void *>(exporter_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void *>(exporter_traverse)},
    {Py_bf_getbuffer, reinterpret_cast<void *>(exporter_getbuffer)},
    {Py_bf_releasebuffer, reinterpret_cast<void *>(exporter_releasebuffer)},
    {0, nullptr},
};

PyType_Spec exporter_spec = {"bytesio._BytesIOBuffer", sizeof(exporter), 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, exporter_slots};

// ---- BytesIO ---------------------------------------------------------------------

/** Replaces the contents with the bytes of `initial` (any buffer), position 0. */
int reset(bytes_buf &buf, PyObject *initial) {
  Py_buffer view{};
  if (initial != nullptr && initial != Py_None &&
      PyObject_GetBuffer(initial, &view, PyBUF_CONTIG_RO) != 0)
    return -1;
  try {
    buf.truncate(0);
    if (view.len > 0)
      buf.write(
          std::span(static_cast<const std::byte *>(view.buf), static_cast<std::size_t>(view.len)));
    buf.seek(0);
  } catch (...) {
    if (view.obj != nullptr)
      PyBuffer_Release(&view);
    raise_current();
    return -1;
  }
  if (view.obj != nullptr)
    PyBuffer_Release(&view);
  return 0;
}

PyObject *bytesio_new(PyTypeObject *type, PyObject *, PyObject *) {
  PyObject *self = type->tp_alloc(type, 0);
  if (self == nullptr)
    return nullptr;
  new (&of(self)) fields();
  return self;
}

int bytesio_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  if (!not_lent(self))
    return -1;
  static const char *keywords[] = {"initial_bytes", nullptr};
  PyObject *initial = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:BytesIO", const_cast<char **>(keywords),
                                   &initial))
    return -1;
  if (initial != nullptr && PyUnicode_Check(initial)) {
    PyErr_SetString(PyExc_TypeError, "a bytes-like object is required, not 'str'");
    return -1;
  }
  auto &buf = of(self).buf;
  if (buf.closed())
    buf = bytes_buf(); // __init__ again after close(): open anew, as CPython
  return reset(buf, initial);
}

/** The instance dict the type inherits from `_io._IOBase` (its offset is inherited too). */
PyObject **dict_of(PyObject *self) {
  const Py_ssize_t offset = Py_TYPE(self)->tp_dictoffset;
  return offset > 0 ? reinterpret_cast<PyObject **>(reinterpret_cast<char *>(self) + offset)
                    : nullptr;
}

void bytesio_dealloc(PyObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  // io's finalizer (close() if not closed) first, as the base's dealloc
  // would; the rest of the base's work is done here, since it would ask
  // `closed` of an object whose buffer is gone.
  if (PyObject_CallFinalizerFromDealloc(self) < 0)
    return; // resurrected
  PyObject_GC_UnTrack(self);
  if (type->tp_weaklistoffset > 0 &&
      *reinterpret_cast<PyObject **>(reinterpret_cast<char *>(self) + type->tp_weaklistoffset))
    PyObject_ClearWeakRefs(self);
  of(self).~fields();
  if (PyObject **dict = dict_of(self))
    Py_CLEAR(*dict);
  type->tp_free(self);
  Py_DECREF(type);
}

int bytesio_traverse(PyObject *self, visitproc visit, void *arg) {
  if (PyObject **dict = dict_of(self))
    Py_VISIT(*dict);
  Py_VISIT(Py_TYPE(self));
  return 0;
}

int bytesio_clear(PyObject *self) {
  if (PyObject **dict = dict_of(self))
    Py_CLEAR(*dict);
  return 0;
}

// Each method: the C++ call, its exceptions turned into Python's.

PyObject *bytesio_write(PyObject *self, PyObject *data) {
  Py_buffer view;
  if (PyObject_GetBuffer(data, &view, PyBUF_CONTIG_RO) != 0)
    return nullptr;
  PyObject *result = guarded([&] {
    of(self).buf.write(
        std::span(static_cast<const std::byte *>(view.buf), static_cast<std::size_t>(view.len)));
    return PyLong_FromSsize_t(view.len);
  });
  PyBuffer_Release(&view);
  return result;
}

PyObject *bytesio_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  Py_ssize_t size;
  if (!optional_size(args, nargs, "read", size))
    return nullptr;
  return guarded([&] { return bytes_of(of(self).buf.read_view(count_of(size))); });
}

PyObject *bytesio_readline(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  Py_ssize_t size;
  if (!optional_size(args, nargs, "readline", size))
    return nullptr;
  return guarded([&] { return bytes_of(of(self).buf.readline_view(count_of(size))); });
}

PyObject *bytesio_readlines(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  Py_ssize_t hint = -1;
  if (nargs > 1) {
    PyErr_Format(PyExc_TypeError, "readlines expected at most 1 argument, got %zd", nargs);
    return nullptr;
  }
  if (nargs == 1 && args[0] != Py_None) {
    if (!PyLong_Check(args[0])) {
      PyErr_Format(PyExc_TypeError, "integer argument expected, got '%s'",
                   Py_TYPE(args[0])->tp_name);
      return nullptr;
    }
    hint = PyLong_AsSsize_t(args[0]);
    if (hint == -1 && PyErr_Occurred())
      return nullptr;
  }
  auto &buf = of(self).buf;
  if (buf.closed())
    return closed_error();
  PyObject *lines = PyList_New(0);
  if (lines == nullptr)
    return nullptr;
  std::size_t total = 0;
  while (true) {
    const auto line = buf.readline_view();
    if (line.empty())
      break;
    PyObject *item = bytes_of(line);
    if (item == nullptr || PyList_Append(lines, item) != 0) {
      Py_XDECREF(item);
      Py_DECREF(lines);
      return nullptr;
    }
    Py_DECREF(item);
    total += line.size();
    if (hint > 0 && total >= static_cast<std::size_t>(hint))
      break;
  }
  return lines;
}

/** readinto and readinto1: into any writable contiguous buffer. */
PyObject *bytesio_readinto(PyObject *self, PyObject *target) {
  Py_buffer view;
  if (PyObject_GetBuffer(target, &view, PyBUF_WRITABLE) != 0)
    return nullptr;
  PyObject *result = guarded([&] {
    const auto n = of(self).buf.readinto(
        std::span(static_cast<std::byte *>(view.buf), static_cast<std::size_t>(view.len)));
    return PyLong_FromSize_t(n);
  });
  PyBuffer_Release(&view);
  return result;
}

PyObject *bytesio_iternext(PyObject *self) {
  if (!not_lent(self))
    return nullptr;
  return guarded([&]() -> PyObject * {
    const auto line = of(self).buf.readline_view();
    return line.empty() ? nullptr : bytes_of(line); // NULL, no error: StopIteration
  });
}

PyObject *bytesio_seek(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs < 1 || nargs > 2) {
    PyErr_Format(PyExc_TypeError, "seek expected 1 or 2 arguments, got %zd", nargs);
    return nullptr;
  }
  Py_ssize_t pos = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
  if (pos == -1 && PyErr_Occurred())
    return nullptr;
  int whence = 0;
  if (nargs == 2) {
    const long w = PyLong_AsLong(args[1]);
    if (w == -1 && PyErr_Occurred())
      return nullptr;
    whence = w < 0 || w > 2 ? -1 : static_cast<int>(w);
  }
  auto &buf = of(self).buf;
  if (buf.closed())
    return closed_error();
  if (whence < 0) {
    PyErr_Format(PyExc_ValueError, "invalid whence (%R, should be 0, 1 or 2)", args[1]);
    return nullptr;
  }
  if (pos < 0 && whence == 0) {
    PyErr_Format(PyExc_ValueError, "negative seek value %zd", pos);
    return nullptr;
  }
  return guarded([&] {
    static constexpr std::ios_base::seekdir dirs[] = {std::ios_base::beg, std::ios_base::cur,
                                                      std::ios_base::end};
    return PyLong_FromUnsignedLongLong(buf.seek(pos, dirs[whence]));
  });
}

PyObject *bytesio_tell(PyObject *self, PyObject *) {
  return guarded([&] { return PyLong_FromUnsignedLongLong(of(self).buf.tell()); });
}

PyObject *bytesio_truncate(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs > 1) {
    PyErr_Format(PyExc_TypeError, "truncate expected at most 1 argument, got %zd", nargs);
    return nullptr;
  }
  auto &buf = of(self).buf;
  if (buf.closed())
    return closed_error();
  Py_ssize_t size = -1;
  bool given = nargs == 1 && args[0] != Py_None;
  if (given) {
    if (!size_argument(args[0], size))
      return nullptr;
    if (size < 0) {
      // CPython reports a pinned buffer before a bad size; an empty write
      // changes nothing and throws exactly when the buffer is pinned.
      if (guarded([&] { return buf.write(std::span<const std::byte>()), Py_None; }) == nullptr)
        return nullptr;
      PyErr_Format(PyExc_ValueError, "negative size value %zd", size);
      return nullptr;
    }
  }
  return guarded([&] {
    return PyLong_FromUnsignedLongLong(given ? buf.truncate(static_cast<std::uint64_t>(size))
                                             : buf.truncate());
  });
}

PyObject *bytesio_getvalue(PyObject *self, PyObject *) {
  return guarded([&] {
    auto &buf = of(self).buf;
    if (buf.closed())
      return closed_error();
    return bytes_of(buf.view());
  });
}

PyObject *bytesio_getbuffer(PyObject *self, PyObject *) {
  if (of(self).buf.closed())
    return closed_error();
  auto *e = PyObject_GC_New(exporter, exporter_type);
  if (e == nullptr)
    return nullptr;
  e->source = Py_NewRef(self);
  PyObject_GC_Track(e);
  PyObject *view = PyMemoryView_FromObject(reinterpret_cast<PyObject *>(e));
  Py_DECREF(e);
  return view;
}

PyObject *bytesio_close(PyObject *self, PyObject *) {
  return guarded([&] {
    of(self).buf.close();
    Py_RETURN_NONE;
  });
}

/** flush, readable, writable, seekable, isatty: ValueError once closed. */
template <PyObject *Answer()>
PyObject *if_open(PyObject *self, PyObject *) {
  if (of(self).buf.closed())
    return closed_error();
  return Answer();
}
PyObject *answer_none() { Py_RETURN_NONE; }
PyObject *answer_true() { Py_RETURN_TRUE; }
PyObject *answer_false() { Py_RETURN_FALSE; }

PyObject *bytesio_closed(PyObject *self, void *) { return PyBool_FromLong(of(self).buf.closed()); }

PyObject *bytesio_getstate(PyObject *self, PyObject *) {
  auto &buf = of(self).buf;
  if (buf.closed())
    return closed_error();
  PyObject *value = bytes_of(buf.view());
  if (value == nullptr)
    return nullptr;
  PyObject *dict = PyObject_GenericGetDict(self, nullptr);
  PyObject *state = nullptr;
  if (dict != nullptr) {
    PyObject *copy = PyDict_GET_SIZE(dict) == 0 ? Py_NewRef(Py_None) : PyDict_Copy(dict);
    if (copy != nullptr)
      state = Py_BuildValue("(NKN)", value, static_cast<unsigned long long>(buf.tell()), copy);
    Py_DECREF(dict);
    if (state != nullptr)
      return state;
  }
  Py_DECREF(value);
  return nullptr;
}

PyObject *bytesio_setstate(PyObject *self, PyObject *state) {
  if (!PyTuple_Check(state) || PyTuple_GET_SIZE(state) < 3) {
    PyErr_Format(PyExc_TypeError, "%.200s.__setstate__ argument should be 3-tuple, got %.200s",
                 Py_TYPE(self)->tp_name, Py_TYPE(state)->tp_name);
    return nullptr;
  }
  auto &buf = of(self).buf;
  if (buf.closed())
    return closed_error();
  PyObject *value = PyTuple_GET_ITEM(state, 0), *pos_item = PyTuple_GET_ITEM(state, 1),
           *dict = PyTuple_GET_ITEM(state, 2);
  if (PyUnicode_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "a bytes-like object is required, not 'str'");
    return nullptr;
  }
  if (!PyLong_Check(pos_item)) {
    PyErr_Format(PyExc_TypeError, "second item of state must be an integer, not %.200s",
                 Py_TYPE(pos_item)->tp_name);
    return nullptr;
  }
  const Py_ssize_t pos = PyLong_AsSsize_t(pos_item);
  if (pos == -1 && PyErr_Occurred())
    return nullptr;
  if (pos < 0) {
    PyErr_SetString(PyExc_ValueError, "position value cannot be negative");
    return nullptr;
  }
  if (dict != Py_None && !PyDict_Check(dict)) {
    PyErr_Format(PyExc_TypeError, "third item of state should be a dict, got a %.200s",
                 Py_TYPE(dict)->tp_name);
    return nullptr;
  }
  if (reset(buf, value) != 0)
    return nullptr;
  buf.seek(pos);
  if (dict != Py_None) {
    PyObject *own = PyObject_GenericGetDict(self, nullptr);
    if (own == nullptr)
      return nullptr;
    const int failed = PyDict_Update(own, dict);
    Py_DECREF(own);
    if (failed)
      return nullptr;
  }
  Py_RETURN_NONE;
}

PyObject *bytesio_sizeof(PyObject *self, PyObject *) {
  const auto &buf = of(self).buf;
  return PyLong_FromSize_t(static_cast<std::size_t>(Py_TYPE(self)->tp_basicsize) +
                           (buf.closed() ? 0 : buf.capacity()));
}

PyMethodDef bytesio_methods[] = {
    {"write", unlent<bytesio_write>, METH_O, "Write bytes at the position; returns the count."},
    {"read", fastcall<bytesio_read>(), METH_FASTCALL, "Read at most size bytes (all by default)."},
    {"read1", fastcall<bytesio_read>(), METH_FASTCALL, "As read()."},
    {"readline", fastcall<bytesio_readline>(), METH_FASTCALL,
     "Next line, with its newline; at most size bytes."},
    {"readlines", fastcall<bytesio_readlines>(), METH_FASTCALL,
     "List of lines, until their total length reaches the hint."},
    {"readinto", unlent<bytesio_readinto>, METH_O,
     "Read into a writable buffer; returns the count."},
    {"readinto1", unlent<bytesio_readinto>, METH_O, "As readinto()."},
    {"seek", fastcall<bytesio_seek>(), METH_FASTCALL, "Change the position; returns it."},
    {"tell", unlent<bytesio_tell>, METH_NOARGS, "The position."},
    {"truncate", fastcall<bytesio_truncate>(), METH_FASTCALL,
     "Cut the contents to size (the position by default)."},
    {"getvalue", unlent<bytesio_getvalue>, METH_NOARGS, "The whole contents, as bytes."},
    {"getbuffer", unlent<bytesio_getbuffer>, METH_NOARGS,
     "A read-write memoryview of the contents; the size is pinned while it lives."},
    {"close", unlent<bytesio_close>, METH_NOARGS, "Free the memory; later calls raise ValueError."},
    {"flush", unlent<if_open<answer_none>>, METH_NOARGS, "Does nothing."},
    {"readable", unlent<if_open<answer_true>>, METH_NOARGS, "True."},
    {"writable", unlent<if_open<answer_true>>, METH_NOARGS, "True."},
    {"seekable", unlent<if_open<answer_true>>, METH_NOARGS, "True."},
    {"isatty", unlent<if_open<answer_false>>, METH_NOARGS, "False."},
    {"__getstate__", unlent<bytesio_getstate>, METH_NOARGS, nullptr},
    {"__setstate__", unlent<bytesio_setstate>, METH_O, nullptr},
    {"__sizeof__", unlent<bytesio_sizeof>, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef bytesio_getset[] = {
    {"closed", bytesio_closed, nullptr, "True if the file is closed.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

// ---- lending to python.hpp's casters (detail/python_lending.hpp) --------------

bytes_buf *lend(PyObject *self) {
  auto &f = of(self);
  if (f.lent != 0 || f.buf.closed())
    return nullptr;
  try {
    f.buf.write(std::span<const std::byte>()); // throws if a getbuffer() view pins it
  } catch (const std::exception &) {
    return nullptr;
  }
  ++f.lent;
  Py_INCREF(self);
  return &f.buf;
}

void give_back(PyObject *self) {
  --of(self).lent;
  Py_DECREF(self);
}

bytesio::python::detail::lending_api lending{};

PyObject *make_bytesio_type(PyObject *module, PyObject *base) {
  auto *base_type = reinterpret_cast<PyTypeObject *>(base);
  constexpr auto align = static_cast<Py_ssize_t>(alignof(fields));
  fields_offset = (base_type->tp_basicsize + align - 1) / align * align;
  static PyType_Slot slots[] = {
      {Py_tp_doc,
       const_cast<char *>("BytesIO(initial_bytes=b'')\n--\n\n"
                          "io.BytesIO over a bytesio::bytes_buf: a binary stream in memory.")},
      {Py_tp_new, reinterpret_cast<void *>(bytesio_new)},
      {Py_tp_init, reinterpret_cast<void *>(bytesio_init)},
      {Py_tp_dealloc, reinterpret_cast<void *>(bytesio_dealloc)},
      {Py_tp_traverse, reinterpret_cast<void *>(bytesio_traverse)},
      {Py_tp_clear, reinterpret_cast<void *>(bytesio_clear)},
      {Py_tp_iternext, reinterpret_cast<void *>(bytesio_iternext)},
      {Py_tp_methods, bytesio_methods},
      {Py_tp_getset, bytesio_getset},
      {0, nullptr},
  };
  static PyType_Spec spec = {"bytesio.BytesIO", 0, 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC, slots};
  spec.basicsize = static_cast<int>(fields_offset + static_cast<Py_ssize_t>(sizeof(fields)));
  return PyType_FromModuleAndSpec(module, &spec, base);
}

int exec_module(PyObject *module) {
  PyObject *io = PyImport_ImportModule("_io");
  if (io == nullptr)
    return -1;
  PyObject *base = PyObject_GetAttrString(io, "_BufferedIOBase");
  Py_DECREF(io);
  if (base == nullptr)
    return -1;
  PyObject *type = make_bytesio_type(module, base);
  Py_DECREF(base);
  if (type == nullptr)
    return -1;
  exporter_type = reinterpret_cast<PyTypeObject *>(PyType_FromSpec(&exporter_spec));
  using bytesio::python::detail::lending_api;
  lending = {lending_api::current_version, sizeof(bytes_buf),
             reinterpret_cast<PyTypeObject *>(type), lend, give_back};
  PyObject *capsule = PyCapsule_New(&lending, lending_api::capsule_name, nullptr);
  if (capsule == nullptr || PyModule_AddObject(module, "_lending_api", capsule) != 0) {
    Py_XDECREF(capsule);
    Py_DECREF(type);
    return -1;
  }
  if (exporter_type == nullptr || PyModule_AddObjectRef(module, "BytesIO", type) != 0) {
    Py_DECREF(type);
    return -1;
  }
  // isinstance(x, io.BufferedIOBase), as CPython registers its own BytesIO.
  PyObject *io_module = PyImport_ImportModule("io");
  PyObject *abc =
      io_module == nullptr ? nullptr : PyObject_GetAttrString(io_module, "BufferedIOBase");
  PyObject *registered = abc == nullptr ? nullptr : PyObject_CallMethod(abc, "register", "O", type);
  Py_XDECREF(abc);
  Py_XDECREF(io_module);
  Py_DECREF(type);
  if (registered == nullptr)
    return -1;
  Py_DECREF(registered);
  return 0;
}

PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, reinterpret_cast<void *>(exec_module)},
    {0, nullptr},
};

PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "bytesio",
    "bytesio: io.BytesIO over bytesio::bytes_buf (C++).",
    0,
    nullptr,
    module_slots,
    nullptr,
    nullptr,
    nullptr,
};

} // namespace

PyMODINIT_FUNC PyInit_bytesio() { return PyModuleDef_Init(&module_def); }
