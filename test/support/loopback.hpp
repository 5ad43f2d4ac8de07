// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_LOOPBACK_HPP
#define BYTESIO_TEST_SUPPORT_LOOPBACK_HPP

// Real TCP sockets for the network tests: a connected pair on 127.0.0.1 (an
// ephemeral port), a stream that hands out at most k bytes per read (to
// split a message at every offset), and a watchdog that ends a test run
// that hangs, so a bug cannot stall CI.

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace bytesio::test {

/**
 * Aborts the process if it is still alive `limit` after construction:
 * a global fixture (BOOST_TEST_GLOBAL_FIXTURE) for tests that use sockets.
 */
class watchdog {
public:
  explicit watchdog(std::chrono::seconds limit = std::chrono::seconds(120))
      : thread_([this, limit] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: the test ran past %lld s, aborting\n",
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  watchdog(const watchdog &) = delete;
  watchdog &operator=(const watchdog &) = delete;

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_; // last: starts once the members it uses exist
};

/** Two connected TCP sockets on 127.0.0.1, on one io_context. */
struct loopback {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket client{ioc};
  boost::asio::ip::tcp::socket server{ioc};

  loopback() {
    using boost::asio::ip::tcp;
    tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    client.connect(acceptor.local_endpoint()); // completes through the listen backlog
    acceptor.accept(server);
  }
};

/**
 * Writes `bytes` to `socket` from a new thread (so a large write cannot
 * block on a reader in the same thread), then shuts the sending side down
 * if `close` asks: the reader sees `eof` after the bytes.
 */
inline std::thread send_async(boost::asio::ip::tcp::socket &socket, std::string bytes,
                              bool close = true) {
  return std::thread([&socket, bytes = std::move(bytes), close] {
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes), ec);
    if (close)
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  });
}

/**
 * A SyncReadStream over another that returns at most `most` bytes from each
 * `read_some`, and counts the calls: messages then arrive split at known
 * offsets, whatever the kernel would have coalesced.
 */
template <class Stream>
class trickle {
public:
  trickle(Stream &next, std::size_t most) noexcept : next_(next), most_(most) {}

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence &buffers, boost::system::error_code &ec) {
    ++reads_;
    const auto first = *boost::asio::buffer_sequence_begin(buffers);
    return next_.read_some(boost::asio::buffer(first, most_), ec);
  }

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence &buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec)
      throw boost::system::system_error(ec);
    return n;
  }

  std::size_t reads() const noexcept { return reads_; }

private:
  Stream &next_;
  std::size_t most_;
  std::size_t reads_ = 0;
};

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_LOOPBACK_HPP
