// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_FILTER_SHELL_HPP
#define BYTESIO_DETAIL_FILTER_SHELL_HPP

// The Boost.Iostreams filter protocol, written once for every bytesio
// filter: category and buffer size, the multichar read/write loops with
// pending output, the close that ends a stream, sticky failures and the
// reset for the next stream. A filter supplies only its engine
// (filter_engine.hpp); the public filter classes derive from the shell.

#include "bytesio/detail/filter_engine.hpp"
#include "bytesio/detail/sticky_failure.hpp"

#include <boost/iostreams/categories.hpp>

#include <cstddef>
#include <ios>
#include <memory>
#include <type_traits>
#include <utility>

namespace bytesio::detail {

/**
 * The one buffer of a shell around a transforming engine. In output use it
 * holds engine output not yet handed on (`begin` stays 0: a partial write
 * moves the rest down); in input use, input not yet given to the engine:
 *
 *     data           begin          end              data + size
 *     |  done        |  pending     |  free           |
 *
 * A copy copies the pending bytes (filters whose copies have their own state).
 */
struct filter_buffer {
  explicit filter_buffer(std::size_t n);
  /** @throws std::ios_base::failure (`errc::invalid_argument`, naming `who`) if `n <= 0` */
  filter_buffer(std::streamsize n, const char *who);
  filter_buffer(const filter_buffer &other);
  filter_buffer &operator=(const filter_buffer &other);
  filter_buffer(filter_buffer &&) noexcept = default;
  filter_buffer &operator=(filter_buffer &&) noexcept = default;
  ~filter_buffer() = default;

  std::unique_ptr<char[]> data;
  std::size_t size;
  std::size_t begin = 0;
  std::size_t end = 0;
};

/** The state of a filter whose copies share it: copying (and moving) shares. */
template <class T>
class shared_state {
public:
  template <class... Args>
  explicit shared_state(Args &&...args) : p_(std::make_shared<T>(std::forward<Args>(args)...)) {}
  shared_state(const shared_state &) = default;
  shared_state &operator=(const shared_state &) = default;
  ~shared_state() = default;
  T &operator*() const noexcept { return *p_; }

private:
  std::shared_ptr<T> p_;
};

/** The state of a filter whose copies have their own: held by value. */
template <class T>
class own_state {
public:
  template <class... Args>
  explicit own_state(Args &&...args) : value_(std::forward<Args>(args)...) {}
  T &operator*() noexcept { return value_; }
  const T &operator*() const noexcept { return value_; }

private:
  T value_;
};

/**
 * A Boost.Iostreams filter around `Engine`: dual-use, multichar, closable,
 * optimally buffered (the engine's `optimal_buffer_size`).
 *
 * Streams. A stream runs from its first `read`/`write` (which fix the
 * direction) to the close that ends it. The close of the direction in use
 * ends it: `close(out)` after writes, `close(in)` after reads; a chain's
 * `close()`, `reset()` and `pop()` and `compose()`'s close make exactly
 * that call, once. A close with no `read`/`write` since the last end ends
 * an empty stream, in a direction the device can go; a close of the other
 * direction only reports a failure. `boost::iostreams::close(filter,
 * device)` closes `in`, then `out`: with a device that can both read and
 * write, a watching filter takes a `close(out)` right after a `close(in)`
 * that ended a stream for that pair's second half, which ends nothing; a
 * transforming filter's idle `close(out)` always ends an empty output
 * stream (it writes output: an empty gzip member, say).
 *
 * Buffering: in output use a transforming engine's output waits in the
 * shell's buffer until it is full or the stream ends (as in Boost's
 * `symmetric_filter`), so the device sees large writes; in input use the
 * buffer holds input and the engine writes straight into the reader's
 * memory. A watching engine has no buffer: bytes pass where they are.
 *
 * Ending a stream: in output use a transforming engine is flushed to the
 * device (retried until a non-blocking device took all); then the engine's
 * `finish()`; then, however that went, the engine's `close()` and the
 * shell's own state are reset. A watching engine keeps its values until the
 * next stream's `start()`.
 *
 * Failures stick (sticky_failure.hpp): the first exception of a stream is
 * thrown again, the same object, by every later `read`, `write` and close,
 * and nothing more is converted, observed or handed on, until the close
 * that ends the stream has thrown it one last time.
 *
 * Not thread-safe; with `Engine::options.shared`, copies share one state
 * (a chain keeps a copy of what is pushed), else each has its own.
 */
template <class Engine>
class filter_shell {
  static_assert(filter_engine<Engine>, "not a bytesio filter engine (see filter_engine.hpp)");
  static constexpr bool transforms = symmetric_engine<Engine>;

public:
  /** The character type of the filter: bytes as `char`. */
  using char_type = char;

  /** Boost.Iostreams category: dual-use multichar filter, closable, optimally buffered. */
  struct category : boost::iostreams::dual_use,
                    boost::iostreams::filter_tag,
                    boost::iostreams::multichar_tag,
                    boost::iostreams::closable_tag,
                    boost::iostreams::optimally_buffered_tag {};

  /** The buffer a chain gives this filter when `push` names no size. */
  std::streamsize optimal_buffer_size() const noexcept {
    return static_cast<std::streamsize>((*state_).engine.optimal_buffer_size());
  }

  /**
   * Input use: reads from `src`, returns up to `n` bytes at `s`.
   * @return the count (0 only if a non-blocking `src` has nothing now, or a
   *         watching engine stops at a step), -1 at the end of the stream.
   * @throws what the engine or `src` throws; the stored failure.
   */
  template <class Source>
  std::streamsize read(Source &src, char *s, std::streamsize n);

  /**
   * Output use: takes `s[0, n)` and hands the result to `snk`.
   * @return the count of `s` taken (`n` unless a non-blocking `snk` stopped
   *         accepting).
   * @throws what the engine or `snk` throws; the stored failure.
   */
  template <class Sink>
  std::streamsize write(Sink &snk, const char *s, std::streamsize n);

  /**
   * Ends the stream if `which` is the direction in use (see the class comment).
   * @throws the stored failure (the ending close clears it); what finishing
   *         the stream throws (engine or `dev`; not stored).
   */
  template <class Device>
  void close(Device &dev, std::ios_base::openmode which);

protected:
  /** A watching filter. @throws std::bad_alloc */
  explicit filter_shell(Engine engine) requires(!transforms) : state_(std::move(engine)) {}

  /**
   * A transforming filter with a buffer of `buffer_size` bytes.
   * @throws std::ios_base::failure with `errc::invalid_argument` if
   *         `buffer_size <= 0` (the message names `who`); std::bad_alloc.
   */
  filter_shell(Engine engine, std::streamsize buffer_size, const char *who) requires(transforms)
      : state_(std::move(engine), buffer_size, who) {}

  /** The engine (shared by the copies where they share). */
  const Engine &engine() const noexcept { return (*state_).engine; }

private:
  enum class mode : unsigned char { idle, reading, writing };
  struct no_buffer {};

  struct state {
    template <class... Buffer>
    explicit state(Engine &&e, Buffer &&...b)
        : engine(std::move(e)), buf(std::forward<Buffer>(b)...) {}

    Engine engine;
    [[no_unique_address]] std::conditional_t<transforms, filter_buffer, no_buffer> buf;
    mode use = mode::idle;
    bool ended_in = false; // idle since a close(in) ended a stream
    bool eof = false;      // input use: the source reported its end
    sticky_failure failure;
  };

  template <class Device, class Char>
  std::streamsize run(Device &dev, Char *s, std::streamsize n);
  static void begin(state &st, mode m) noexcept;
  static void end(state &st, bool in) noexcept;
  template <class Sink>
  static bool hand_on(filter_buffer &b, Sink &snk);
  template <class Sink>
  static std::streamsize transform_out(state &st, Sink &snk, const char *s, std::streamsize n);
  template <class Source>
  static std::streamsize transform_in(state &st, Source &src, char *s, std::streamsize n);
  template <class Sink>
  static void drain(state &st, Sink &snk);
  template <class Sink>
  static std::streamsize watch_out(state &st, Sink &snk, const char *s, std::streamsize n);
  template <class Source>
  static std::streamsize watch_in(state &st, Source &src, char *s, std::streamsize n);

  std::conditional_t<Engine::options.shared, shared_state<state>, own_state<state>> state_;
};

} // namespace bytesio::detail

#include "bytesio/detail/impl/filter_shell.hpp"

#endif // BYTESIO_DETAIL_FILTER_SHELL_HPP
