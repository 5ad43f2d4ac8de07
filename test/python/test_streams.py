# SPDX-License-Identifier: BSL-1.0
"""bytesio/python.hpp: C++ functions taking std::ostream&, std::istream& and
std::iostream&, called with Python file objects (run by CTest; the test
extension stream_ext is built from test/python/stream_ext.cpp)."""

import errno
import gzip
import io
import os
import random
import socket
import tempfile
import threading
import unittest

import bytesio
import stream_ext as ext


def records(count, size):
    return b"".join(bytes([i % 251]) * size for i in range(count))


class ReadOnly:
    """Only `read`: the reading half without readinto."""
    def __init__(self, data):
        self._f = io.BytesIO(data)

    def read(self, n=-1):
        return self._f.read(n)


class WriteOnly:
    """Only `write`, taking a few bytes at a time (a short-writing raw file)."""
    def __init__(self, step=7):
        self.data = bytearray()
        self.step = step

    def write(self, b):
        b = memoryview(b)[: self.step]
        self.data += b
        return len(b)


class FullDisk(io.RawIOBase):
    """A file whose write fails with ENOSPC after `room` bytes."""
    def __init__(self, room):
        self.room = room
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        if len(self.data) + len(b) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.data += b
        return len(b)


class NotReady(io.RawIOBase):
    """A non-blocking raw file: write and readinto return None."""
    def writable(self):
        return True

    def readable(self):
        return True

    def write(self, b):
        return None

    def readinto(self, b):
        return None


class KeepsViews:
    """A file object that keeps the memoryview it was given."""
    def __init__(self):
        self.views = []

    def write(self, b):
        self.views.append(b)
        return len(b)


class RoundTrips(unittest.TestCase):
    def check_write_read(self, make_file):
        data = records(300, 4096)
        f = make_file()
        ext.write_records(f, 300, 4096)
        f.seek(0)
        self.assertEqual(ext.read_all(f), data)
        f.seek(0)
        self.assertEqual(f.read(), data)

    def test_bytesio(self):
        self.check_write_read(io.BytesIO)

    def test_real_file(self):
        with tempfile.TemporaryFile() as f:
            self.check_write_read(lambda: f)

    def test_unbuffered_real_file(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "x"), "w+b", buffering=0) as f:
                self.check_write_read(lambda: f)

    def test_spooled_temporary_file(self):
        for max_size in (0, 1 << 30, 100_000):
            with tempfile.SpooledTemporaryFile(max_size) as f:
                self.check_write_read(lambda: f)

    def test_gzip_file(self):
        raw = io.BytesIO()
        with gzip.GzipFile(fileobj=raw, mode="wb") as g:
            ext.write_records(g, 100, 1000)
        self.assertEqual(gzip.decompress(raw.getvalue()), records(100, 1000))
        with gzip.GzipFile(fileobj=io.BytesIO(raw.getvalue())) as g:
            self.assertEqual(ext.read_all(g, 333), records(100, 1000))
        with gzip.GzipFile(fileobj=io.BytesIO(raw.getvalue())) as g:
            self.assertEqual(ext.seek_to(g, 50_000), 50_000)
            self.assertEqual(ext.read_some(g, 1000), records(100, 1000)[50_000:51_000])
            self.assertEqual(g.tell(), 51_000)

    def test_socket_pair(self):
        a, b = socket.socketpair()
        with a, b, a.makefile("rwb") as fa, b.makefile("rwb") as fb:
            data = records(50, 1000)
            t = threading.Thread(target=ext.write_records_nogil, args=(fa, 50, 1000))
            t.start()
            got = ext.read_some(fb, len(data))
            t.join()
            self.assertEqual(got, data)
            # not seekable: seeking from C++ fails cleanly
            self.assertEqual(ext.seek_to(fb, 0), -1)

    def test_read_only_and_write_only_objects(self):
        data = records(40, 999)
        self.assertEqual(ext.read_all(ReadOnly(data), 100), data)
        w = WriteOnly()
        ext.write_records(w, 40, 999)
        self.assertEqual(bytes(w.data), data)

    def test_readme_example(self):
        f = io.BytesIO()
        ext.save_report(f, 3)
        self.assertEqual(f.getvalue(), b"row 0\nrow 1\nrow 2\n")
        b = bytesio.BytesIO()
        ext.save_report(b, 2)
        self.assertEqual(b.getvalue(), b"row 0\nrow 1\n")

    def test_lines(self):
        self.assertEqual(ext.line_count(io.BytesIO(b"a\nbb\n\nccc")), 4)

    def test_istream_leaves_python_at_its_position(self):
        f = io.BytesIO(bytes(range(256)) * 1000)
        self.assertEqual(ext.read_some(f, 10), bytes(range(10)))
        self.assertEqual(f.tell(), 10)  # not 64 KiB: the read-ahead was given back
        self.assertEqual(f.read(3), bytes([10, 11, 12]))

    def test_copy_between_files(self):
        src = io.BytesIO(records(1000, 1000))
        dst = io.BytesIO()
        self.assertEqual(ext.copy_stream(src, dst, 100_000), 1_000_000)
        self.assertEqual(dst.getvalue(), records(1000, 1000))


class LentBytesIO(unittest.TestCase):
    """A bytesio.BytesIO is handed to C++ as its bytes_buf itself."""

    def test_write_read_and_positions(self):
        b = bytesio.BytesIO(b"head")
        self.assertEqual(b.getvalue(), b"head")  # kept by the BytesIO until C++ changes it
        b.seek(2)
        ext.write_records_nogil(b, 300, 4096)
        self.assertEqual(b.tell(), 2 + 300 * 4096)
        self.assertEqual(b.getvalue(), b"he" + records(300, 4096))
        b.seek(2)
        self.assertEqual(ext.read_some(b, 5000), records(300, 4096)[:5000])
        self.assertEqual(b.tell(), 5002)
        self.assertEqual(ext.read_all(b), records(300, 4096)[5000:])

    def test_python_methods_refuse_while_lent(self):
        b = bytesio.BytesIO()
        seen = []

        def during():
            for call in (lambda: b.write(b"x"), b.getvalue, b.tell, b.getbuffer,
                         lambda: b.seek(0), b.close, lambda: next(b)):
                with self.assertRaises(BufferError):
                    call()
            seen.append(True)
        ext.write_call_write(b, "ab", during)
        self.assertEqual(seen, [True])
        self.assertEqual(b.getvalue(), b"abab")  # usable again afterwards

    def test_io_bytesio_sees_the_flush_during_the_call(self):
        f = io.BytesIO()
        ext.write_call_write(f, "ab", lambda: self.assertEqual(f.getvalue(), b"ab"))
        self.assertEqual(f.getvalue(), b"abab")

    def test_a_subclass_overriding_write_is_called(self):
        class Counting(bytesio.BytesIO):
            calls = 0

            def write(self, b):
                self.calls += 1
                return super().write(b)

        class Plain(bytesio.BytesIO):
            pass
        c, p = Counting(), Plain()
        ext.write_records(c, 40, 4096)
        ext.write_call_write(p, "ab", lambda: self.assertRaises(BufferError, p.tell))
        self.assertGreater(c.calls, 0)
        self.assertEqual(c.getvalue(), records(40, 4096))
        self.assertEqual(p.getvalue(), b"abab")

    def test_pinned_or_closed_goes_through_python(self):
        b = bytesio.BytesIO(b"0123")
        view = b.getbuffer()
        with self.assertRaises(BufferError):
            ext.write_records(b, 1, 10)
        self.assertEqual(ext.read_all(b), b"0123")  # reading a pinned buffer is fine
        view.release()
        b.close()
        with self.assertRaises(ValueError):
            ext.write_records(b, 1, 10)


class Errors(unittest.TestCase):
    def test_not_a_file(self):
        with self.assertRaisesRegex(TypeError, "write.*'int'"):
            ext.write_records(3, 1, 1)
        with self.assertRaisesRegex(TypeError, r"read \(or readinto\).*'WriteOnly'"):
            ext.read_all(WriteOnly())
        with self.assertRaisesRegex(TypeError, "read .*and write"):
            ext.run_ops(ReadOnly(b""), [])

    def test_python_exception_comes_back_as_itself(self):
        disk = FullDisk(100_000)
        with self.assertRaises(OSError) as cm:
            ext.write_records(disk, 100, 4096)
        self.assertEqual(cm.exception.errno, errno.ENOSPC)
        self.assertEqual(len(disk.data) % 65536, 0)  # whole buffers landed, nothing else

    def test_badbit_seen_by_cpp_and_the_exception_raised_after(self):
        with self.assertRaises(OSError):
            ext.write_and_report(FullDisk(10), "x" * 100)

    def test_exception_escaping_cpp_is_the_python_one(self):
        with self.assertRaises(OSError) as cm:
            ext.write_throwing(FullDisk(10), "x" * 100)
        self.assertEqual(cm.exception.errno, errno.ENOSPC)

    def test_cpp_exception(self):
        out = io.BytesIO()
        with self.assertRaisesRegex(IndexError, "thrown by C\\+\\+"):
            ext.write_then_throw(out, "written")
        self.assertEqual(out.getvalue(), b"written")  # flushed all the same

    def test_none_from_a_non_blocking_file(self):
        # As Python's buffered files say it: BlockingIOError, also when the
        # C++ code does not look at the stream (save_report)
        for call in (lambda: ext.write_throwing(NotReady(), "abc"),
                     lambda: ext.write_and_report(NotReady(), "abc"),
                     lambda: ext.save_report(NotReady(), 3),
                     lambda: ext.read_some(NotReady(), 10)):
            with self.assertRaisesRegex(BlockingIOError, "returned None"):
                call()

    def test_closed_file(self):
        f = io.BytesIO()
        f.close()
        with self.assertRaises(ValueError):
            ext.write_records(f, 1, 1)

    def test_file_closed_by_python_while_cpp_holds_it(self):
        f = io.BytesIO()
        with self.assertRaisesRegex(ValueError, "closed file"):
            ext.write_call_write(f, "ab", f.close)
        r = io.BytesIO(b"x" * 100_000)
        with self.assertRaisesRegex(ValueError, "closed file"):
            ext.write_call_write(io.BytesIO(), "", r.close)
            ext.read_some(r, 10)

    def test_kept_views_are_released(self):
        k = KeepsViews()
        ext.write_records(k, 1, 10)
        with self.assertRaises(ValueError):
            bytes(k.views[0])

    def test_error_after_the_stream_failed(self):
        # a failed seek leaves the stream failed; the pending bytes are still
        # written before the call returns, and their error still raised
        class FullDuplex:
            def read(self, n=-1):
                return b""

            def write(self, b):
                raise OSError(errno.ENOSPC, "No space left on device")
        with self.assertRaises(OSError) as caught:
            ext.run_ops(FullDuplex(), [("w", "abc"), ("s", 0, 0)])
        self.assertEqual(caught.exception.errno, errno.ENOSPC)

    def test_views_are_released_when_write_raises(self):
        def keeps_and_fails(self, b):
            self.view = b
            raise OSError(errno.EIO, "lost")
        for method, call in (("write", lambda f: ext.write_records(f, 10, 1000)),
                             ("readinto", lambda f: ext.read_some(f, 10))):
            f = type("KeepsAndFails", (), {method: keeps_and_fails})()
            with self.assertRaises(OSError):
                call(f)
            with self.assertRaises(ValueError):  # not file_buf's freed buffer
                bytes(f.view)


class Misbehaving(unittest.TestCase):
    """File objects that break the io protocol get a clear error, never a crash."""

    class Writes:
        def __init__(self, answer):
            self.answer = answer

        def write(self, b):
            return self.answer(len(b))

    class ReadsInto:
        def __init__(self, answer):
            self.answer = answer

        def readinto(self, b):
            return self.answer(len(b))

    class Reads:
        def __init__(self, answer):
            self.answer = answer

        def read(self, n=-1):
            return self.answer(n)

    def test_write_counts_out_of_range(self):
        # OSError, as Python's BufferedWriter raises for a raw write's bad
        # count; also when the C++ code does not check the stream
        for answer in (lambda n: 0, lambda n: n + 1, lambda n: -1):
            for call in (ext.write_throwing, ext.write_and_report):
                with self.assertRaisesRegex(OSError, "write returned"):
                    call(self.Writes(answer), "abc")
        with self.assertRaises(TypeError):  # not a count
            ext.write_and_report(self.Writes(lambda n: "3"), "abc")

    def test_readinto_counts_out_of_range(self):
        for answer in (lambda n: n + 1, lambda n: -1):
            for call in (ext.read_throwing, ext.read_some):
                with self.assertRaisesRegex(OSError, "readinto returned"):
                    call(self.ReadsInto(answer), 10)

    def test_read_answers(self):
        with self.assertRaisesRegex(BlockingIOError, "read returned None"):
            ext.read_throwing(self.Reads(lambda n: None), 10)
        with self.assertRaisesRegex(OSError, "read returned .* bytes for"):
            ext.read_some(self.Reads(lambda n: b"x" * (n + 1)), 10)
        with self.assertRaises(TypeError):  # not a bytes-like object
            ext.read_throwing(self.Reads(lambda n: "text"), 10)
        self.assertEqual(ext.read_throwing(self.Reads(lambda n: bytearray(b"ab")), 2), b"ab")

    def test_put_one_character_at_a_time(self):
        data = records(40, 4096).decode("latin-1")  # past the 64 KiB buffer
        out = io.BytesIO()
        ext.put_chars(out, data)
        self.assertEqual(out.getvalue(), data.encode("latin-1"))
        with self.assertRaises(OSError):
            ext.put_chars(FullDisk(100), data)

    def test_seek_returning_none_asks_tell(self):
        class SeekNone(io.BytesIO):
            def seek(self, pos, whence=0):
                super().seek(pos, whence)
                return None

        self.assertEqual(ext.seek_to(SeekNone(b"0123456789"), 7), 7)

    def test_file_buf_itself(self):
        self.assertEqual(ext.file_buf_of(io.BytesIO()), (True, True, True))
        self.assertEqual(ext.file_buf_of(WriteOnly()), (False, True, False))
        self.assertEqual(ext.file_buf_of(ReadOnly(b"")), (True, False, False))
        with self.assertRaisesRegex(TypeError, "'int' object is not a file"):
            ext.file_buf_of(3)
        with self.assertRaisesRegex(ValueError, "buffer size"):
            ext.file_buf_of(io.BytesIO(), 0)
        closed = io.BytesIO()
        closed.close()  # seekable() raises: it is not seekable
        self.assertEqual(ext.file_buf_of(closed), (True, True, False))


class Positions(unittest.TestCase):
    """Mixed reads, writes and seeks from C++, checked against io.BytesIO's tell() and contents."""

    def test_unget_after_a_long_read(self):
        # the long read goes past the buffer, into the caller's memory: the
        # byte ungot is its last one, not one of the spent buffer
        data = bytes(i % 251 for i in range(300_000))
        f = io.BytesIO(data)
        r = ext.run_ops(f, [("g",), ("r", 200_000), ("u",), ("g",), ("t",)])
        self.assertEqual(r[3], (data[200_000], True))
        self.assertEqual(r[4], (200_001, True))
        self.assertEqual(f.tell(), 200_001)

    def test_failed_parse_gives_the_read_ahead_back(self):
        # `>>` fails on "abc": the stream is not good, yet Python's position
        # is the stream's (nothing consumed), for an iostream as for an istream
        f = io.BytesIO(b"abc " + b"x" * 100)
        self.assertEqual(ext.run_ops(f, [("i",)])[0][1], False)
        self.assertEqual(f.tell(), 0)
        f = io.BytesIO(b"12 abc")
        self.assertEqual(ext.run_ops(f, [("i",)])[0], (12, True))
        self.assertEqual(f.tell(), 2)

    def test_socket_read_ahead_survives_a_write(self):
        # not seekable: what was read ahead cannot go back, so it stays
        # readable after a write (reading and writing are two streams)
        a, b = socket.socketpair()
        with a, b:
            b.sendall(b"HELLO WORLD\n")
            b.shutdown(socket.SHUT_WR)
            with a.makefile("rwb") as f:
                r = ext.run_ops(f, [("r", 5), ("w", "reply"), ("f",), ("r", 7), ("r", 1)])
            self.assertEqual([x[0] for x in r], [b"HELLO", None, None, b" WORLD\n", b""])
            a.shutdown(socket.SHUT_WR)
            self.assertEqual(b.recv(100), b"reply")

    def test_random_sequences(self):
        rng = random.Random(20261205)
        for _ in range(300):
            initial = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 3000)))
            f = io.BytesIO(initial)
            model = bytearray(initial)
            pos = 0
            for _ in range(rng.randrange(1, 12)):
                kind = rng.choice("wrsstf")
                if kind == "w":
                    data = bytes(rng.randrange(256) for _ in range(rng.choice([1, 5, 100, 70_000])))
                    op = ("w", data)
                    if pos > len(model):
                        model += bytes(pos - len(model))
                    model[pos:pos + len(data)] = data
                    pos += len(data)
                    expect = None
                elif kind == "r":
                    n = rng.choice([0, 1, 10, 1000, 100_000])
                    op = ("r", n)
                    expect = bytes(model[pos:pos + n])
                    pos = min(len(model), pos + n) if pos < len(model) else pos
                elif kind == "s":
                    whence = rng.randrange(3)
                    off = rng.randrange(0, 4000) if whence == 0 else rng.randrange(-100, 100)
                    target = [0, pos, len(model)][whence] + off
                    if target < 0:
                        continue
                    op = ("s", off, whence)
                    pos = target
                    expect = target
                elif kind == "t":
                    op = ("t",)
                    expect = pos
                else:
                    op = ("f",)
                    expect = None
                (value, good), = ext.run_ops(f, [op])
                self.assertTrue(good, op)
                self.assertEqual(value, expect, op)
                self.assertEqual(f.tell(), pos, op)  # the caster synced at the call's end
                self.assertEqual(f.getvalue(), bytes(model), op)


class Threads(unittest.TestCase):
    def test_two_threads_stream_64_mib_each(self):
        outs = [io.BytesIO(), io.BytesIO()]
        threads = [threading.Thread(target=ext.write_records_nogil, args=(o, 16384, 4096))
                   for o in outs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = b"".join(bytes([i % 251]) * 4096 for i in range(16384))
        for o in outs:
            self.assertEqual(len(o.getvalue()), 64 << 20)
            self.assertTrue(o.getvalue() == expected)  # every byte; no 64 MiB diff on failure


if __name__ == "__main__":
    unittest.main()
