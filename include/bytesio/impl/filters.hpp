#ifndef BYTESIO_IMPL_FILTERS_HPP
#define BYTESIO_IMPL_FILTERS_HPP

#include <boost/iostreams/operations.hpp>
#include <boost/iostreams/traits.hpp>

#include <cassert>
#include <type_traits>

namespace bytesio::detail {

inline progress_watcher::progress_watcher(std::function<void(std::uint64_t)> &&f, std::uint64_t n)
    : callback(std::move(f)), every(n), next(n) {
  if (!callback)
    throw_error(errc::invalid_argument, "progress_filter: the callback is empty");
}

// A stream starts at the first read or write after the close that ended the
// previous one; only then are the values zeroed, so that they stay readable
// after that close.
template <class Watcher>
void watching_filter<Watcher>::begin(state &st, mode m) noexcept {
  assert((st.use == mode::idle || st.use == m) &&
         "bytesio watching filter used for reading and writing in one stream");
  if (st.use == mode::idle)
    st.watcher.start();
  st.use = m;
}

template <class Watcher>
template <class Source>
std::streamsize watching_filter<Watcher>::read(Source &src, char *s, std::streamsize n) {
  state &st = *state_;
  return st.failure.guard([&] {
    begin(st, mode::reading);
    // What the previous read returned has reached the reader by now.
    st.watcher.notify();
    if (n <= 0)
      return std::streamsize{0};
    const std::size_t k = st.watcher.step(static_cast<std::size_t>(n));
    const std::streamsize r = boost::iostreams::read(src, s, static_cast<std::streamsize>(k));
    if (r > 0)
      st.watcher.observe(s, static_cast<std::size_t>(r));
    return r;
  });
}

template <class Watcher>
template <class Sink>
std::streamsize watching_filter<Watcher>::write(Sink &snk, const char *s, std::streamsize n) {
  state &st = *state_;
  return st.failure.guard([&] {
    begin(st, mode::writing);
    const std::size_t total = n > 0 ? static_cast<std::size_t>(n) : 0;
    std::size_t done = 0;
    while (done < total) {
      const std::size_t k = st.watcher.step(total - done);
      const std::streamsize w =
          boost::iostreams::write(snk, s + done, static_cast<std::streamsize>(k));
      if (w <= 0)
        break; // a non-blocking sink is full
      const auto m = static_cast<std::size_t>(w);
      // Observed only once accepted: what `snk` did not take is offered again.
      st.watcher.observe(s + done, m);
      done += m;
      st.watcher.notify();
      if (m < k)
        break;
    }
    return static_cast<std::streamsize>(done);
  });
}

template <class Watcher>
template <class Device>
void watching_filter<Watcher>::close(Device &, std::ios_base::openmode which) {
  state &st = *state_;
  // A chain, and compose(), close a dual-use filter only in the direction
  // it runs in, once per stream; so a close of either direction on an idle
  // filter ends an empty stream. boost::iostreams::close(filter, device,
  // in | out) closes `in`, then `out`: the device's type tells such a pair
  // apart where it can (a Sink has no input stream, a Source no output
  // one); with a device that does both, an `out` right after a close(in)
  // that ended a stream is taken for that pair's second half.
  using device_mode = typename boost::iostreams::mode_of<Device>::type;
  constexpr bool can_read = std::is_convertible_v<device_mode, boost::iostreams::input>;
  constexpr bool can_write = std::is_convertible_v<device_mode, boost::iostreams::output>;
  bool ends_stream = false;
  if (which == std::ios_base::in)
    ends_stream = st.use == mode::reading || (st.use == mode::idle && can_read);
  else if (which == std::ios_base::out)
    ends_stream = st.use == mode::writing ||
                  (st.use == mode::idle && can_write && !(can_read && st.ended_in));
  if (!ends_stream) {
    st.failure.rethrow_if_failed();
    return;
  }
  struct end_on_exit {
    state &st;
    bool in;
    ~end_on_exit() {
      st.use = mode::idle;
      st.ended_in = in;
    }
  } end{st, which == std::ios_base::in};
  const bool empty = st.use == mode::idle;
  st.failure.close([&] {
    if (empty)
      st.watcher.start();
    st.watcher.notify(); // input use: the last read's multiple, if it reached one
    st.watcher.finish();
  });
}

} // namespace bytesio::detail

#endif // BYTESIO_IMPL_FILTERS_HPP
