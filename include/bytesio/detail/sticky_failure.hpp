// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_STICKY_FAILURE_HPP
#define BYTESIO_DETAIL_STICKY_FAILURE_HPP

// The "sticky filter failures" rule of DESIGN.md, written once for every
// bytesio filter; the filter shell (filter_shell.hpp) is its one user.
//
// Why a filter needs it: Boost.Iostreams' chain swallows what a filter throws
// from `write` during `sync()` (flush, and the sync before every close), then
// offers the same bytes again and finally calls `close`. A filter that kept
// no failed state would decode those bytes twice, count their offsets twice,
// or forget the error and finish the stream as if nothing had happened.
//
// The protocol, as the shell runs it, holding one `sticky_failure` next to
// the rest of its per-stream state:
//
//     read / write:       return failure_.guard([&] { ... the work ... });
//     the closing call:   failure_.close([&] { ... finish the stream ... });
//                         (and reset the per-stream state however it leaves)
//     any other close:    failure_.rethrow_if_failed();
//
// "The closing call" is the close that ends the stream in the direction the
// filter was used in: `close(sink, out)` after writes, `close(source, in)`
// after reads (or, with nothing read or written, the close of an empty
// stream: the shell's class comment has the rule).
// Boost's chains, `compose` and `copy` make exactly that call once per
// stream, whatever threw before; so the first failure is thrown by the call
// that met it, by every later `read`/`write`, by a `close` of the other
// direction, and one last time by the closing call, which then clears it:
// that is "until the filter is reset for a new stream".

#include <exception>
#include <type_traits>
#include <utility>

namespace bytesio::detail {

/**
 * The first exception a filter met in the current stream, kept and rethrown
 * until the stream is closed.
 *
 * Holds a `std::exception_ptr`, so the very exception object is thrown again
 * (same type, same `code()`, same `what()`), whatever it was: a decoding
 * error, a sink's `size_limit`, `std::bad_alloc`. Any exception counts:
 * after one, the filter's state is not known to be consistent.
 *
 * Copies share the stored exception object (an `exception_ptr` copy); a
 * filter whose copies share their state keeps this in that shared state.
 * Not thread-safe, like the filters themselves.
 */
class sticky_failure {
public:
  /** True once an exception was stored and until `clear()`. */
  bool failed() const noexcept { return static_cast<bool>(error_); }

  /** The stored exception, or null. */
  const std::exception_ptr &error() const noexcept { return error_; }

  /** Throws the stored exception, if any. @throws the stored exception */
  void rethrow_if_failed() const {
    if (error_)
      std::rethrow_exception(error_);
  }

  /**
   * Runs `f()` unless failed. What `f` throws is stored (if it is the first)
   * and propagates.
   * @return what `f()` returns.
   * @throws the stored exception without running `f`, or what `f` throws.
   */
  template <class F>
  std::invoke_result_t<F &> guard(F &&f) {
    rethrow_if_failed();
    try {
      return f();
    } catch (...) {
      if (!error_)
        error_ = std::current_exception();
      throw;
    }
  }

  /**
   * The call that ends the stream: throws the stored exception if any (`f`
   * is not run), else runs `f` (the finishing work), and in every case
   * leaves the failure cleared, so the next use starts a new stream.
   * @throws the stored exception, or what `f` throws (not stored).
   */
  template <class F>
  void close(F &&f) {
    struct clear_on_exit {
      sticky_failure &self;
      ~clear_on_exit() { self.clear(); }
    } clear{*this};
    rethrow_if_failed();
    f();
  }

  /** Forgets the stored exception. */
  void clear() noexcept { error_ = nullptr; }

private:
  std::exception_ptr error_;
};

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_STICKY_FAILURE_HPP
