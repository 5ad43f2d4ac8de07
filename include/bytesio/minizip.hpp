// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_MINIZIP_HPP
#define BYTESIO_MINIZIP_HPP

// minizip's I/O table over a bytesio buffer: ZIP archives written and read
// in memory (or in a spooled_buf), no temporary file. Header-only; needs
// minizip's headers (<minizip/ioapi.h>: Debian's libminizip-dev, zlib's
// contrib/minizip) and the program links minizip itself (-lminizip).

#include "bytesio/bytes_buf.hpp"
#include "bytesio/detail/c_file.hpp"
#include "bytesio/span_buf.hpp"
#include "bytesio/spooled_buf.hpp"

#include <minizip/ioapi.h>

#include <string>

namespace bytesio {

/**
 * minizip's file functions on `buf`, for `zipOpen2_64` and `unzOpen2_64`:
 * the archive is the buffer, read, written and seeked at its one position
 * by the same rules as `open_file` (cfile.hpp).
 *
 * @code
 * bytesio::bytes_buf archive;
 * zlib_filefunc64_def io = bytesio::minizip_io(archive);
 * zipFile zip = zipOpen2_64("archive.zip", APPEND_STATUS_CREATE, nullptr, &io);
 * @endcode
 *
 * - The file name minizip passes to `zopen64_file` is ignored: the buffer
 *   is the file. minizip's open modes map as its own `fopen` table does:
 *   `ZLIB_FILEFUNC_MODE_CREATE` (a new archive, `APPEND_STATUS_CREATE`)
 *   cuts the contents to 0 ("w+b"); `MODE_EXISTING` (`APPEND_STATUS_ADDINZIP`,
 *   `CREATEAFTER`) keeps them ("r+b"); reading only ("rb") for `unzOpen2_64`.
 *   Any other mode starts at the buffer's position; minizip seeks where it
 *   needs (the central directory at the end, `CREATEAFTER`'s end).
 * - Seek origins `ZLIB_FILEFUNC_SEEK_SET`/`CUR`/`END` map to the file's;
 *   the unsigned `ZPOS64_T` offset is taken as signed (two's complement),
 *   so a relative seek back works; a seek before the start fails (-1), as
 *   `fseek`'s does, where the buffer itself would clamp to 0.
 * - Errors, in minizip's convention: `zread_file`/`zwrite_file` return a
 *   short count, `ztell64_file` `(ZPOS64_T)-1`, `zseek64_file` and
 *   `zclose_file` -1; each failure sets `errno` as `open_file`'s table says
 *   (EFBIG size limit, EBADF closed buffer, EBUSY live `getbuffer()` view,
 *   EINVAL a bad seek, ENOMEM, a `spooled_buf`'s OS error) and is kept:
 *   `zerror_file` (minizip's `testerror`) then returns that `errno` value
 *   (non-zero) for the rest of the stream's life, so minizip reports
 *   `ZIP_ERRNO`/`UNZ_ERRNO`, and `minizip_error_message()` gives the
 *   exception's text. A write the size limit cuts lands the bytes up to
 *   the limit; what was written before a failure stays.
 * - `span_buf`: reading only. `zipOpen2_64` on one fails (NULL; `errno`
 *   EINVAL), and nothing is allocated.
 *
 * Each `zopen64_file` allocates a small state that `zclose_file` frees
 * (`zipClose`/`unzClose`, which minizip calls on its own failure paths
 * too), so nothing leaks; the table itself holds only `&buf` and may be
 * copied and reused for any number of archives.
 *
 * Lifetime: the buffer must outlive every `zipFile`/`unzFile` opened with
 * the table and must not move before `zipClose`/`unzClose`. A `zipFile`
 * writes its central directory at `zipClose`: the archive is complete only
 * then. Thread safety: that of the buffer; one archive per buffer at a time.
 *
 * @return the table, its `opaque` pointing at `buf`. Never throws.
 */
template <class Storage>
zlib_filefunc64_def minizip_io(basic_bytes_buf<Storage> &buf) noexcept;

/** minizip's file functions on a `spooled_buf`; see `minizip_io(basic_bytes_buf&)`. */
inline zlib_filefunc64_def minizip_io(spooled_buf &buf) noexcept;

/**
 * minizip's file functions on a `span_buf`, for `unzOpen2_64` only (an
 * archive the caller already has in memory, or a `mapped_file`); see
 * `minizip_io(basic_bytes_buf&)`.
 */
inline zlib_filefunc64_def minizip_io(span_buf &buf) noexcept;

/**
 * The text of the last failure a `minizip_io` callback reported on the
 * calling thread (the buffer's exception message, e.g. the size limit it
 * would pass), for when minizip returns `ZIP_ERRNO`/`UNZ_ERRNO` or a NULL
 * handle. Like `errno`, it is meaningful right after a failure and never
 * cleared by success; empty before the first failure on this thread. The
 * reference stays valid for the thread's life; the text changes with the
 * next failure.
 */
inline const std::string &minizip_error_message() noexcept;

} // namespace bytesio

#include "bytesio/impl/minizip.hpp"

#endif // BYTESIO_MINIZIP_HPP
