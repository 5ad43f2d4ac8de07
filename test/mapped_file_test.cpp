// SPDX-License-Identifier: BSL-1.0
#include "bytesio/mapped_file.hpp"

#define BOOST_TEST_MODULE mapped_file
#include "support/unit_test.hpp"

#include "bytesio/span_buf.hpp"
#include "support/test_support.hpp"

#include <csignal>
#include <cstdint>
#include <fstream>
#include <string>
#include <system_error>
#include <type_traits>

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using namespace bytesio::test;
using bytesio::mapped_file;

namespace {

// The errno code a mapping of `p` fails with, or none.
std::error_code map_error(const std::filesystem::path &p) {
  return error_of([&] { mapped_file m(p); });
}

std::string what_of(const std::filesystem::path &p) {
  try {
    mapped_file m(p);
  } catch (const std::ios_base::failure &e) {
    return e.what();
  }
  return "";
}

} // namespace

static_assert(std::is_nothrow_move_constructible_v<mapped_file>);
static_assert(!std::is_copy_constructible_v<mapped_file>);
static_assert(std::is_convertible_v<const mapped_file &, std::span<const std::byte>>);

BOOST_AUTO_TEST_CASE(maps_the_whole_file_read_only) {
  temp_dir dir;
  const std::string text = random_bytes(100'003, 9);
  write_file(dir / "data", text);
  mapped_file m(dir / "data");
  BOOST_TEST(m.size() == text.size());
  BOOST_TEST(!m.empty());
  BOOST_TEST(str(m.bytes()) == text);
  BOOST_TEST(m.data() == m.bytes().data());
  const std::span<const std::byte> as_span = m;
  BOOST_TEST(as_span.data() == m.data());
  // No copy: a span_buf over it reads the mapping itself.
  bytesio::span_buf b(m);
  BOOST_TEST(b.read_view(10).data() == m.data());
  // Moves keep the bytes where they are.
  const std::byte *p = m.data();
  mapped_file n(std::move(m));
  BOOST_TEST(n.data() == p);
  BOOST_TEST(m.empty());
  mapped_file o;
  o = std::move(n);
  BOOST_TEST(o.data() == p);
  BOOST_TEST(str(o.bytes()) == text);
}

BOOST_AUTO_TEST_CASE(an_empty_file_gives_an_empty_span) {
  temp_dir dir;
  write_file(dir / "empty", "");
  mapped_file m(dir / "empty");
  BOOST_TEST(m.empty());
  BOOST_TEST(m.size() == 0u);
  bytesio::span_stream in(m.bytes());
  BOOST_TEST(in.get() == std::char_traits<char>::eof());
}

BOOST_AUTO_TEST_CASE(errors_carry_errno_and_the_path) {
  temp_dir dir;
  BOOST_TEST((map_error(dir / "missing") == std::errc::no_such_file_or_directory));
  BOOST_TEST(what_of(dir / "missing").find((dir / "missing").string()) != std::string::npos);
  BOOST_TEST((map_error(dir.path()) == std::errc::is_a_directory));
#if defined(_WIN32)
  BOOST_TEST((map_error("NUL") == std::errc::no_such_device)); // a device, not a file
#else
  // A FIFO is refused at once, without waiting for a writer.
  BOOST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  BOOST_TEST((map_error(dir / "fifo") == std::errc::no_such_device));
  BOOST_TEST(what_of(dir / "fifo").find("not a regular file") != std::string::npos);
  BOOST_TEST((map_error("/dev/null") == std::errc::no_such_device));
#endif
  // The codes are the generic (errno) category, as DESIGN.md says.
  BOOST_TEST((map_error(dir / "missing").category() == std::generic_category()));
}

#if !defined(_WIN32) // file modes and seteuid are POSIX's
BOOST_AUTO_TEST_CASE(no_read_permission_is_eacces) {
  temp_dir dir;
  write_file(dir / "secret", "x");
  BOOST_REQUIRE(::chmod((dir / "secret").c_str(), 0) == 0);
  if (::geteuid() != 0) {
    BOOST_TEST((map_error(dir / "secret") == std::errc::permission_denied));
    return;
  }
  // Root ignores file modes: look at the file as nobody would, then come back.
  BOOST_REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  BOOST_REQUIRE(::seteuid(65534) == 0);
  const std::error_code ec = map_error(dir / "secret");
  BOOST_REQUIRE(::seteuid(0) == 0);
  BOOST_TEST((ec == std::errc::permission_denied));
}
#endif

BOOST_AUTO_TEST_CASE(files_beyond_4_gib_map_lazily) {
  // A sparse 5 GiB file: mapping it costs nothing, reading at 4 GiB + 7
  // touches one page.
  temp_dir dir;
  const std::uint64_t size = std::uint64_t(5) << 30, at = (std::uint64_t(4) << 30) + 7;
  write_file(dir / "sparse", "");
  std::filesystem::resize_file(dir / "sparse", size); // a hole: no disk, no memory
  {
    std::fstream f(dir / "sparse", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    f.write("far", 3);
    BOOST_REQUIRE(f.good());
  }
  mapped_file m(dir / "sparse");
  BOOST_TEST(m.size() == size);
  bytesio::span_buf b(m);
  b.seek(static_cast<std::int64_t>(at - 1));
  BOOST_TEST(str(b.read_view(5)) == std::string("\0far\0", 5));
  BOOST_TEST(b.tell() == at + 4);
}

#if !defined(_WIN32) // Windows refuses to truncate a mapped file instead
BOOST_AUTO_TEST_CASE(a_file_cut_while_mapped_raises_sigbus) {
  // Documented as the OS's rule: touching a page past the new end of a file
  // that another process truncated is SIGBUS. Proven in a child process.
  temp_dir dir;
  write_file(dir / "cut", std::string(3 * 4096, 'a'));
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGBUS, SIG_DFL); // not Boost.Test's handler, inherited from the parent
    mapped_file m(dir / "cut");
    if (::truncate((dir / "cut").c_str(), 0) != 0)
      ::_exit(2);
    volatile std::byte b = m.data()[2 * 4096]; // past the new end
    (void)b;
    ::_exit(0); // not reached on Linux
  }
  int status = 0;
  BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(WTERMSIG(status) == SIGBUS);
}
#endif

#if defined(__linux__)
#include "support/os_limits.hpp"

#include <filesystem>

BOOST_AUTO_TEST_CASE(no_address_space_for_the_mapping_is_enomem_and_leaks_nothing) {
  temp_dir dir;
  write_file(dir / "sparse", "");
  std::filesystem::resize_file(dir / "sparse", std::uint64_t(256) << 20); // a hole
  const auto fds = [] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator("/proc/self/fd"))
      ++n;
    return n;
  };
  const std::size_t before = fds();
  std::error_code ec;
  {
    address_space_limit limit(std::size_t(32) << 20);
    ec = map_error(dir / "sparse");
  }
  BOOST_TEST((ec == std::errc::not_enough_memory));
  BOOST_TEST(what_of(dir / "sparse").empty()); // maps once the room is back
  BOOST_TEST(fds() == before);                 // the descriptor was closed
}
#endif
