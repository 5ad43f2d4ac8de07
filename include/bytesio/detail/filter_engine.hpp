// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_FILTER_ENGINE_HPP
#define BYTESIO_DETAIL_FILTER_ENGINE_HPP

// The seam between the filter shell (filter_shell.hpp: the Boost.Iostreams
// protocol, written once) and an engine (what one filter does to the bytes),
// as concepts the shell static_asserts. Standard library only, so engines
// compiled in src/ see no Boost, and code that is no Boost filter (a
// seekable reader) can drive an engine directly. To add a filter: write an
// engine, then a public class deriving from filter_shell<engine>.

#include <concepts>
#include <cstddef>

namespace bytesio::detail {

/**
 * What an engine declares, as `static constexpr filter_engine_options
 * options{...};`, besides its required hooks. Each optional hook is called
 * only where it is declared and must exist exactly where it is declared, so
 * a misspelled hook does not compile (`filter_engine` checks both ways).
 */
struct filter_engine_options {
  /** Copies of the filter share one state (Boost's habit); else each copy has its own. */
  bool shared = false;
  /** `void start() noexcept`: a stream begins (its first read/write, or the close of an empty one).
   */
  bool start = false;
  /**
   * `void notify()` (watching engines): act on what was observed, once those
   * bytes reached the other side. May throw: the failure sticks.
   */
  bool notify = false;
  /** `void finish()`: the close that ends a stream without a failure. May throw (not stored). */
  bool finish = false;
};

/**
 * A transforming engine, in the shape of Boost's SymmetricFilter:
 * `filter(src, src_end, dst, dst_end, flush)` consumes from `[src, src_end)`
 * and writes to `[dst, dst_end)`, advancing both, for any sizes of the two
 * (a short destination is no error: the engine keeps what did not fit);
 * it takes all input while it has output room. `flush` says no input will
 * ever follow; then it returns `false` once all output is out (with `flush`
 * false it returns `true`). `close()` forgets the stream, whatever state a
 * throw left, and is called at the end of every stream.
 */
template <class E>
concept symmetric_engine = requires(E &e, const char *&src, char *&dst, bool flush) {
  { e.filter(src, src, dst, dst, flush) } -> std::same_as<bool>;
  { e.close() }
  noexcept;
};

/**
 * A watching engine: the bytes pass unchanged and it observes them.
 * `step(n)` is how many of `n` bytes may pass before it must see them;
 * `observe(s, n)`: `s[0, n)` passed.
 */
template <class E>
concept watching_engine = requires(E &e, const E &ce, const char *s, std::size_t n) {
  { ce.step(n) }
  noexcept->std::same_as<std::size_t>;
  { e.observe(s, n) }
  noexcept;
};

/** The required hooks of every engine, and its optional hooks as it declares them. */
template <class E>
concept filter_engine = (symmetric_engine<E> || watching_engine<E>)&&requires(const E &ce) {
  { E::options } -> std::same_as<const filter_engine_options &>;
  { ce.optimal_buffer_size() }
  noexcept->std::convertible_to<std::size_t>;
}
&&(E::options.start ==
   requires(E & e) {
     { e.start() }
     noexcept;
   }) &&
    (E::options.notify == requires(E & e) { e.notify(); }) &&
    (E::options.finish == requires(E & e) { e.finish(); });

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_FILTER_ENGINE_HPP
