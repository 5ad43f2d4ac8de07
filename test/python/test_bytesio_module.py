"""bytesio.BytesIO against io.BytesIO (CPython's C one): seeded random
sequences of every operation, compared after every step (results, raised
exception types, position, contents), and the getbuffer() pinning rule."""

import io
import pickle
import random
import unittest

import bytesio


def outcome(f, *args):
    try:
        return ("ok", f(*args))
    except Exception as e:  # the type is what must agree
        return ("raised", type(e))


class Sub(bytesio.BytesIO):
    """A subclass, at module level so that pickle finds it."""


class Differential(unittest.TestCase):
    def step(self, rng, a, b, views):
        op = rng.choice(["write", "write", "read", "read1", "readline", "readlines", "readinto",
                         "seek", "seek", "tell", "truncate", "getvalue", "getbuffer", "release",
                         "writelines", "iterate", "flags", "state", "close"])
        if op == "write":
            data = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 3, 16, 300, 5000])))
            if rng.random() < 0.3:
                data = data.replace(b"\n", b"") + b"\n"
            return op, outcome(a.write, data), outcome(b.write, data)
        if op in ("read", "read1", "readline"):
            n = rng.choice([None, -1, 0, 1, 2, 10, 100, 10000])
            return op, outcome(getattr(a, op), n), outcome(getattr(b, op), n)
        if op == "readlines":
            hint = rng.choice([None, 0, 1, 10, 1000])
            return op, outcome(a.readlines, hint), outcome(b.readlines, hint)
        if op == "readinto":
            n = rng.choice([0, 1, 7, 100, 4096])
            ba, bb = bytearray(n), bytearray(n)
            ra, rb = outcome(a.readinto, ba), outcome(b.readinto, bb)
            return op, (ra, bytes(ba)), (rb, bytes(bb))
        if op == "seek":
            whence = rng.randrange(4) if rng.random() < 0.05 else rng.randrange(3)
            off = rng.randrange(-50, 6000) if whence == 0 else rng.randrange(-3000, 3000)
            return op, outcome(a.seek, off, whence), outcome(b.seek, off, whence)
        if op == "tell":
            return op, outcome(a.tell), outcome(b.tell)
        if op == "truncate":
            size = rng.choice([None, -1, 0, 5, 100, 10000])
            return op, outcome(a.truncate, size), outcome(b.truncate, size)
        if op == "getvalue":
            return op, outcome(a.getvalue), outcome(b.getvalue)
        if op == "getbuffer":
            ra, rb = outcome(a.getbuffer), outcome(b.getbuffer)
            if ra[0] == "ok" and rb[0] == "ok":
                views.append((ra[1], rb[1]))
                return op, bytes(ra[1]), bytes(rb[1])
            return op, ra[0], rb[0]
        if op == "release":
            if views:
                va, vb = views.pop(rng.randrange(len(views)))
                if len(va) and rng.random() < 0.5:
                    i = rng.randrange(len(va))
                    va[i] = vb[i] = rng.randrange(256)  # writes through the view
                va.release()
                vb.release()
            return op, None, None
        if op == "writelines":
            lines = [b"ab\n", b"", b"cd"]
            return op, outcome(a.writelines, lines), outcome(b.writelines, lines)
        if op == "iterate":
            return op, outcome(lambda: [l for _, l in zip(range(3), a)]), \
                outcome(lambda: [l for _, l in zip(range(3), b)])
        if op == "flags":
            fa = [outcome(getattr(a, m)) for m in ("readable", "writable", "seekable", "isatty", "flush")]
            fb = [outcome(getattr(b, m)) for m in ("readable", "writable", "seekable", "isatty", "flush")]
            return op, (fa, a.closed), (fb, b.closed)
        if op == "state":
            return op, outcome(a.__getstate__), outcome(b.__getstate__)
        if rng.random() < 0.1:  # close, rarely: the rest of the sequence checks closed behaviour
            return op, outcome(a.close), outcome(b.close)
        return op, None, None

    def test_random_sequences(self):
        rng = random.Random(20261205)
        steps = 0
        for seq in range(400):
            initial = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 100, 3000])))
            a, b = bytesio.BytesIO(initial), io.BytesIO(initial)
            views = []
            for _ in range(rng.randrange(1, 60)):
                op, ra, rb = self.step(rng, a, b, views)
                steps += 1
                self.assertEqual(ra, rb, (seq, op))
                self.assertEqual(outcome(a.tell), outcome(b.tell), (seq, op))
                self.assertEqual(outcome(a.getvalue), outcome(b.getvalue), (seq, op))
            for va, vb in views:
                va.release()
                vb.release()
        self.assertGreater(steps, 10000)
        print(f"\n{steps} steps in 400 seeded sequences, bytesio.BytesIO == io.BytesIO")


class Buffer(unittest.TestCase):
    def test_exports_pin_the_contents(self):
        b = bytesio.BytesIO(b"0123456789")
        v = b.getbuffer()
        for change in (lambda: b.write(b""), lambda: b.write(b"x" * 100), b.truncate,
                       lambda: b.truncate(2), b.close, lambda: b.__init__(b"new"),
                       lambda: b.__setstate__((b"s", 0, None))):
            with self.assertRaises(BufferError):
                change()
            self.assertEqual(b.getvalue(), b"0123456789")
            self.assertFalse(b.closed)
        v2 = memoryview(v)  # a view of the view: one export
        v.release()
        with self.assertRaises(BufferError):
            b.write(b"x")
        v2.release()
        b.write(b"x" * 100)
        self.assertEqual(b.getvalue(), b"x" * 100)
        b.close()
        with self.assertRaises(ValueError):
            b.getbuffer()

    def test_view_keeps_the_object_alive(self):
        v = bytesio.BytesIO(b"abc").getbuffer()
        self.assertEqual(bytes(v), b"abc")

    def test_pickle_round_trip_and_subclass(self):
        s = Sub(b"data")
        s.seek(2)
        s.tag = "t"
        t = pickle.loads(pickle.dumps(s))
        self.assertEqual((t.getvalue(), t.tell(), t.tag), (b"data", 2, "t"))
        self.assertIsInstance(t, io.BufferedIOBase)


if __name__ == "__main__":
    unittest.main()
