// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_PYTHON_HPP
#define BYTESIO_PYTHON_HPP

// C++ stream code called with Python file objects, for pybind11 bindings.
//
//   #include <bytesio/python.hpp>
//   void save(const mesh &m, std::ostream &out);
//   PYBIND11_MODULE(meshes, m) { m.def("save", &save); }
//
//   >>> meshes.save(m, io.BytesIO())   # or open(...), gzip.GzipFile, ...
//
// Header-only; needs pybind11 and Python's headers. `python::file_buf` is a
// `std::streambuf` over any Python binary file object, and the type casters
// at the end let a bound function take `std::ostream&`, `std::istream&` or
// `std::iostream&` directly.

#include <pybind11/pybind11.h>

#include "bytesio/detail/python_lending.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <ios>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <utility>

namespace bytesio::python {

/**
 * The `std::ios_base::failure` a `file_buf` throws when the Python file
 * object raised: it carries that Python exception, which the casters below
 * raise again, as itself, when the bound call returns to Python.
 */
class file_error : public std::ios_base::failure {
public:
  explicit file_error(pybind11::error_already_set error)
      : std::ios_base::failure(error.what()),
        error_(std::make_shared<pybind11::error_already_set>(std::move(error))) {}

  /** The Python exception. */
  const pybind11::error_already_set &python_error() const noexcept { return *error_; }

private:
  std::shared_ptr<pybind11::error_already_set> error_; // copyable, as exceptions must be
};

/**
 * A `std::streambuf` over a Python binary file object: anything with
 * `readinto` or `read` (the reading half), `write` (the writing half), and
 * `seek`/`tell` (positioning) and `flush` where it has them.
 *
 * - Buffered: one buffer of `buffer_size` bytes (64 KiB by default), the get
 *   area while reading and the put area while writing. Reads go through
 *   `readinto1` (or `readinto`) straight into it, through `read1` (or
 *   `read`) and one copy where the object has neither; the "1" variants so
 *   that a buffered pipe or socket returns what has arrived instead of
 *   blocking until the whole buffer is filled; a write hands Python a `memoryview` of the put area,
 *   never a `bytes` copy, and a `memoryview` of the caller's own bytes for a
 *   write at least as long as the buffer. The views are released when the
 *   call returns or raises, so a file object that keeps one gets
 *   `ValueError` on use, not bytes that changed under it. (A slice or a
 *   view of the view that it keeps outlives the release, as with Python's
 *   own buffered files: like them, this relies on the io rule that `write`
 *   and `readinto` keep nothing of what they are given.)
 * - One position, as the Python object has: after `pubsync`, and after any
 *   seek, the object's `tell()` is the stream's position. Bytes read ahead
 *   are given back (`seek(-n, SEEK_CUR)`) when the stream seeks, syncs or
 *   starts writing; pending output is written before any read or seek. On a
 *   non-seekable object (a pipe, a socket) reading and writing are two
 *   independent streams, each with its own buffer (what was read ahead
 *   stays readable after a write), and seeking fails (`pos_type(-1)`, so
 *   `failbit`).
 * - The GIL: every virtual that calls Python takes the GIL for that call
 *   only, so the C++ code may run without it (`py::call_guard<
 *   py::gil_scoped_release>`) and other Python threads run meanwhile. The
 *   object itself is not locked: one `file_buf` is used by one thread at a
 *   time, as any `std::streambuf`.
 * - Errors: a Python exception raised by the file object becomes a
 *   `file_error` (a `std::ios_base::failure`, so the stream sets `badbit`)
 *   carrying its message; `error()` keeps the first one. `write` returning
 *   fewer bytes than given is called again for the rest. A file object that
 *   breaks the protocol fails the same way, with the exception Python's own
 *   buffered files raise for it: `write` or `readinto` returning `None` (a
 *   non-blocking file that is not ready) is a `BlockingIOError`, a count out
 *   of range an `OSError`, never a silent loss.
 *
 * The destructor writes what is pending (errors are dropped: call
 * `pubsync()` first to see them).
 */
class file_buf : public std::streambuf {
public:
  /** The buffer size when none is given. */
  static constexpr std::size_t default_buffer_size = 64 * 1024;

  /**
   * Wraps `file`. Holds the GIL while it looks at the object's methods.
   * @throws pybind11::type_error if `file` has neither `read`/`readinto` nor
   *   `write`; std::invalid_argument if `buffer_size` is 0.
   */
  explicit file_buf(pybind11::object file, std::size_t buffer_size = default_buffer_size)
      : size_(buffer_size) {
    if (buffer_size == 0)
      throw std::invalid_argument("bytesio::python::file_buf: the buffer size must not be 0");
    pybind11::gil_scoped_acquire gil;
    // The "1" variants return what one read of the object gives: a
    // BufferedReader's readinto would block on a pipe or a socket until the
    // whole buffer came, where the stream needs only the next bytes.
    readinto_ = attribute(file, "readinto1");
    if (!readinto_)
      readinto_ = attribute(file, "readinto");
    read_ = attribute(file, "read1");
    if (!read_)
      read_ = attribute(file, "read");
    write_ = attribute(file, "write");
    if (!readinto_ && !read_ && !write_)
      throw pybind11::type_error(describe(file) +
                                 " is not a file: it has no read, readinto or write");
    seek_ = attribute(file, "seek");
    tell_ = attribute(file, "tell");
    flush_ = attribute(file, "flush");
    seekable_ = seek_ && tell_;
    if (seekable_) {
      if (auto seekable = attribute(file, "seekable")) {
        try {
          seekable_ = seekable().cast<bool>();
        } catch (pybind11::error_already_set &) {
          seekable_ = false; // a closed file says so by raising; seeks will fail
        }
      }
    }
    file_ = std::move(file);
    buffer_ = std::make_unique<char[]>(size_);
  }

  ~file_buf() override {
    if (!Py_IsInitialized())
      return; // the interpreter is gone: nothing can be written any more
    try {
      write_pending();
    } catch (...) {
    }
    pybind11::gil_scoped_acquire gil;
    file_ = {};
    readinto_ = read_ = write_ = seek_ = tell_ = flush_ = {};
    error_.reset();
  }

  file_buf(const file_buf &) = delete;
  file_buf &operator=(const file_buf &) = delete;

  /** The Python file object. */
  const pybind11::object &file() const noexcept { return file_; }

  /** Whether the object can be read (it has `readinto` or `read`). */
  bool readable() const noexcept { return readinto_ || read_; }

  /** Whether the object can be written (it has `write`). */
  bool writable() const noexcept { return bool(write_); }

  /** Whether the object can seek (`seek`, `tell` and, where it has it, `seekable()` true). */
  bool seekable() const noexcept { return seekable_; }

  /** The first Python exception the file object raised, if any. */
  const std::optional<file_error> &error() const noexcept { return error_; }

protected:
  int_type overflow(int_type ch) override {
    if (!write_)
      return traits_type::eof();
    start_writing();
    if (pptr() == epptr())
      write_pending();
    if (traits_type::eq_int_type(ch, traits_type::eof()))
      return traits_type::not_eof(ch);
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
    return ch;
  }

  std::streamsize xsputn(const char_type *s, std::streamsize count) override {
    if (!write_ || count <= 0)
      return 0;
    start_writing();
    auto n = static_cast<std::size_t>(count);
    const auto room = static_cast<std::size_t>(epptr() - pptr());
    if (n < room) { // the common case: it fits
      std::memcpy(pptr(), s, n);
      pbump(static_cast<int>(n));
      return count;
    }
    if (n < size_) { // fill the buffer, write it, keep the rest
      std::memcpy(pptr(), s, room);
      pbump(static_cast<int>(room));
      write_pending();
      std::memcpy(pptr(), s + room, n - room);
      pbump(static_cast<int>(n - room));
      return count;
    }
    write_pending(); // a long write: Python reads the caller's bytes in place
    write_all(s, n);
    return count;
  }

  int_type underflow() override {
    if (gptr() < egptr())
      return traits_type::to_int_type(*gptr());
    if (!readable())
      return traits_type::eof();
    start_reading();
    const std::size_t n = read_some(buffer_.get(), size_);
    setg(buffer_.get(), buffer_.get(), buffer_.get() + n);
    return n == 0 ? traits_type::eof() : traits_type::to_int_type(*gptr());
  }

  std::streamsize xsgetn(char_type *s, std::streamsize count) override {
    if (count <= 0)
      return 0;
    auto want = static_cast<std::size_t>(count);
    std::size_t done = std::min(want, static_cast<std::size_t>(egptr() - gptr()));
    if (done > 0) { // no get area at all: gptr() is null
      std::memcpy(s, gptr(), done);
      gbump(static_cast<int>(done));
    }
    if (done == want || !readable())
      return static_cast<std::streamsize>(done);
    start_reading();
    // What is left of a long read goes straight into the caller's memory.
    // The spent get area goes; it keeps only the last byte read, so that a
    // putback (unget) gives that byte, not one of the old buffer.
    if (want - done >= size_) {
      setg(buffer_.get(), buffer_.get(), buffer_.get());
      std::size_t n = 0;
      while (want - done >= size_ && (n = read_some(s + done, want - done)) != 0)
        done += n;
      if (done > 0) {
        buffer_[0] = s[done - 1];
        setg(buffer_.get(), buffer_.get() + 1, buffer_.get() + 1);
      }
      if (n == 0)
        return static_cast<std::streamsize>(done);
    }
    while (done < want && !traits_type::eq_int_type(underflow(), traits_type::eof())) {
      const std::size_t n = std::min(want - done, static_cast<std::size_t>(egptr() - gptr()));
      std::memcpy(s + done, gptr(), n);
      gbump(static_cast<int>(n));
      done += n;
    }
    return static_cast<std::streamsize>(done);
  }

  pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                   std::ios_base::openmode = std::ios_base::in | std::ios_base::out) override {
    if (!seekable_)
      return pos_type(off_type(-1));
    int whence = dir == std::ios_base::beg ? 0 : dir == std::ios_base::cur ? 1 : 2;
    if (dir != std::ios_base::beg && dir != std::ios_base::cur && dir != std::ios_base::end)
      return pos_type(off_type(-1));
    write_pending();
    const auto unread = static_cast<off_type>(egptr() - gptr());
    pybind11::gil_scoped_acquire gil;
    if (whence == 1 && off == 0) // tellg/tellp: the read-ahead stays
      return pos_type(call_python([&] { return tell_(); }).cast<off_type>() - unread);
    if (whence == 1)
      off -= unread;
    setg(nullptr, nullptr, nullptr);
    auto result = call_python([&] { return seek_(off, whence); });
    if (result.is_none()) // not every file object returns the new position
      result = call_python([&] { return tell_(); });
    return pos_type(result.cast<off_type>());
  }

  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override {
    return seekoff(off_type(pos), std::ios_base::beg, which);
  }

  int sync() override {
    if (pbase() != nullptr) {
      write_pending();
      if (flush_) {
        pybind11::gil_scoped_acquire gil;
        call_python([&] { return flush_(); });
      }
    } else {
      give_back_read_ahead();
    }
    return 0;
  }

private:
  static pybind11::object attribute(const pybind11::object &o, const char *name) {
    return pybind11::hasattr(o, name) ? o.attr(name) : pybind11::object();
  }

  static std::string describe(const pybind11::handle &o) {
    return "a '" +
           pybind11::str(pybind11::type::handle_of(o).attr("__name__")).cast<std::string>() +
           "' object";
  }

  /** A view of our memory lent to one Python call: released however the call ends. */
  class lent_view {
  public:
    lent_view(char *p, std::size_t n, int flags) {
      PyObject *view = PyMemoryView_FromMemory(p, static_cast<Py_ssize_t>(n), flags);
      if (view == nullptr)
        throw pybind11::error_already_set();
      view_ = pybind11::reinterpret_steal<pybind11::object>(view);
    }
    ~lent_view() {
      PyObject *r = PyObject_CallMethod(view_.ptr(), "release", nullptr);
      if (r == nullptr)
        PyErr_Clear(); // a view of the view is alive: nothing more we can do
      Py_XDECREF(r);
    }
    lent_view(const lent_view &) = delete;
    lent_view &operator=(const lent_view &) = delete;
    const pybind11::object &get() const noexcept { return view_; }

  private:
    pybind11::object view_;
  };

  /** Calls Python (the GIL held); a Python exception becomes a `file_error`. */
  template <class F>
  pybind11::object call_python(F &&f) {
    try {
      return f();
    } catch (pybind11::error_already_set &e) {
      fail(file_error(std::move(e)));
    }
  }

  [[noreturn]] void fail(file_error e) {
    if (!error_)
      error_.emplace(e);
    throw e;
  }

  /** The file object broke the io protocol: the Python exception io raises for it (GIL held). */
  [[noreturn]] void fail(PyObject *type, const std::string &what) {
    PyErr_SetString(type, what.c_str());
    fail(file_error(pybind11::error_already_set()));
  }

  /** `None` from `method`: a non-blocking file that is not ready (GIL held). */
  void check_ready(const pybind11::object &result, const char *method) {
    if (result.is_none())
      fail(PyExc_BlockingIOError,
           std::string(method) + " returned None: the file is non-blocking and not ready");
  }

  /** The count `method` returned for `asked` bytes (GIL held). */
  std::size_t count_of(const pybind11::object &result, const char *method, std::size_t asked) {
    check_ready(result, method);
    const Py_ssize_t n = PyNumber_AsSsize_t(result.ptr(), PyExc_ValueError);
    if (n == -1 && PyErr_Occurred())
      fail(file_error(pybind11::error_already_set()));
    if (n < 0 || static_cast<std::size_t>(n) > asked)
      fail(PyExc_OSError, std::string(method) + " returned " + std::to_string(n) +
                              " (should have been between 0 and " + std::to_string(asked) + ")");
    return static_cast<std::size_t>(n);
  }

  /**
   * Leaves reading for writing: the read-ahead goes back to the object. A
   * non-seekable one cannot take it back: it stays in the get area, and
   * writes go through a buffer of their own.
   */
  void start_writing() {
    if (pbase() != nullptr)
      return;
    if (!seekable_) {
      if (!put_buffer_)
        put_buffer_ = std::make_unique<char[]>(size_);
      setp(put_buffer_.get(), put_buffer_.get() + size_);
      return;
    }
    give_back_read_ahead();
    setg(nullptr, nullptr, nullptr);
    setp(buffer_.get(), buffer_.get() + size_);
  }

  /**
   * Leaves writing for reading: the pending bytes are written first (a
   * request reaches a socket before its reply is awaited). A non-seekable
   * object keeps its put area, empty.
   */
  void start_reading() {
    if (pbase() == nullptr)
      return;
    write_pending();
    if (seekable_)
      setp(nullptr, nullptr);
  }

  void give_back_read_ahead() {
    const auto unread = static_cast<off_type>(egptr() - gptr());
    if (unread == 0 || !seekable_)
      return; // a stream without positions keeps what it read ahead
    pybind11::gil_scoped_acquire gil;
    call_python([&] { return seek_(-unread, 1); });
    setg(nullptr, nullptr, nullptr);
  }

  /** Writes the put area; it is empty afterwards, even when this throws. */
  void write_pending() {
    if (pbase() == nullptr || pptr() == pbase())
      return;
    char *const base = pbase();
    const auto n = static_cast<std::size_t>(pptr() - base);
    setp(base, base + size_);
    write_all(base, n);
  }

  /** Hands `p[0, n)` to `write` as memoryviews until it took all of it. */
  void write_all(const char *p, std::size_t n) {
    pybind11::gil_scoped_acquire gil;
    for (std::size_t done = 0; done < n;) {
      pybind11::object result;
      {
        const lent_view view(const_cast<char *>(p + done), n - done, PyBUF_READ);
        result = call_python([&] { return write_(view.get()); });
      }
      const std::size_t wrote = count_of(result, "write", n - done);
      if (wrote == 0) // it would be called again for ever
        fail(PyExc_OSError, "write returned 0 for " + std::to_string(n - done) + " bytes");
      done += wrote;
    }
  }

  /** Reads at most `n` bytes into `p`: 0 at the end. */
  std::size_t read_some(char *p, std::size_t n) {
    pybind11::gil_scoped_acquire gil;
    if (readinto_) {
      pybind11::object result;
      {
        const lent_view view(p, n, PyBUF_WRITE);
        result = call_python([&] { return readinto_(view.get()); });
      }
      return count_of(result, "readinto", n);
    }
    auto result = call_python([&] { return read_(n); });
    check_ready(result, "read");
    Py_buffer view;
    if (PyObject_GetBuffer(result.ptr(), &view, PyBUF_SIMPLE) != 0)
      fail(file_error(pybind11::error_already_set()));
    const auto got = static_cast<std::size_t>(view.len);
    if (got <= n)
      std::memcpy(p, view.buf, got);
    PyBuffer_Release(&view);
    if (got > n)
      fail(PyExc_OSError,
           "read returned " + std::to_string(got) + " bytes for " + std::to_string(n));
    return got;
  }

  pybind11::object file_, readinto_, read_, write_, seek_, tell_, flush_;
  bool seekable_ = false;
  std::size_t size_;
  std::unique_ptr<char[]> buffer_;     // the get area, and the put area of a seekable object
  std::unique_ptr<char[]> put_buffer_; // the put area of a non-seekable one
  std::optional<file_error> error_;
};

} // namespace bytesio::python

namespace pybind11::detail {

/**
 * The caster behind `std::ostream&`, `std::istream&` and `std::iostream&`
 * arguments of bound functions: a `file_buf` over the Python object, the
 * stream flushed before the call returns, and a Python exception the file
 * object raised during the call raised again, as itself, in Python (also
 * when the C++ code only saw `badbit`). An object without the methods the
 * stream needs is a `TypeError` naming the missing one, before the function
 * runs.
 *
 * A `bytesio.BytesIO` (the `bytesio` module's, when that module is imported
 * and built from the same bytesio), or a subclass of it that overrides none
 * of its I/O methods, is lent instead: the stream is its
 * `bytes_buf` itself, with no Python call per write, and until the call
 * returns the object's own methods raise `BufferError` (the call may run
 * without the GIL). One that is closed or pinned by a `getbuffer()` view
 * goes through `file_buf` like any file, so Python raises its usual error.
 */
template <class Stream, bool Reads, bool Writes>
class bytesio_stream_caster {
public:
  static constexpr auto name = const_name("typing.BinaryIO");
  template <class>
  using cast_op_type = Stream &;

  bool load(handle src, bool convert) {
    if (!src || src.is_none())
      return false;
    // A bytesio.BytesIO: its bytes_buf itself, no Python call per write.
    if (const auto *api = bytesio::python::detail::lending_api::find();
        api != nullptr && lendable(src, api->type)) {
      if (bytesio::bytes_buf *buf = api->lend(src.ptr())) {
        lent_ = src.ptr();
        api_ = api;
        stream_ = std::make_unique<Stream>(buf);
        return true;
      }
    }
    const bool reads = hasattr(src, "readinto") || hasattr(src, "read");
    const bool writes = hasattr(src, "write");
    if ((Reads && !reads) || (Writes && !writes)) {
      if (!convert)
        return false; // the first overload pass; the second one says why
      throw type_error("expected a binary file object with " +
                       std::string(Reads && Writes ? "read (or readinto) and write"
                                   : Reads         ? "read (or readinto)"
                                                   : "write") +
                       ", got a '" +
                       str(type::handle_of(src).attr("__name__")).template cast<std::string>() +
                       "' object");
    }
    register_translator();
    buf_ = std::make_unique<bytesio::python::file_buf>(reinterpret_borrow<object>(src));
    stream_ = std::make_unique<Stream>(buf_.get());
    uncaught_ = std::uncaught_exceptions();
    return true;
  }

  operator Stream &() { return *stream_; }

  bytesio_stream_caster() = default;
  bytesio_stream_caster(const bytesio_stream_caster &) = delete;
  bytesio_stream_caster &operator=(const bytesio_stream_caster &) = delete;

  /**
   * After the call: flushes, and raises the file object's exception if the
   * call returned normally (while another exception unwinds, that one wins).
   */
  ~bytesio_stream_caster() noexcept(false) {
    if (api_ != nullptr) {
      stream_.reset();
      api_->give_back(lent_); // its Python methods work again
      return;
    }
    if (!stream_)
      return;
    try {
      // Not stream_->flush(), which does nothing once the stream failed:
      // the pending bytes and the position are owed to Python all the same.
      buf_->pubsync();
    } catch (...) {
    }
    const bool unwinding = std::uncaught_exceptions() > uncaught_;
    if (buf_->error() && !unwinding) {
      error_already_set error = buf_->error()->python_error();
      stream_.reset();
      buf_.reset();
      throw error;
    }
  }

private:
  /**
   * A `bytesio.BytesIO`, or a subclass that keeps its I/O methods: one that
   * overrides `write` (say, to count) must see its override called.
   */
  static bool lendable(handle src, PyTypeObject *type) {
    if (Py_TYPE(src.ptr()) == type)
      return true;
    if (!PyObject_TypeCheck(src.ptr(), type))
      return false;
    const handle base(reinterpret_cast<PyObject *>(type));
    const handle derived(reinterpret_cast<PyObject *>(Py_TYPE(src.ptr())));
    for (const char *name : {"write", "read", "read1", "readinto", "readinto1", "readline", "seek",
                             "tell", "truncate", "flush"})
      if (!derived.attr(name).is(base.attr(name)))
        return false;
    return true;
  }

  /** A `file_error` escaping the call is raised in Python as the original exception. */
  static void register_translator() {
    static const bool once = [] {
      register_local_exception_translator([](std::exception_ptr p) {
        try {
          if (p)
            std::rethrow_exception(p);
        } catch (const bytesio::python::file_error &e) {
          error_already_set copy = e.python_error();
          copy.restore();
        }
      });
      return true;
    }();
    (void)once;
  }

  std::unique_ptr<bytesio::python::file_buf> buf_;
  std::unique_ptr<Stream> stream_;
  int uncaught_ = 0;
  const bytesio::python::detail::lending_api *api_ = nullptr; // set when a BytesIO is lent
  PyObject *lent_ = nullptr;
};

template <>
class type_caster<std::ostream> : public bytesio_stream_caster<std::ostream, false, true> {};
template <>
class type_caster<std::istream> : public bytesio_stream_caster<std::istream, true, false> {};
template <>
class type_caster<std::iostream> : public bytesio_stream_caster<std::iostream, true, true> {};

} // namespace pybind11::detail

#endif
