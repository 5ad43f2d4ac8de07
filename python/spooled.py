# SPDX-License-Identifier: BSL-1.0
# bytesio.SpooledTemporaryFile: tempfile.SpooledTemporaryFile's signature and
# API over _SpooledFile, the C++ spooled_buf (memory up to max_size, then an
# anonymous temporary file). Run inside the bytesio module when it is
# imported (python/CMakeLists.txt embeds this file). Unlike CPython's, the
# rollover is the C++ buffer's: nothing is copied through Python, and a
# failed rollover (a full disk, a missing dir) loses nothing.

import io as _io
import types as _types
import warnings as _warnings


class SpooledTemporaryFile(_io.IOBase):
    """A file in memory until it grows past max_size (0: never by writing)
    or fileno() is asked for, then in an unnamed temporary file in dir."""

    def __init__(self, max_size=0, mode="w+b", buffering=-1, encoding=None,
                 newline=None, suffix=None, prefix=None, dir=None, *, errors=None):
        # buffering, suffix and prefix are accepted as tempfile's are: the
        # file has no name to put them in, and spooled_buf does its buffering.
        self._binary = _SpooledFile(max_size if max_size > 0 else 0, dir)
        self._max_size = max_size
        self._mode = mode
        if "b" in mode:
            self._file = self._binary
        else:
            self._file = _io.TextIOWrapper(self._binary, encoding=_io.text_encoding(encoding),
                                           errors=errors, newline=newline)

    __class_getitem__ = classmethod(_types.GenericAlias)

    @property
    def _rolled(self):
        return self._binary._rolled

    def _check(self):
        # As tempfile's: past max_size, roll over (text mode: tell() sends
        # what the wrapper holds down to the binary file first).
        if not self._binary._rolled and self._max_size and self._file.tell() > self._max_size:
            self.rollover()

    def rollover(self):
        if self._file is not self._binary:
            self._file.flush()
        self._binary.rollover()

    def __enter__(self):
        if self._file.closed:
            raise ValueError("Cannot enter context with closed file")
        return self

    def __exit__(self, exc, value, tb):
        self._file.close()

    def __iter__(self):
        return self._file.__iter__()

    def __next__(self):
        return self._file.__next__()

    def __del__(self):
        if not self.closed:
            _warnings.warn("Unclosed file {!r}".format(self), ResourceWarning, stacklevel=2,
                           source=self)
            self.close()

    def close(self):
        self._file.close()

    @property
    def closed(self):
        return self._file.closed

    @property
    def encoding(self):
        return self._file.encoding

    @property
    def errors(self):
        return self._file.errors

    @property
    def newlines(self):
        return self._file.newlines

    def fileno(self):
        self.rollover()
        return self._binary.fileno()

    def flush(self):
        self._file.flush()

    def isatty(self):
        return self._file.isatty()

    @property
    def mode(self):
        # As tempfile's: the mode given, then the temporary file's.
        if self._binary._rolled and "b" in self._mode:
            return "rb+"
        return self._mode

    @property
    def name(self):
        if self._file is not self._binary and not self._file.closed:
            self._file.flush()
        return self._binary.name

    def readable(self):
        return self._file.readable()

    def read(self, *args):
        return self._file.read(*args)

    def read1(self, *args):
        return self._file.read1(*args)

    def readinto(self, b):
        return self._file.readinto(b)

    def readinto1(self, b):
        return self._file.readinto1(b)

    def readline(self, *args):
        return self._file.readline(*args)

    def readlines(self, *args):
        return self._file.readlines(*args)

    def seekable(self):
        return self._file.seekable()

    def seek(self, *args):
        return self._file.seek(*args)

    def tell(self):
        return self._file.tell()

    def truncate(self, size=None):
        if size is None and not self._binary._rolled and self._file is self._binary:
            # As tempfile's BytesIO: at a position past the end, nothing to
            # cut and no rollover (spooled_buf's truncate(n) rolls for any n
            # past max_size, the position included).
            pos = self._binary.tell()
            end = self._binary.seek(0, 2)
            self._binary.seek(pos)
            self._binary.truncate(min(pos, end))
            return pos
        if size is not None and size > self._max_size:
            self.rollover()
        size = self._file.truncate(size)
        if self._binary._rolled:
            # tempfile's file is then a real one, whose truncate extends it
            # (spooled_buf's never does): zeros up to `size`, position kept.
            pos = self._binary.tell()
            if self._binary.seek(0, 2) < size:
                self._binary.seek(size - 1)
                self._binary.write(b"\0")
            self._binary.seek(pos)
        return size

    def writable(self):
        return self._file.writable()

    def write(self, s):
        rv = self._file.write(s)
        self._check()
        return rv

    def writelines(self, iterable):
        rv = self._file.writelines(iterable)
        self._check()
        return rv

    def detach(self):
        return self._file.detach()
