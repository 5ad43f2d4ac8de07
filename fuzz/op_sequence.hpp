// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_FUZZ_OP_SEQUENCE_HPP
#define BYTESIO_FUZZ_OP_SEQUENCE_HPP

// Runs a sequence of operations decoded from the fuzz input on a real stream
// (file-like calls on its buffer, stream-level calls on the stream itself)
// and on the reference model side by side; after every step the contents,
// the position, the size, the return values and the errors must agree.
// Shared by the bytes_buf, spooled_buf and span_buf targets: members a
// buffer does not have (take, view, getbuffer on spooled_buf; the writing
// half on span_buf) are skipped, and the model knows a read-only buffer.

#include "fuzz_common.hpp"
#include "model/bytes_model.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bytesio::fuzz {

// Writes are skipped at positions past this, so a seek to 2^62 followed by a
// write cannot ask for exabytes; seeks and reads still go anywhere.
inline constexpr std::size_t max_write_end = std::size_t{1} << 20;

template <class Range>
bool same_bytes(const Range &got, const std::vector<std::byte> &want) {
  const auto *p = reinterpret_cast<const std::byte *>(std::ranges::data(got));
  return std::ranges::size(got) == want.size() &&
         (want.empty() || std::memcmp(p, want.data(), want.size()) == 0);
}

inline std::string state_name(std::ios_base::iostate s) {
  std::string out;
  if (s & std::ios_base::badbit)
    out += "bad|";
  if (s & std::ios_base::failbit)
    out += "fail|";
  if (s & std::ios_base::eofbit)
    out += "eof|";
  return out.empty() ? "good" : out;
}

inline std::int64_t decode_offset(input &in) {
  const std::uint8_t kind = in.u8();
  switch (kind % 16) {
  case 0:
    return std::numeric_limits<std::int64_t>::max();
  case 1:
    return std::numeric_limits<std::int64_t>::min();
  case 2:
    return std::int64_t{1} << 40; // far past the end
  case 3:
    return -(std::int64_t{1} << 40);
  default:
    return static_cast<std::int16_t>(in.u16()) % 300;
  }
}

inline std::ios_base::seekdir decode_dir(input &in) {
  switch (in.u8() % 3) {
  case 0:
    return std::ios_base::beg;
  case 1:
    return std::ios_base::cur;
  default:
    return std::ios_base::end;
  }
}

inline std::size_t decode_count(input &in) {
  const std::uint8_t c = in.u8();
  return c == 255 ? static_cast<std::size_t>(-1) : c;
}

// A buffer's exported_view type; a stand-in for buffers without getbuffer().
struct no_view {
  std::span<std::byte> span() const { return {}; }
  void release() {}
};
template <class Buf>
struct exported_view_of {
  using type = no_view;
};
template <class Buf>
requires requires(Buf &b) { b.getbuffer(); }
struct exported_view_of<Buf> {
  using type = decltype(std::declval<Buf &>().getbuffer());
};

/** Runs the sequence. `make` builds a fresh stream (for the reopen step),
 *  whose state `start` models; `check(stream, model, trace)` adds the
 *  buffer's own invariants after every step. */
template <class Stream, class Make,
          class Check = void (*)(Stream &, const test::bytes_model &, const std::string &)>
void run_op_sequence(
    input &in, Make make,
    Check check = [](Stream &, const test::bytes_model &, const std::string &) {},
    const test::bytes_model &start = {}) {
  using buf_type = std::remove_reference_t<decltype(std::declval<Stream &>().buf())>;
  constexpr bool has_take = requires(buf_type & b) { b.take(); };
  constexpr bool has_view = requires(buf_type & b) { b.view(); };
  constexpr bool has_getbuffer = requires(buf_type & b) { b.getbuffer(); };
  constexpr bool has_rollover = requires(buf_type & b) { b.rollover(); };
  constexpr bool writable = requires(buf_type & b, std::span<const std::byte> d) { b.write(d); };
  constexpr bool has_getvalue = requires(buf_type & b) { b.getvalue(); };
  constexpr bool is_ostream = std::is_base_of_v<std::ostream, Stream>;
  using storage_type = decltype(std::declval<buf_type &>().read());

  Stream s = make();
  test::bytes_model m = start;
  std::string trace;
  std::vector<std::byte> scratch;

  using view_type = typename exported_view_of<buf_type>::type;
  std::vector<view_type> views;

  auto check_error = [&](int got, const char *op) {
    if (got != m.error)
      die(std::string(op) + ": error " + std::to_string(got) + ", model says " +
              std::to_string(m.error),
          trace);
  };
  // Calls f on the real buffer; returns the errc it threw (0: none).
  auto call = [&](auto &&f) -> int {
    try {
      f();
      return 0;
    } catch (const std::ios_base::failure &e) {
      return error_of(e);
    }
  };
  auto check_state = [&](std::ios_base::iostate want, const char *op) {
    if (s.rdstate() != want)
      die(std::string(op) + ": stream state " + state_name(s.rdstate()) + ", model says " +
              state_name(want),
          trace);
  };

  for (int step = 0; !in.empty() && step < 4096; ++step) {
    const std::uint8_t op = in.u8() % 30;
    trace += std::to_string(op) + ' ';
    buf_type &b = s.buf();
    switch (op) {
    case 0: { // write
      if constexpr (writable) {
        const auto data = in.bytes(in.u8() % 64);
        if (m.pos > max_write_end)
          break;
        std::size_t got = 0;
        const int e = call([&] { got = b.write(data); });
        const std::size_t want = m.write(data.data(), data.size());
        check_error(e, "write");
        if (e == 0 && got != want)
          die("write returned " + std::to_string(got), trace);
      }
      break;
    }
    case 1: { // readinto
      const std::size_t n = in.u8();
      std::array<std::byte, 256> got{}, want{};
      std::size_t ng = 0;
      const int e = call([&] { ng = b.readinto(std::span(got).first(n)); });
      const std::size_t nw = m.readinto(want.data(), n);
      check_error(e, "readinto");
      if (ng != nw || std::memcmp(got.data(), want.data(), nw) != 0)
        die("readinto disagrees", trace);
      break;
    }
    case 2: { // read
      const std::size_t n = decode_count(in);
      std::optional<storage_type> got;
      const int e = call([&] { got.emplace(b.read(n)); });
      const auto want = m.read(n);
      check_error(e, "read");
      if (e == 0 && !same_bytes(*got, want))
        die("read returned other bytes", trace);
      break;
    }
    case 3: { // readline
      const std::size_t n = decode_count(in);
      std::optional<storage_type> got;
      const int e = call([&] { got.emplace(b.readline(n)); });
      const auto want = m.readline(n);
      check_error(e, "readline");
      if (e == 0 && !same_bytes(*got, want))
        die("readline returned other bytes", trace);
      break;
    }
    case 4: { // readlines
      const std::size_t hint = in.u8() % 40;
      std::optional<std::vector<storage_type>> got;
      const int e = call([&] { got.emplace(b.readlines(hint)); });
      const auto want = m.readlines(hint);
      check_error(e, "readlines");
      if (e == 0) {
        if (got->size() != want.size())
          die("readlines returned " + std::to_string(got->size()) + " lines, model " +
                  std::to_string(want.size()),
              trace);
        for (std::size_t i = 0; i < want.size(); ++i)
          if (!same_bytes((*got)[i], want[i]))
            die("readlines line " + std::to_string(i) + " differs", trace);
      }
      break;
    }
    case 5: { // seek
      const std::int64_t off = decode_offset(in);
      const auto dir = decode_dir(in);
      std::uint64_t got = 0;
      const int e = call([&] { got = b.seek(off, dir); });
      const std::uint64_t want = m.seek(off, dir);
      check_error(e, "seek");
      if (e == 0 && got != want)
        die("seek returned " + std::to_string(got) + ", model " + std::to_string(want), trace);
      break;
    }
    case 6: { // truncate
      if constexpr (writable) {
        const bool at_pos = in.u8() & 1;
        const std::uint64_t n = in.u8() % 2 ? std::uint64_t{in.u16()} : std::uint64_t(-1) >> 1;
        std::uint64_t got = 0;
        const int e = call([&] { got = at_pos ? b.truncate() : b.truncate(n); });
        const std::uint64_t want = at_pos ? m.truncate() : m.truncate(n);
        check_error(e, "truncate");
        if (e == 0 && got != want)
          die("truncate returned " + std::to_string(got), trace);
      }
      break;
    }
    case 7: { // getvalue
      if constexpr (has_getvalue) {
        std::optional<storage_type> got;
        const int e = call([&] { got.emplace(b.getvalue()); });
        const auto want = m.getvalue();
        check_error(e, "getvalue");
        if (e == 0 && !same_bytes(*got, want))
          die("getvalue differs", trace);
      }
      break;
    }
    case 8: { // getbuffer
      if constexpr (has_getbuffer) {
        if (views.size() >= 4)
          break;
        std::optional<view_type> got;
        const int e = call([&] { got.emplace(b.getbuffer()); });
        m.getbuffer();
        check_error(e, "getbuffer");
        if (e == 0)
          views.push_back(std::move(*got));
      }
      break;
    }
    case 9: { // release a view (or drop it: the destructor releases)
      const std::uint8_t which = in.u8();
      if (views.empty())
        break;
      auto it = views.begin() + static_cast<std::ptrdiff_t>(which % views.size());
      if (which & 0x80)
        it->release();
      views.erase(it);
      m.release();
      break;
    }
    case 10: { // write through a view
      const std::uint8_t which = in.u8(), at = in.u8(), value = in.u8();
      if (views.empty())
        break;
      const auto span = views[which % views.size()].span();
      if (span.empty())
        break;
      span[at % span.size()] = std::byte{value};
      m.data[at % span.size()] = std::byte{value};
      break;
    }
    case 11: { // take
      if constexpr (has_take) {
        std::optional<storage_type> got;
        const int e = call([&] { got.emplace(b.take()); });
        const auto want = m.take();
        check_error(e, "take");
        if (e == 0 && !same_bytes(*got, want))
          die("take differs", trace);
      }
      break;
    }
    case 12: { // clear
      if constexpr (writable) {
        const int e = call([&] { b.clear(); });
        m.clear();
        check_error(e, "clear");
      }
      break;
    }
    case 13: { // close
      const int e = call([&] { b.close(); });
      m.close();
      check_error(e, "close");
      break;
    }
    case 14: { // reserve / shrink_to_fit
      if constexpr (writable) {
        const std::uint8_t how = in.u8();
        if (how & 1) {
          const int e = call([&] { b.reserve(how); });
          m.reserve();
          check_error(e, "reserve");
        } else {
          const int e = call([&] { b.shrink_to_fit(); });
          m.shrink_to_fit();
          check_error(e, "shrink_to_fit");
        }
      }
      break;
    }
    case 15: { // set_size_limit / size_limit
      if constexpr (writable) {
        const std::uint8_t how = in.u8();
        const std::size_t n = how == 255 ? static_cast<std::size_t>(-1) : how;
        const int e = call([&] { b.set_size_limit(n); });
        m.set_size_limit(n);
        check_error(e, "set_size_limit");
        std::size_t got = 0;
        const int e2 = call([&] { got = b.size_limit(); });
        const std::size_t want = m.size_limit();
        check_error(e2, "size_limit");
        if (e2 == 0 && got != want)
          die("size_limit differs", trace);
      }
      break;
    }
    case 16: { // ostream::put
      const auto c = static_cast<char>(in.u8());
      if (m.pos > max_write_end)
        break;
      if constexpr (is_ostream) {
        s.clear();
        s.put(c);
        check_state(m.stream_put(std::byte(c)), "put");
      } else { // an istream: output through an ostream on its buffer must fail
        std::ostream out(&b);
        out.put(c);
        if (out.rdstate() != m.stream_put(std::byte(c)))
          die("ostream::put on a read-only buffer: " + state_name(out.rdstate()), trace);
      }
      break;
    }
    case 17: { // istream::get
      s.clear();
      const auto got = s.get();
      const auto want = m.stream_get();
      check_state(want ? m.good : m.eof_fail, "get");
      if (want && got != std::char_traits<char>::to_int_type(static_cast<char>(*want)))
        die("get returned another byte", trace);
      break;
    }
    case 18: { // istream::read
      const std::size_t n = in.u8();
      scratch.assign(n, std::byte{0});
      s.clear();
      s.read(reinterpret_cast<char *>(scratch.data()), static_cast<std::streamsize>(n));
      const auto want = m.stream_read(n);
      check_state(want.size() == n ? m.good : m.eof_fail, "read");
      if (static_cast<std::size_t>(s.gcount()) != want.size() ||
          !std::equal(want.begin(), want.end(), scratch.begin()))
        die("istream::read disagrees", trace);
      break;
    }
    case 19: { // ostream::write
      const auto data = in.bytes(in.u8() % 64);
      if (m.pos > max_write_end)
        break;
      std::ostream other(&b);
      std::ostream &out = [&]() -> std::ostream & {
        if constexpr (is_ostream)
          return s;
        else
          return other;
      }();
      out.clear();
      out.write(reinterpret_cast<const char *>(data.data()),
                static_cast<std::streamsize>(data.size()));
      const std::size_t wrote = m.stream_write(data.data(), data.size());
      if (out.rdstate() != (wrote == data.size() ? m.good : m.bad))
        die("ostream::write: stream state " + state_name(out.rdstate()), trace);
      break;
    }
    case 20:   // seekg
    case 21: { // seekp
      const std::int64_t off = decode_offset(in);
      const auto dir = decode_dir(in);
      s.clear();
      if constexpr (is_ostream) {
        if (op == 21) {
          s.seekp(off, dir);
          check_state(m.stream_seek(off, dir), "seekp");
          break;
        }
      }
      s.seekg(off, dir);
      check_state(m.stream_seek(off, dir), "seekg");
      break;
    }
    case 22: { // putback
      const auto c = static_cast<char>(in.u8());
      s.clear();
      s.putback(c);
      check_state(m.stream_putback(std::byte(c)), "putback");
      break;
    }
    case 23: { // unget
      s.clear();
      s.unget();
      check_state(m.stream_unget(), "unget");
      break;
    }
    case 24: { // tellg / tellp
      s.clear();
      std::int64_t got = 0;
      if constexpr (is_ostream)
        got = in.u8() & 1 ? std::int64_t(s.tellg()) : std::int64_t(s.tellp());
      else
        got = (static_cast<void>(in.u8()), std::int64_t(s.tellg()));
      if (got != m.stream_tell())
        die("tellg/tellp " + std::to_string(got) + ", model " + std::to_string(m.stream_tell()),
            trace);
      check_state(m.good, "tell");
      break;
    }
    case 25: { // peek
      s.clear();
      const auto got = s.peek();
      const bool at_end = m.closed || m.pos >= m.data.size();
      check_state(at_end ? std::ios_base::eofbit : m.good, "peek");
      if (!at_end && got != std::char_traits<char>::to_int_type(static_cast<char>(m.data[m.pos])))
        die("peek returned another byte", trace);
      break;
    }
    case 26: { // reopen: move-assign a fresh stream (views must be gone)
      if (!views.empty())
        break;
      s = make();
      m = start;
      break;
    }
    case 27: { // write of a string_view
      if constexpr (writable) {
        const auto data = in.bytes(in.u8() % 16);
        if (m.pos > max_write_end)
          break;
        std::size_t got = 0;
        const int e = call([&] {
          got = b.write(std::string_view(reinterpret_cast<const char *>(data.data()), data.size()));
        });
        const std::size_t want = m.write(data.data(), data.size());
        check_error(e, "write(string_view)");
        if (e == 0 && got != want)
          die("write(string_view) returned " + std::to_string(got), trace);
      }
      break;
    }
    case 28: { // spooled_buf::rollover: moves the bytes, changes nothing visible
      if constexpr (has_rollover) {
        const int e = call([&] { b.rollover(); });
        m.open();
        check_error(e, "rollover");
        if (e == 0 && !b.rolled())
          die("rolled() is false after rollover()", trace);
      }
      break;
    }
    default: { // tell
      std::uint64_t got = 0;
      const int e = call([&] { got = b.tell(); });
      const std::uint64_t want = m.tell();
      check_error(e, "tell");
      if (e == 0 && got != want)
        die("tell " + std::to_string(got) + ", model " + std::to_string(want), trace);
      break;
    }
    }

    // The invariants after every step.
    buf_type &c = s.buf();
    if (c.closed() != m.closed)
      die("closed() differs", trace);
    if (c.size() != m.size())
      die("size() " + std::to_string(c.size()) + ", model " + std::to_string(m.size()), trace);
    if constexpr (has_view) {
      if (!same_bytes(c.view(), m.closed ? std::vector<std::byte>{} : m.data))
        die("contents differ", trace);
      for (const auto &v : views)
        if (v.span().data() != c.view().data() || v.span().size() != c.view().size())
          die("an exported view no longer covers the contents", trace);
    } else if constexpr (has_getvalue) {
      if (!m.closed && !same_bytes(c.getvalue(), m.data))
        die("contents differ", trace);
    }
    if (!m.closed && c.tell() != m.pos)
      die("position " + std::to_string(c.tell()) + ", model " + std::to_string(m.pos), trace);
    check(s, m, trace);
  }
  for (auto &v : views)
    v.release();
}

} // namespace bytesio::fuzz

#endif // BYTESIO_FUZZ_OP_SEQUENCE_HPP
