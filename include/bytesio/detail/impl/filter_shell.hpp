// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_DETAIL_IMPL_FILTER_SHELL_HPP
#define BYTESIO_DETAIL_IMPL_FILTER_SHELL_HPP

// Definitions of filter_shell.hpp.

#include "bytesio/error.hpp"

#include <boost/iostreams/operations.hpp>
#include <boost/iostreams/traits.hpp>

#include <cassert>
#include <cstring>
#include <string>

namespace bytesio::detail {

inline filter_buffer::filter_buffer(std::size_t n)
    : data(std::make_unique_for_overwrite<char[]>(n)), size(n) {}

inline std::size_t positive_buffer_size(std::streamsize n, const char *who) {
  if (n <= 0)
    throw_error(errc::invalid_argument, std::string(who) + ": buffer_size must be positive");
  return static_cast<std::size_t>(n);
}

inline filter_buffer::filter_buffer(std::streamsize n, const char *who)
    : filter_buffer(positive_buffer_size(n, who)) {}

inline filter_buffer::filter_buffer(const filter_buffer &other) : filter_buffer(other.size) {
  std::memcpy(data.get(), other.data.get(), other.end);
  begin = other.begin;
  end = other.end;
}

inline filter_buffer &filter_buffer::operator=(const filter_buffer &other) {
  if (this != &other)
    *this = filter_buffer(other);
  return *this;
}

// A stream starts at its first read or write; a watching engine zeroes its
// values only then, so that they stay readable after the close that ended
// the last one.
template <class Engine>
void filter_shell<Engine>::begin(state &st, mode m) noexcept {
  assert((st.use == mode::idle || st.use == m) &&
         "bytesio filter used for reading and writing in one stream");
  if (st.use == mode::idle) {
    if constexpr (Engine::options.start)
      st.engine.start();
  }
  st.use = m;
}

template <class Engine>
void filter_shell<Engine>::end(state &st, bool in) noexcept {
  st.use = mode::idle;
  st.ended_in = in;
  st.eof = false;
  if constexpr (transforms) {
    st.engine.close();
    st.buf.begin = 0;
    st.buf.end = 0;
  }
}

template <class Engine>
template <class Source>
std::streamsize filter_shell<Engine>::read(Source &src, char *s, std::streamsize n) {
  return run(src, s, n);
}

template <class Engine>
template <class Sink>
std::streamsize filter_shell<Engine>::write(Sink &snk, const char *s, std::streamsize n) {
  return run(snk, s, n);
}

// `write` passes const bytes, `read` bytes to fill.
template <class Engine>
template <class Device, class Char>
std::streamsize filter_shell<Engine>::run(Device &dev, Char *s, std::streamsize n) {
  constexpr bool out = std::is_const_v<Char>;
  state &st = *state_;
  return st.failure.guard([&] {
    begin(st, out ? mode::writing : mode::reading);
    if constexpr (transforms && out)
      return transform_out(st, dev, s, n);
    else if constexpr (transforms)
      return transform_in(st, dev, s, n);
    else if constexpr (out)
      return watch_out(st, dev, s, n);
    else
      return watch_in(st, dev, s, n);
  });
}

template <class Engine>
template <class Device>
void filter_shell<Engine>::close(Device &dev, std::ios_base::openmode which) {
  state &st = *state_;
  // A chain and compose() close a dual-use filter only in the direction it
  // runs in, once per stream; so a close of either direction on an idle
  // filter ends an empty stream. boost::iostreams::close(filter, device,
  // in | out) closes `in`, then `out`: the device's type tells such a pair
  // apart where it can (a Sink has no input stream, a Source no output
  // one); with a device that does both, a watching filter takes an `out`
  // right after a close(in) that ended a stream for that pair's second half
  // (its empty stream would count twice). A transforming filter cannot tell
  // that pair from an output chain used after an input chain, and an empty
  // output stream is output (an empty gzip member, or the error that the
  // input is empty), so its idle close(out) always ends one.
  using device_mode = typename boost::iostreams::mode_of<Device>::type;
  constexpr bool can_read = std::is_convertible_v<device_mode, boost::iostreams::input>;
  constexpr bool can_write = std::is_convertible_v<device_mode, boost::iostreams::output>;
  bool ends_stream = false;
  if (which == std::ios_base::in)
    ends_stream = st.use == mode::reading || (st.use == mode::idle && can_read);
  else if (which == std::ios_base::out)
    ends_stream = st.use == mode::writing ||
                  (st.use == mode::idle && can_write && (transforms || !(can_read && st.ended_in)));
  if (!ends_stream) {
    st.failure.rethrow_if_failed();
    return;
  }
  // However this leaves, the next use starts a new stream.
  struct end_on_exit {
    state &st;
    bool in;
    ~end_on_exit() { end(st, in); }
  } on_exit{st, which == std::ios_base::in};
  const bool empty = st.use == mode::idle;
  st.failure.close([&] {
    if (empty)
      begin(st, which == std::ios_base::in ? mode::reading : mode::writing);
    if constexpr (transforms && can_write)
      if (which == std::ios_base::out)
        drain(st, dev);
    if constexpr (Engine::options.notify)
      st.engine.notify(); // input use: the last read's bytes have reached the reader
    if constexpr (Engine::options.finish)
      st.engine.finish();
  });
}

// --- transforming engines ---------------------------------------------------

// Hands the pending output to `snk`. False only if a non-blocking sink took
// nothing; what it did not take moves to the front of the buffer.
template <class Engine>
template <class Sink>
bool filter_shell<Engine>::hand_on(filter_buffer &b, Sink &snk) {
  if (b.end == 0)
    return true;
  const std::streamsize done =
      boost::iostreams::write(snk, b.data.get(), static_cast<std::streamsize>(b.end));
  if (done <= 0)
    return false;
  const auto k = static_cast<std::size_t>(done);
  if (k < b.end)
    std::memmove(b.data.get(), b.data.get() + k, b.end - k);
  b.end -= k;
  return true;
}

template <class Engine>
template <class Sink>
std::streamsize filter_shell<Engine>::transform_out(state &st, Sink &snk, const char *s,
                                                    std::streamsize n) {
  filter_buffer &b = st.buf;
  const char *next = s;
  const char *const last = s + n;
  char *const buf_end = b.data.get() + b.size;
  while (next != last) {
    if (b.end == b.size && !hand_on(b, snk))
      break;
    char *out = b.data.get() + b.end;
    st.engine.filter(next, last, out, buf_end, false);
    b.end = static_cast<std::size_t>(out - b.data.get());
  }
  // What did not fill the buffer waits for the next write or the close, as
  // in Boost's symmetric_filter: the sink sees large writes.
  return static_cast<std::streamsize>(next - s);
}

template <class Engine>
template <class Sink>
void filter_shell<Engine>::drain(state &st, Sink &snk) {
  filter_buffer &b = st.buf;
  char *const buf_end = b.data.get() + b.size;
  const char none = 0; // an empty input range that is not null (ISA-L's memcpy)
  bool more = true;
  while (more || b.end != 0) {
    if (more && b.end < b.size) {
      const char *p = &none;
      char *out = b.data.get() + b.end;
      more = st.engine.filter(p, &none, out, buf_end, true);
      b.end = static_cast<std::size_t>(out - b.data.get());
    }
    // Closing must hand everything on: a non-blocking device is retried.
    hand_on(b, snk);
  }
}

template <class Engine>
template <class Source>
std::streamsize filter_shell<Engine>::transform_in(state &st, Source &src, char *s,
                                                   std::streamsize n) {
  filter_buffer &b = st.buf;
  char *next_s = s;
  char *const end_s = s + n;
  bool would_block = false; // the source had nothing in this call
  for (;;) {
    if (b.begin != b.end || st.eof) {
      const char *p = b.data.get() + b.begin;
      const bool done = !st.engine.filter(p, b.data.get() + b.end, next_s, end_s, st.eof);
      b.begin = static_cast<std::size_t>(p - b.data.get());
      if (done)
        return next_s == s ? std::streamsize{-1} : static_cast<std::streamsize>(next_s - s);
    }
    if (next_s == end_s || (would_block && b.begin == b.end))
      return static_cast<std::streamsize>(next_s - s);
    // The engines take all input while they have output room, so the
    // buffer is empty here; keep any rest all the same.
    if (b.begin != 0) {
      std::memmove(b.data.get(), b.data.get() + b.begin, b.end - b.begin);
      b.end -= b.begin;
      b.begin = 0;
    }
    assert(b.end < b.size && "filter engine stalled with input and output room");
    const std::streamsize r = boost::iostreams::read(src, b.data.get() + b.end,
                                                     static_cast<std::streamsize>(b.size - b.end));
    if (r < 0)
      st.eof = true;
    else
      b.end += static_cast<std::size_t>(r);
    would_block = r == 0;
  }
}

// --- watching engines -------------------------------------------------------

template <class Engine>
template <class Sink>
std::streamsize filter_shell<Engine>::watch_out(state &st, Sink &snk, const char *s,
                                                std::streamsize n) {
  const std::size_t total = n > 0 ? static_cast<std::size_t>(n) : 0;
  std::size_t done = 0;
  while (done < total) {
    const std::size_t k = st.engine.step(total - done);
    const std::streamsize w =
        boost::iostreams::write(snk, s + done, static_cast<std::streamsize>(k));
    if (w <= 0)
      break; // a non-blocking sink is full
    const auto m = static_cast<std::size_t>(w);
    // Observed only once accepted: what `snk` did not take is offered again.
    st.engine.observe(s + done, m);
    done += m;
    if constexpr (Engine::options.notify)
      st.engine.notify();
    if (m < k)
      break;
  }
  return static_cast<std::streamsize>(done);
}

template <class Engine>
template <class Source>
std::streamsize filter_shell<Engine>::watch_in(state &st, Source &src, char *s, std::streamsize n) {
  // What the previous read returned has reached the reader by now.
  if constexpr (Engine::options.notify)
    st.engine.notify();
  if (n <= 0)
    return std::streamsize{0};
  const std::size_t k = st.engine.step(static_cast<std::size_t>(n));
  const std::streamsize r = boost::iostreams::read(src, s, static_cast<std::streamsize>(k));
  if (r > 0)
    st.engine.observe(s, static_cast<std::size_t>(r));
  return r;
}

} // namespace bytesio::detail

#endif // BYTESIO_DETAIL_IMPL_FILTER_SHELL_HPP
