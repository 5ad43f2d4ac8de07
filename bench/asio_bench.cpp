// SPDX-License-Identifier: BSL-1.0
// Receiving 1 GiB over a loopback TCP socket into a growing buffer, with
// asio::read until the peer closes: a bytes_buf through
// bytesio::dynamic_buffer against asio::dynamic_buffer(std::vector<char>)
// (the baseline) and Beast's flat_buffer, same data, same run.
//
// Names are "<workload>/<implementation>" for bench/table.py. Every pass
// runs in a child process of its own (fork), so that each receiver starts
// from the same empty heap and its peak resident memory (getrusage of the
// child, reported as the counter peak_rss_GiB) is its own: the issue asks
// for at most 1.1x the 1 GiB received. In the child a thread sends 1 GiB in
// 1 MiB writes and shuts the socket down; the receiver times asio::read
// alone (manual time), from the first byte asked to the eof, and checks the
// length and a sample of the bytes. The counter cpu_s is the child's user
// and system time (sender and receiver), a second view when other work
// shares the machine.
//
// Asio's read takes a v1 dynamic buffer by value and would fill a copy of a
// flat_buffer, so flat_buffer runs Asio's own v1 loop by hand (the same
// read sizes: at most 64 KiB, as transfer_all asks). bytes_buf and the
// vector adapter are both v1 and v2, and asio::read picks v2 for them;
// "bytesio_v1" runs bytes_buf through the hand-written v1 loop too.

#include "bytesio/asio.hpp"

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/rows.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::size_t total = std::size_t(1) << 30;
constexpr std::size_t chunk = std::size_t(1) << 20;

char byte_at(std::size_t i) noexcept { return static_cast<char>((i * 2654435761u) >> 13); }

/** What the child reports back through its pipe. */
struct outcome {
  double seconds = 0;
  std::size_t received = 0;
  bool intact = false;
  long peak_rss_kib = 0;
  double cpu_seconds = 0; // user + system, both threads: less sensitive to a busy machine
};

/** Asio's v1 read loop (impl/read.hpp, transfer_all), for buffers asio::read would copy. */
template <class DynamicBuffer>
std::size_t read_v1(tcp::socket &socket, DynamicBuffer &b, boost::system::error_code &ec) {
  std::size_t done = 0;
  for (;;) {
    const std::size_t n =
        std::min<std::size_t>(std::max<std::size_t>(512, b.capacity() - b.size()),
                              std::min<std::size_t>(65536, b.max_size() - b.size()));
    if (n == 0)
      return done;
    const std::size_t got = socket.read_some(b.prepare(n), ec);
    b.commit(got);
    done += got;
    if (ec)
      return done;
  }
}

/** Receives everything the peer sends into a fresh receiver of kind `Impl`. */
template <class Impl>
outcome receive() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket client(ioc), server(ioc);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  std::thread sender([&client] {
    std::vector<char> block(chunk);
    for (std::size_t i = 0; i < chunk; ++i)
      block[i] = byte_at(i);
    boost::system::error_code ec;
    for (std::size_t sent = 0; sent < total && !ec; sent += chunk)
      asio::write(client, asio::buffer(block), ec);
    client.shutdown(tcp::socket::shutdown_send, ec);
  });

  outcome out;
  const auto t0 = std::chrono::steady_clock::now();
  const auto bytes = Impl::receive(server); // the received bytes, contiguous
  const auto t1 = std::chrono::steady_clock::now();
  sender.join();
  out.seconds = std::chrono::duration<double>(t1 - t0).count();
  out.received = bytes.size();
  out.intact = bytes.size() == total;
  for (std::size_t i = 0; out.intact && i < total; i += 4093)
    out.intact = bytes[i] == byte_at(i % chunk);
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  out.peak_rss_kib = usage.ru_maxrss;
  out.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return out;
}

/** The contents of a receiver, as a view that outlives the call (held by a static). */
struct view {
  const char *data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t size() const noexcept { return size_; }
  char operator[](std::size_t i) const noexcept { return data_[i]; }
};

struct bytesio_v2 {
  static constexpr const char *name = "bytesio";
  static constexpr const char *label = "";
  static view receive(tcp::socket &socket) {
    static bytesio::bytes_buf buf;
    boost::system::error_code ec;
    asio::read(socket, bytesio::dynamic_buffer(buf), ec);
    const auto v = buf.view();
    return {reinterpret_cast<const char *>(v.data()), v.size()};
  }
};

struct bytesio_v1 {
  static constexpr const char *name = "bytesio_v1";
  static constexpr const char *label = "";
  static view receive(tcp::socket &socket) {
    static bytesio::bytes_buf buf;
    auto b = bytesio::dynamic_buffer(buf);
    boost::system::error_code ec;
    read_v1(socket, b, ec);
    const auto v = buf.view();
    return {reinterpret_cast<const char *>(v.data()), v.size()};
  }
};

struct asio_vector {
  static constexpr const char *name = "asio_vector";
  static constexpr const char *label = "baseline";
  static view receive(tcp::socket &socket) {
    static std::vector<char> v;
    boost::system::error_code ec;
    asio::read(socket, asio::dynamic_buffer(v), ec);
    return {v.data(), v.size()};
  }
};

struct beast_flat_buffer {
  static constexpr const char *name = "beast_flat_buffer";
  static constexpr const char *label = "";
  static view receive(tcp::socket &socket) {
    static boost::beast::flat_buffer b;
    boost::system::error_code ec;
    read_v1(socket, b, ec);
    return {static_cast<const char *>(b.data().data()), b.size()};
  }
};

/** Runs `receive<Impl>()` in a child process and returns what it measured. */
template <class Impl>
outcome in_child() {
  int fds[2];
  if (::pipe(fds) != 0)
    return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    outcome o{};
    try {
      o = receive<Impl>();
    } catch (...) {
    }
    const bool ok = ::write(fds[1], &o, sizeof o) == static_cast<ssize_t>(sizeof o);
    std::_Exit(ok ? 0 : 1); // no destructors: the buffers die with the process
  }
  ::close(fds[1]);
  outcome o{};
  const bool got = pid > 0 && ::read(fds[0], &o, sizeof o) == static_cast<ssize_t>(sizeof o);
  ::close(fds[0]);
  int status = 0;
  if (pid > 0)
    ::waitpid(pid, &status, 0);
  if (!got)
    o.received = 0;
  return o;
}

template <class Impl>
void recv_1GiB(benchmark::State &state) {
  double peak = 0, cpu = 0;
  for (auto _ : state) {
    const outcome o = in_child<Impl>();
    if (!o.intact) {
      state.SkipWithError(
          ("received " + std::to_string(o.received) + " bytes, or wrong ones").c_str());
      break;
    }
    state.SetIterationTime(o.seconds);
    peak = std::max(peak, static_cast<double>(o.peak_rss_kib) / (1024.0 * 1024.0));
    cpu += o.cpu_seconds;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(total));
  state.counters["peak_rss_GiB"] = peak;
  state.counters["cpu_s"] = benchmark::Counter(cpu, benchmark::Counter::kAvgIterations);
  state.SetLabel(Impl::label);
}

} // namespace

int main(int argc, char **argv) {
  bench::rows(bench::milliseconds, bench::manual_time)
      .peers<asio_vector, beast_flat_buffer, bytesio_v2, bytesio_v1>(
          "recv_1GiB",
          []<class Impl>(benchmark::State &s, std::type_identity<Impl>) { recv_1GiB<Impl>(s); });
  return bench::run_main(argc, argv);
}
