#ifndef BYTESIO_IMPL_BASE64_HPP
#define BYTESIO_IMPL_BASE64_HPP

#if BYTESIO_BASE64_FILTERS

#include <boost/iostreams/traits.hpp>

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace bytesio::detail {

template <class Core>
void base64_filter<Core>::reserve_out(std::size_t n) {
  // Pending bytes move to the front so that the buffer never grows past one
  // chunk's worth of output plus a final group.
  if (pos_ != 0) {
    std::memmove(out_.data(), out_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (out_.size() < end_ + n)
    out_.resize(end_ + n);
}

template <class Core>
void base64_filter<Core>::reset() noexcept {
  core_.reset();
  pos_ = 0;
  end_ = 0;
  mode_ = mode::idle;
  eof_ = false;
}

template <class Core>
template <class Sink>
bool base64_filter<Core>::flush(Sink &snk) {
  while (pos_ < end_) {
    const std::streamsize done =
        boost::iostreams::write(snk, out_.data() + pos_, static_cast<std::streamsize>(end_ - pos_));
    if (done <= 0)
      return false; // a non-blocking sink is full; keep the rest
    pos_ += static_cast<std::size_t>(done);
  }
  pos_ = 0;
  end_ = 0;
  return true;
}

template <class Core>
template <class Sink>
std::streamsize base64_filter<Core>::write(Sink &snk, const char *s, std::streamsize n) {
  return failure_.guard([&] {
    mode_ = mode::writing;
    std::size_t done = 0;
    const auto total = static_cast<std::size_t>(n);
    while (flush(snk) && done < total) {
      const std::size_t k = std::min(total - done, chunk);
      reserve_out(core_.max_output(k));
      end_ = static_cast<std::size_t>(core_.process(s + done, k, out_.data() + end_) - out_.data());
      done += k;
    }
    return static_cast<std::streamsize>(done);
  });
}

template <class Core>
template <class Source>
std::streamsize base64_filter<Core>::read(Source &src, char *s, std::streamsize n) {
  return failure_.guard([&] {
    mode_ = mode::reading;
    std::size_t got = 0;
    const auto want = static_cast<std::size_t>(n);
    while (got < want) {
      if (pos_ < end_) {
        const std::size_t k = std::min(want - got, end_ - pos_);
        std::memcpy(s + got, out_.data() + pos_, k);
        pos_ += k;
        got += k;
        continue;
      }
      if (eof_)
        break;
      pos_ = 0;
      end_ = 0;
      if (in_.size() < chunk)
        in_.resize(chunk);
      const std::streamsize r =
          boost::iostreams::read(src, in_.data(), static_cast<std::streamsize>(chunk));
      if (r < 0) {
        eof_ = true;
        reserve_out(core_.max_finish());
        end_ = static_cast<std::size_t>(core_.finish(out_.data()) - out_.data());
      } else if (r == 0) {
        break; // a non-blocking source has nothing now
      } else {
        const auto k = static_cast<std::size_t>(r);
        reserve_out(core_.max_output(k));
        end_ = static_cast<std::size_t>(core_.process(in_.data(), k, out_.data()) - out_.data());
      }
    }
    if (got == 0 && eof_ && pos_ == end_)
      return std::streamsize{-1};
    return static_cast<std::streamsize>(got);
  });
}

template <class Core>
template <class Device>
void base64_filter<Core>::close(Device &dev, std::ios_base::openmode which) {
  // A chain closes a dual-use filter only for the direction it runs in; a
  // caller of boost::iostreams::close(filter, device) closes both. Only the
  // close of the direction in use (or `out` on an unused filter: an empty
  // output stream) ends the stream; the other one only reports a failure.
  const bool ends_stream =
      which == std::ios_base::in ? mode_ == mode::reading : mode_ != mode::reading;
  if (!ends_stream || (which != std::ios_base::in && which != std::ios_base::out)) {
    failure_.rethrow_if_failed();
    return;
  }
  // Reset however this leaves, so that the filter is reusable after an error.
  struct reset_on_exit {
    base64_filter *self;
    ~reset_on_exit() { self->reset(); }
  } r{this};
  failure_.close([&] {
    if (which == std::ios_base::in)
      return;
    // `out` with a Source (close_all on an input filter) has nothing to finish.
    if constexpr (std::is_convertible_v<typename boost::iostreams::mode_of<Device>::type,
                                        boost::iostreams::output>) {
      reserve_out(core_.max_finish());
      end_ = static_cast<std::size_t>(core_.finish(out_.data() + end_) - out_.data());
      // Closing must hand everything on: a non-blocking device is retried.
      while (!flush(dev)) {
      }
    }
  });
}

} // namespace bytesio::detail

#endif // BYTESIO_BASE64_FILTERS

#endif // BYTESIO_IMPL_BASE64_HPP
