#ifndef BYTESIO_IMPL_IGZIP_HPP
#define BYTESIO_IMPL_IGZIP_HPP

#include <boost/iostreams/operations.hpp>
#include <boost/iostreams/traits.hpp>

#include <cassert>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

namespace bytesio::detail {

template <class Engine>
igzip_filter<Engine>::state::state(Engine &&e, std::size_t n)
    : engine(std::move(e)), buf(std::make_unique_for_overwrite<char[]>(n)), size(n) {}

template <class Engine>
void igzip_filter<Engine>::state::reset() noexcept {
  engine.close();
  begin = 0;
  end = 0;
  use = mode::idle;
  eof = false;
}

template <class Engine>
igzip_filter<Engine>::igzip_filter(Engine engine, std::streamsize buffer_size, const char *who) {
  if (buffer_size <= 0)
    throw_error(errc::invalid_argument, std::string(who) + ": buffer_size must be positive");
  state_ = std::make_shared<state>(std::move(engine), static_cast<std::size_t>(buffer_size));
}

// Hands the pending output to `snk`. False only if a non-blocking sink took
// nothing; what it did not take moves to the front of the buffer.
template <class Engine>
template <class Sink>
bool igzip_filter<Engine>::flush(state &st, Sink &snk) {
  if (st.end == 0)
    return true;
  const std::streamsize done =
      boost::iostreams::write(snk, st.buf.get(), static_cast<std::streamsize>(st.end));
  if (done <= 0)
    return false;
  const auto k = static_cast<std::size_t>(done);
  if (k < st.end)
    std::memmove(st.buf.get(), st.buf.get() + k, st.end - k);
  st.end -= k;
  return true;
}

template <class Engine>
template <class Sink>
std::streamsize igzip_filter<Engine>::write(Sink &snk, const char *s, std::streamsize n) {
  state &st = *state_;
  return st.failure.guard([&] {
    assert(st.use != mode::reading && "igzip filter written to while in input use");
    st.use = mode::writing;
    const char *next = s;
    const char *const last = s + n;
    char *const buf_end = st.buf.get() + st.size;
    while (next != last) {
      if (st.end == st.size && !flush(st, snk))
        break;
      char *out = st.buf.get() + st.end;
      st.engine.filter(next, last, out, buf_end, false);
      st.end = static_cast<std::size_t>(out - st.buf.get());
    }
    return static_cast<std::streamsize>(next - s);
  });
}

template <class Engine>
template <class Sink>
void igzip_filter<Engine>::finish(state &st, Sink &snk) {
  char *const buf_end = st.buf.get() + st.size;
  const char none = 0; // an empty input range that is not null (ISA-L's memcpy)
  bool more = true;
  while (more || st.end != 0) {
    if (more && st.end < st.size) {
      const char *p = &none;
      char *out = st.buf.get() + st.end;
      more = st.engine.filter(p, &none, out, buf_end, true);
      st.end = static_cast<std::size_t>(out - st.buf.get());
    }
    // Closing must hand everything on: a non-blocking device is retried.
    flush(st, snk);
  }
}

template <class Engine>
template <class Source>
std::streamsize igzip_filter<Engine>::read(Source &src, char *s, std::streamsize n) {
  state &st = *state_;
  return st.failure.guard([&] {
    assert(st.use != mode::writing && "igzip filter read from while in output use");
    st.use = mode::reading;
    char *next_s = s;
    char *const end_s = s + n;
    bool would_block = false; // the source had nothing in this call
    for (;;) {
      if (st.begin != st.end || st.eof) {
        const char *p = st.buf.get() + st.begin;
        const bool done = !st.engine.filter(p, st.buf.get() + st.end, next_s, end_s, st.eof);
        st.begin = static_cast<std::size_t>(p - st.buf.get());
        if (done)
          return next_s == s ? std::streamsize{-1} : static_cast<std::streamsize>(next_s - s);
      }
      if (next_s == end_s || (would_block && st.begin == st.end))
        return static_cast<std::streamsize>(next_s - s);
      // The engines consume all input while they have output room, so the
      // buffer is empty here; keep any rest all the same.
      if (st.begin != 0) {
        std::memmove(st.buf.get(), st.buf.get() + st.begin, st.end - st.begin);
        st.end -= st.begin;
        st.begin = 0;
      }
      assert(st.end < st.size && "igzip engine stalled with input and output room");
      const std::streamsize r = boost::iostreams::read(
          src, st.buf.get() + st.end, static_cast<std::streamsize>(st.size - st.end));
      if (r < 0)
        st.eof = true;
      else
        st.end += static_cast<std::size_t>(r);
      would_block = r == 0;
    }
  });
}

template <class Engine>
template <class Device>
void igzip_filter<Engine>::close(Device &dev, std::ios_base::openmode which) {
  state &st = *state_;
  // A chain closes a dual-use filter only for the direction it runs in; a
  // caller of boost::iostreams::close(filter, device) closes both. Only the
  // close of the direction in use (or `out` on an unused filter: an empty
  // output stream) ends the stream; the other one only reports a failure.
  const bool ends_stream =
      which == std::ios_base::in ? st.use == mode::reading : st.use != mode::reading;
  if (!ends_stream || (which != std::ios_base::in && which != std::ios_base::out)) {
    st.failure.rethrow_if_failed();
    return;
  }
  struct reset_on_exit {
    state &st;
    ~reset_on_exit() { st.reset(); }
  } r{st};
  st.failure.close([&] {
    if (which == std::ios_base::in)
      return;
    // `out` with a Source (close_all on an input filter) has nothing to finish.
    if constexpr (std::is_convertible_v<typename boost::iostreams::mode_of<Device>::type,
                                        boost::iostreams::output>)
      finish(st, dev);
  });
}

} // namespace bytesio::detail

#endif // BYTESIO_IMPL_IGZIP_HPP
