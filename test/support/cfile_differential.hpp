// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_CFILE_DIFFERENTIAL_HPP
#define BYTESIO_TEST_SUPPORT_CFILE_DIFFERENTIAL_HPP

// open_file against a real file: one sequence of C stdio calls run on a
// FILE over a bytesio buffer and on a FILE from fopen over a temporary file
// with the same contents, side by side, comparing after every call what C
// reports (return value, errno on failure, feof, ferror, the bytes read),
// the contents after every successful fflush, and the contents at the end.
// The calls come from a byte source, so the same engine serves the seeded
// differential test (cfile_differential_test) and the fuzz target
// (fuzz/cfile_fuzz.cpp).
//
// The sequences keep C's rules for update streams (C17 7.21.5.3): between a
// write and a read there is an fflush or a seek, between a read and a write
// a seek (unless the read met end-of-file), so what is compared is behaviour
// C defines. The generator inserts that call (compared like any other) when
// it picks an operation that needs it.
//
// Two things a real file on glibc itself gets wrong are left out, since
// there is no right answer to agree with:
// - `ungetc` of a byte other than the one just read: a seek then drops the
//   pushed-back byte while the position still counts it. `ungetc` here
//   pushes back only the byte just read.
// - a seek that fails while a pushed-back byte is pending: glibc drops the
//   byte before it tries the seek, so the failed `fseeko` has moved the
//   position by one (C17 7.21.9.2 and POSIX want a failed seek to change
//   nothing). With a byte pushed back, the seeks drawn here are to an offset
//   from the start, which cannot fail.
// - `fflush` while a pushed-back byte is pending in stdio's backup area
//   (`ungetc` after a read that bypassed stdio's buffer): glibc resets the
//   get area over the backup area and later frees a pointer it did not
//   allocate (seen here: "munmap_chunk(): invalid pointer" on a real file).
//   C leaves `fflush` of an input stream undefined; it is not drawn then.

#include "bytesio/cfile.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace bytesio::test {

/** The buffers the differential runs open_file over. */
enum class cfile_subject {
  bytes,          // bytes_buf
  spooled_rolled, // spooled_buf rolled over before the FILE opens
  spooled_small,  // spooled_buf with a 64-byte threshold: it rolls over under the FILE
};

/** The stdio buffering set with setvbuf before the first call. */
enum class cfile_buffering {
  stdio_default, // fully buffered, stdio's own size (BUFSIZ here, st_blksize for the real file)
  none,          // _IONBF
  tiny,          // _IOFBF with a 7-byte buffer
};

inline constexpr const char *cfile_modes[] = {"r", "r+", "w", "w+", "a", "a+"};

/** A byte source from a seed: the differential test's generator. */
class seeded_source {
public:
  explicit seeded_source(std::uint64_t seed) : rng_(seed) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(rng_()); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(rng_()); }
  bool empty() const { return false; }

private:
  std::mt19937_64 rng_;
};

/** One differential run's parameters. */
struct cfile_setup {
  const char *mode = "r+";
  cfile_buffering buffering = cfile_buffering::stdio_default;
  cfile_subject subject = cfile_subject::bytes;
  std::size_t initial_size = 0;
};

namespace detail_differential {

inline std::string pattern(std::size_t n, std::uint8_t salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 131 + salt + (i >> 8)) & 0xff);
  return s;
}

inline std::string read_whole_file(const std::filesystem::path &path) {
  std::string out;
  if (std::FILE *f = std::fopen(path.c_str(), "rb")) {
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;)
      out.append(chunk, n);
    std::fclose(f);
  }
  return out;
}

/** The temporary file of this process that the reference FILE opens, removed at exit. */
inline const std::filesystem::path &reference_path() {
  struct owned_path {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("bytesio-cfile-differential-" + std::to_string(::getpid()));
    ~owned_path() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  };
  static const owned_path file;
  return file.path;
}

struct file_closer {
  void operator()(std::FILE *f) const noexcept { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

/** The buffer under test, whichever it is. */
class subject_buffer {
public:
  subject_buffer(cfile_subject kind, std::string_view initial) {
    if (kind == cfile_subject::bytes) {
      bytes_.emplace(initial);
    } else {
      spooled_.emplace(kind == cfile_subject::spooled_small ? 64 : 1 << 20);
      spooled_->write(initial);
      spooled_->seek(0);
      if (kind == cfile_subject::spooled_rolled)
        spooled_->rollover();
    }
  }
  std::FILE *open(const char *mode) {
    return bytes_ ? open_file(*bytes_, mode) : open_file(*spooled_, mode);
  }
  std::string contents() const {
    if (bytes_)
      return std::string(reinterpret_cast<const char *>(bytes_->view().data()),
                         bytes_->view().size());
    const auto v = spooled_->getvalue();
    return std::string(reinterpret_cast<const char *>(v.data()), v.size());
  }

private:
  std::optional<bytes_buf> bytes_;
  std::optional<spooled_buf> spooled_;
};

} // namespace detail_differential

/**
 * Runs one sequence of up to `max_ops` calls drawn from `in` on a FILE over
 * a bytesio buffer and on a real file, both set up as `setup` says.
 * @return empty if they agreed on everything; else the first difference
 *   and the calls that led to it.
 */
template <class Source>
std::string run_cfile_differential(Source &in, const cfile_setup &setup, std::size_t max_ops) {
  namespace dd = detail_differential;
  const std::string initial = dd::pattern(setup.initial_size, in.u8());
  const auto &path = dd::reference_path();
  {
    dd::file_ptr w(std::fopen(path.c_str(), "wb"));
    if (!w || std::fwrite(initial.data(), 1, initial.size(), w.get()) != initial.size())
      return "cannot write the reference file " + path.string();
  }
  dd::subject_buffer buffer(setup.subject, initial);
  char real_vbuf[7], our_vbuf[7]; // outlive the FILEs, which close first
  errno = 0;
  dd::file_ptr real(std::fopen(path.c_str(), setup.mode));
  const int real_errno = errno;
  errno = 0;
  dd::file_ptr ours(buffer.open(setup.mode));
  if (!real || !ours)
    return std::string("open differs or failed: fopen ") + (real ? "ok" : "null") + " errno " +
           std::to_string(real_errno) + ", open_file " + (ours ? "ok" : "null") + " errno " +
           std::to_string(errno);
  if (setup.buffering == cfile_buffering::none) {
    std::setvbuf(real.get(), nullptr, _IONBF, 0);
    std::setvbuf(ours.get(), nullptr, _IONBF, 0);
  } else if (setup.buffering == cfile_buffering::tiny) {
    std::setvbuf(real.get(), real_vbuf, _IOFBF, sizeof real_vbuf);
    std::setvbuf(ours.get(), our_vbuf, _IOFBF, sizeof our_vbuf);
  }

  std::string trace = std::string("mode ") + setup.mode + ", buffering " +
                      std::to_string(static_cast<int>(setup.buffering)) + ", subject " +
                      std::to_string(static_cast<int>(setup.subject)) + ", initial size " +
                      std::to_string(initial.size()) + ":";
  auto mismatch = [&](const std::string &what, long long real_value, long long our_value) {
    return trace + "\n  => " + what + ": real file " + std::to_string(real_value) + ", bytesio " +
           std::to_string(our_value);
  };
  // Runs `call` on both FILEs with errno cleared; compares the results, errno
  // when `failed` says the result is a failure, then feof and ferror.
  auto both = [&](const std::string &name, auto call, auto failed) -> std::string {
    trace += " " + name;
    errno = 0;
    const long long r = call(real.get());
    const int re = errno;
    errno = 0;
    const long long o = call(ours.get());
    const int oe = errno;
    if (r != o)
      return mismatch(name + " returned", r, o);
    if (failed(r) && re != oe)
      return mismatch(name + " errno", re, oe);
    if (std::feof(real.get()) != std::feof(ours.get()))
      return mismatch("feof after " + name, std::feof(real.get()), std::feof(ours.get()));
    if (std::ferror(real.get()) != std::ferror(ours.get()))
      return mismatch("ferror after " + name, std::ferror(real.get()), std::ferror(ours.get()));
    return {};
  };
  auto never = [](long long) { return false; };
  auto negative = [](long long r) { return r < 0; };

  enum class last_op { none, read, read_eof, write };
  last_op last = last_op::none;
  int pushable = -1;        // the byte just read, which ungetc may push back
  bool pushed_back = false; // an ungetc'd byte is pending
  // glibc 2.36 (Debian 12) has a bug of its own here, on real files too: on
  // an update stream, a write, then fflush (which C allows before a read),
  // then a read that leaves stdio's get area empty (unbuffered, or a read
  // larger than a setvbuf buffer), then ungetc: the next read past the
  // pushed-back byte frees a pointer inside ungetc's backup area (ASan:
  // bad-free in _IO_free_backup_area). Minimal, on fopen: setvbuf(f, buf,
  // _IOFBF, 7); fwrite 7139 bytes; fseeko(f, -66, SEEK_CUR); fputc; fflush;
  // fread 21; ungetc; fgetc; fgetc. A positioning call instead of the fflush
  // does not trigger it. So no ungetc follows a read that an fflush
  // separated from a write, until the next positioning call.
  bool flushed_after_write = false;
  std::string real_bytes, our_bytes;

  for (std::size_t i = 0; i < max_ops && !in.empty(); ++i) {
    const std::uint8_t op = in.u8() % 16;
    const bool is_write = op <= 2, is_read = op >= 3 && op <= 5;
    // C's rule for update streams: the generator adds the call it requires.
    if ((is_write && (last == last_op::read)) || (is_read && last == last_op::write)) {
      const bool by_flush = is_read && (in.u8() & 1);
      std::string d =
          by_flush
              ? both(
                    "fflush", [](std::FILE *f) { return std::fflush(f); }, negative)
              : both(
                    "fseeko(0,CUR)", [](std::FILE *f) { return fseeko(f, 0, SEEK_CUR); }, negative);
      if (!d.empty())
        return d;
      flushed_after_write = by_flush;
      last = last_op::none;
    }
    std::string d;
    const int was_pushable = pushable;
    pushable = -1;
    switch (op) {
    case 0:
    case 1: { // fwrite, mostly short, sometimes past any stdio buffer
      const std::size_t n =
          (in.u8() & 7) == 0 ? std::size_t{in.u16()} % 9000 : std::size_t{in.u8()} % 40;
      const std::string data = dd::pattern(n, in.u8());
      d = both(
          "fwrite(" + std::to_string(n) + ")",
          [&](std::FILE *f) {
            return static_cast<long long>(std::fwrite(data.data(), 1, data.size(), f));
          },
          [n](long long r) { return r != static_cast<long long>(n); });
      last = last_op::write;
      break;
    }
    case 2: {
      const int c = in.u8();
      d = both(
          "fputc(" + std::to_string(c) + ")", [c](std::FILE *f) { return std::fputc(c, f); },
          [](long long r) { return r == EOF; });
      last = last_op::write;
      break;
    }
    case 3:
    case 4: { // fread; the bytes are compared too
      const std::size_t n =
          (in.u8() & 7) == 0 ? std::size_t{in.u16()} % 9000 : std::size_t{in.u8()} % 40;
      long long got = 0;
      d = both(
          "fread(" + std::to_string(n) + ")",
          [&](std::FILE *f) {
            std::string &out = f == real.get() ? real_bytes : our_bytes;
            out.assign(n, '\0');
            out.resize(std::fread(out.data(), 1, n, f));
            got = static_cast<long long>(out.size());
            return got;
          },
          [&](long long) { return std::ferror(real.get()) != 0; });
      if (d.empty() && real_bytes != our_bytes)
        return trace + "\n  => fread read different bytes";
      if (got > 0) {
        pushable = static_cast<unsigned char>(real_bytes.back());
        pushed_back = false;
      }
      last = static_cast<std::size_t>(got) < n ? last_op::read_eof : last_op::read;
      break;
    }
    case 5: {
      long long got = 0;
      d = both(
          "fgetc",
          [&got](std::FILE *f) {
            const int c = std::fgetc(f);
            got = c;
            return static_cast<long long>(c);
          },
          [](long long r) { return r == EOF; });
      if (got != EOF) {
        pushable = static_cast<int>(got);
        pushed_back = false;
      }
      last = got == EOF ? last_op::read_eof : last_op::read;
      break;
    }
    case 6: { // ungetc of the byte just read, only right after reading it
      if (was_pushable < 0 || flushed_after_write)
        break;
      d = both(
          "ungetc(" + std::to_string(was_pushable) + ")",
          [was_pushable](std::FILE *f) { return std::ungetc(was_pushable, f); },
          [](long long r) { return r == EOF; });
      pushed_back = true;
      last = last_op::read;
      break;
    }
    case 7:
    case 8:
    case 9: { // fseeko: every origin, near and far, before the start too
      const int whence = in.u8() % 3 == 0 || pushed_back ? SEEK_SET
                         : (in.u8() & 1)                 ? SEEK_CUR
                                                         : SEEK_END;
      const std::uint8_t kind = in.u8();
      long long off = static_cast<long long>(in.u16() % 200) - 100;
      if (whence == SEEK_SET)
        off = (kind & 3) == 0 && !pushed_back ? -1 - (kind >> 2)
                                              : static_cast<long long>(in.u16() % 24000);
      else if ((kind & 7) == 0)
        off += (kind & 8) ? 10000 : -30000;
      const std::string names[] = {"SET", "CUR", "END"};
      d = both(
          "fseeko(" + std::to_string(off) + "," + names[whence] + ")",
          [off, whence](std::FILE *f) { return static_cast<long long>(fseeko(f, off, whence)); },
          negative);
      pushed_back = false;
      flushed_after_write = false;
      last = last_op::none;
      break;
    }
    case 10:
    case 11:
      d = both(
          "ftello", [](std::FILE *f) { return static_cast<long long>(ftello(f)); }, negative);
      break;
    case 12:
    case 13: {
      if (pushed_back)
        break;
      d = both(
          "fflush", [](std::FILE *f) { return std::fflush(f); }, negative);
      if (d.empty() && last != last_op::read && last != last_op::read_eof) {
        // Every byte written has reached both files.
        if (dd::read_whole_file(path) != buffer.contents())
          return trace + "\n  => contents differ after fflush";
      }
      if (last == last_op::write) {
        flushed_after_write = true;
        last = last_op::none;
      }
      break;
    }
    case 14:
      d = both(
          "clearerr",
          [](std::FILE *f) {
            std::clearerr(f);
            return 0LL;
          },
          never);
      break;
    default: { // a rewind, as programs do between passes
      d = both(
          "rewind",
          [](std::FILE *f) {
            std::rewind(f);
            return 0LL;
          },
          never);
      pushed_back = false;
      flushed_after_write = false;
      last = last_op::none;
      break;
    }
    }
    if (!d.empty())
      return d;
  }
  trace += " fclose";
  errno = 0;
  const int rc = std::fclose(real.release());
  const int re = errno;
  errno = 0;
  const int oc = std::fclose(ours.release());
  const int oe = errno;
  if (rc != oc)
    return mismatch("fclose returned", rc, oc);
  if (rc != 0 && re != oe)
    return mismatch("fclose errno", re, oe);
  const std::string real_contents = dd::read_whole_file(path);
  const std::string our_contents = buffer.contents();
  if (real_contents != our_contents) {
    std::size_t at = 0;
    while (at < real_contents.size() && at < our_contents.size() &&
           real_contents[at] == our_contents[at])
      ++at;
    return mismatch("final contents: sizes", static_cast<long long>(real_contents.size()),
                    static_cast<long long>(our_contents.size())) +
           ", first difference at " + std::to_string(at);
  }
  return {};
}

/** A setup drawn from the source (mode, buffering, buffer and initial size). */
template <class Source>
cfile_setup draw_cfile_setup(Source &in) {
  cfile_setup s;
  s.mode = cfile_modes[std::size_t{in.u8()} % 6];
  s.buffering = static_cast<cfile_buffering>(in.u8() % 3);
  s.subject = static_cast<cfile_subject>(in.u8() % 3);
  const std::uint8_t size_kind = in.u8();
  s.initial_size = (size_kind & 3) == 0   ? 0
                   : (size_kind & 3) == 1 ? std::size_t{in.u8()} % 64
                   : (size_kind & 3) == 2 ? std::size_t{in.u16()} % 600
                                          : std::size_t{in.u16()} % 20000;
  return s;
}

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_CFILE_DIFFERENTIAL_HPP
