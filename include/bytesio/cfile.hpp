// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_CFILE_HPP
#define BYTESIO_CFILE_HPP

// A C `FILE*` over a bytesio buffer, for the C libraries that take nothing
// else: libpng's png_init_io, libjpeg's jpeg_stdio_dest/jpeg_stdio_src,
// fprintf-based writers, libarchive's archive_write_open_FILE.

#include "bytesio/bytes_buf.hpp"
#include "bytesio/detail/c_file.hpp"
#include "bytesio/span_buf.hpp"
#include "bytesio/spooled_buf.hpp"

#include <cstdio>

/**
 * 1 where `open_file` is declared: glibc (`fopencookie`) and the BSDs and
 * macOS (`funopen`); 0 elsewhere (Windows, other C libraries), where the C
 * library has no way to make a `FILE` over user callbacks and `open_file`
 * is not declared at all (so `#if BYTESIO_HAS_OPEN_FILE` guards its use).
 */
#if defined(_WIN32)
#define BYTESIO_HAS_OPEN_FILE 0
#elif defined(BYTESIO_DETAIL_CFILE_USE_FUNOPEN) // internal: tests on an emulated funopen
#define BYTESIO_HAS_OPEN_FILE 1
#define BYTESIO_DETAIL_CFILE_FUNOPEN 1
#elif defined(__GLIBC__) && defined(_GNU_SOURCE) // g++ and clang++ define it on glibc
#define BYTESIO_HAS_OPEN_FILE 1
#define BYTESIO_DETAIL_CFILE_FOPENCOOKIE 1
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || \
    defined(__DragonFly__)
#define BYTESIO_HAS_OPEN_FILE 1
#define BYTESIO_DETAIL_CFILE_FUNOPEN 1
#else
#define BYTESIO_HAS_OPEN_FILE 0
#endif

#if BYTESIO_HAS_OPEN_FILE

namespace bytesio {

/**
 * Opens a C stream over `buf`: every read, write and seek of the `FILE*`
 * goes through the buffer's one position, so C code that takes a `FILE*`
 * writes into memory (or into a `spooled_buf`'s file) and reads from it.
 *
 * @code
 * bytesio::bytes_buf png;
 * std::FILE *f = bytesio::open_file(png, "wb");
 * png_init_io(png_ptr, f);   // libpng writes into png
 * ...
 * std::fclose(f);            // png.view() is the image
 * @endcode
 *
 * Modes are C's (`fopen`), with the buffer as the file:
 * - `"r"`: read; `"r+"`: read and write, nothing cut. Both start at the
 *   buffer's position (not at 0: open after `seek` to read from there).
 * - `"w"`, `"w+"`: cut the contents to 0 and rewind, then write (and read).
 * - `"a"`, `"a+"`: every write goes to the end, whatever the position
 *   (as `O_APPEND`). `"a"` starts at the end, as `fopen`'s does;
 *   `"a+"` reads from the buffer's position (glibc starts a real file's
 *   `"a+"` at 0, the BSDs at the end).
 * - `"b"` is accepted and ignored (there is no text mode); `"x"` after `w`
 *   (C11: "the file must not exist") fails with EEXIST, since the buffer
 *   is a file that exists.
 * Anything else is not a C mode: `""`, `"x"`, `"rw"`, glibc's `"e"`,
 * `"m"`, `",ccs="` give `nullptr` with `errno == EINVAL`.
 *
 * Positions are 64-bit: use `fseeko`/`ftello` (off_t is 64-bit on LP64
 * systems and with `_FILE_OFFSET_BITS=64`). Seeking past the end is
 * allowed (a later write zero-fills the gap, as a file's does); before the
 * start fails with EINVAL, as `fseek` does (the buffer itself would clamp).
 *
 * stdio buffers: the `FILE` has a buffer of its own (`BUFSIZ` bytes, fully
 * buffered; `setvbuf` before the first I/O changes it), so writes reach the
 * buffer on `fflush`, when stdio's buffer fills, on `fseeko` and at
 * `fclose`, and reads fetch ahead. The position is shared exactly when
 * stdio's buffer is empty: after `fflush(f)` (on a stream that read too:
 * glibc seeks back over what it fetched ahead), `buf.tell() == ftello(f)`
 * and every byte written is in `buf`. Using the buffer directly while the
 * `FILE` is open is fine after `fflush`, but the `FILE` keeps its own
 * cached offset and fetched bytes: to go on with the `FILE` after changing
 * the buffer or its position directly, `fclose` it and open a new one
 * (which starts at the buffer's position). `setvbuf(f, nullptr, _IONBF, 0)`
 * makes every write reach the buffer at once, at a cost per call.
 *
 * Positions agree with a real file's on the same C library, whatever the
 * buffering, in every mode (a differential test runs seeded sequences of
 * stdio calls on both): glibc's own cookie streams do not (its cookie write
 * leaves the FILE's cached offset behind, so after a write inside its
 * read-ahead a `SEEK_CUR` seek started from a stale offset, and `fmemopen`
 * still does); `impl/cfile.hpp` says how bytesio puts that right. On the
 * funopen branch (BSD, macOS), whose stdio keeps its offset right but is
 * not told that an `"a"`/`"a+"` stream appends, `ftello` with appended
 * bytes still in stdio's buffer counts from the position rather than the
 * end: `fflush` first there.
 *
 * Failures set the `FILE`'s error indicator (`ferror`) and `errno`, and
 * lose nothing that reached the buffer before them:
 * | failure                                            | errno     |
 * |----------------------------------------------------|-----------|
 * | a write past the size limit (`set_size_limit`)     | EFBIG     |
 * | the buffer was closed (`close()`)                  | EBADF     |
 * | a write while a `getbuffer()` view is alive        | EBUSY     |
 * | a write on `"r"`, a read on `"w"`/`"a"` (stdio's)  | EBADF     |
 * | a seek before the start, or an unknown origin      | EINVAL    |
 * | a seek beyond INT64_MAX                            | EOVERFLOW |
 * | out of memory                                      | ENOMEM    |
 * | a `spooled_buf`'s temporary file                   | its own (ENOSPC, EIO, ...) |
 * EFBIG, as `write(2)` past `RLIMIT_FSIZE`: a write the size limit cuts
 * lands the bytes up to the limit and reports the rest short; every other
 * refused write lands nothing of that call. stdio then drops (glibc) or
 * keeps (BSD) what it could not flush; `clearerr` before going on.
 *
 * `fclose(f)` flushes and ends the `FILE`; the buffer stays open with all
 * its bytes. If the buffer was closed before `fclose`, the cookie is still
 * freed and `fclose` returns `EOF` with `errno == EBADF`.
 *
 * Lifetime: the buffer must outlive the `FILE` and must not be moved,
 * swapped or destroyed before `fclose`. Thread safety: the `FILE` locks
 * itself, the buffer does not: use the buffer and its `FILE`s from one
 * thread at a time, and never the buffer directly while another thread uses
 * the `FILE`. Several `FILE`s over one buffer share its one position, and
 * each caches it as two `FILE`s over one descriptor do: use one at a time,
 * with `fflush` between.
 *
 * @param buf the buffer: `basic_bytes_buf<S>` (any storage), `spooled_buf`
 *   (its rollover happens under the `FILE`'s writes as under any others) or
 *   `span_buf` (read modes only).
 * @param mode a C mode, as above.
 * @return the stream, to be `fclose`d; or `nullptr` with `errno` set:
 *   EINVAL (not a C mode), EEXIST (`"wx"`), EBADF (the buffer is closed),
 *   EBUSY (`"w"` on a `bytes_buf` with a live `getbuffer()` view: the
 *   contents are not cut), ENOMEM. Nothing is allocated or changed then.
 *   Never throws.
 */
template <class Storage>
std::FILE *open_file(basic_bytes_buf<Storage> &buf, const char *mode) noexcept;

/**
 * Opens a C stream over a `spooled_buf`; see `open_file(basic_bytes_buf&)`.
 * Writes that pass the threshold roll the buffer over to its temporary file
 * as any write does; an OS error of that file (disk full) sets the `FILE`'s
 * error indicator with its `errno`.
 */
inline std::FILE *open_file(spooled_buf &buf, const char *mode) noexcept;

/**
 * Opens a read-only C stream over a `span_buf`; see
 * `open_file(basic_bytes_buf&)`. Only `"r"` and `"rb"`: any mode that
 * writes (`"r+"`, `"w"`, `"a"`, ...) gives `nullptr` with `errno ==
 * EINVAL` and allocates nothing. The caller's memory is never written.
 */
inline std::FILE *open_file(span_buf &buf, const char *mode) noexcept;

namespace detail {
/** The one `open_file`: a `FILE` over the buffer behind `ops`. */
inline std::FILE *open_c_stream(void *buf, const buffer_ops &ops, const char *mode) noexcept;
} // namespace detail

} // namespace bytesio

#include "bytesio/impl/cfile.hpp"

#endif // BYTESIO_HAS_OPEN_FILE

#endif // BYTESIO_CFILE_HPP
