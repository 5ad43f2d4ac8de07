# SPDX-License-Identifier: BSL-1.0
"""Python rows of issue 25's figures: C++ writing through std::ostream& into
Python objects, and bytesio.BytesIO against io.BytesIO from Python.
Run from a benchmark build (bench/CMakeLists.txt builds python_bench_ext):
  PYTHONPATH=build-bench/bench:build-bench/python /usr/bin/python3 bench/python_bench.py
Each row: the median of 7 samples (3 for the slow recipe, 21 for 16-byte
chunks); a row and its
peer take their samples in turn, so drift on a shared machine hits both.
Run it 3 times and take the median of each ratio."""

import io
import os
import resource
import statistics
import subprocess
import sys
import time

import bytesio
import python_bench_ext as ext

MiB = 1 << 20


def sample(f, n=7):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def paired(ref, new, n=7):
    """Medians of `ref` and of `new`, sampled alternately."""
    times = ([], [])
    for _ in range(n):
        for f, out in ((ref, times[0]), (new, times[1])):
            t = time.perf_counter()
            f()
            out.append(time.perf_counter() - t)
    return statistics.median(times[0]), statistics.median(times[1])


def row(name, seconds, nbytes, baseline=None, label=""):
    ratio = f"  {baseline / seconds:5.2f}x {label}" if baseline else ""
    print(f"{name:58s} {seconds * 1e3:9.1f} ms {nbytes / seconds / 1e9:6.2f} GB/s{ratio}")


def cpp_rows():
    total, rec = 256 * MiB, 4096
    print(f"C++ writing {total // MiB} MiB in {rec}-byte records through std::ostream&:")
    copy, fb = paired(lambda: ext.write_then_copy(io.BytesIO(), total, rec),
                      lambda: ext.write_stream(io.BytesIO(), total, rec))
    row("bytes_buf, then one io.BytesIO.write (the copy avoided)", copy, total)
    row("io.BytesIO through python::file_buf", fb, total, copy, "vs bytes_buf + write")
    for size in (1024, 64 * 1024):
        r = sample(lambda: ext.write_recipe(io.BytesIO(), total, rec, size), 3)
        row(f"io.BytesIO through the pystreambuf recipe, {size}-byte buffer", r, total)
        print(f"{'':58s} file_buf is {r / fb:5.2f}x faster")
    # The same through a sink that does not grow (an io.BytesIO already
    # holding 256 MiB, rewound): what is left is the bridge's own cost,
    # not io.BytesIO's resizing and page faults.
    sink = io.BytesIO(bytes(total))
    sink.write(b"\0")  # its own copy now, not the shared bytes

    def rewound(f):
        sink.seek(0)
        return f(sink)
    fb = sample(lambda: rewound(lambda f: ext.write_stream(f, total, rec)))
    row("pre-sized io.BytesIO through python::file_buf", fb, total)
    for size in (1024, 64 * 1024):
        r = sample(lambda: rewound(lambda f: ext.write_recipe(f, total, rec, size)), 3)
        row(f"pre-sized io.BytesIO through the recipe, {size}-byte buffer", r, total)
        print(f"{'':58s} file_buf is {r / fb:5.2f}x faster")
    cpp, lent = paired(lambda: ext.write_cpp(total, rec),
                       lambda: ext.write_stream(bytesio.BytesIO(), total, rec))
    row("pure C++ into a bytes_buf (the limit)", cpp, total)
    row("bytesio.BytesIO (lent as its bytes_buf)", lent, total, cpp, "vs pure C++")


def python_rows():
    print("From Python, bytesio.BytesIO vs io.BytesIO (the C one):")
    for chunk, total in ((16, 16 * MiB), (64 * 1024, 256 * MiB)):
        data = b"x" * chunk
        count = total // chunk
        n = 21 if chunk == 16 else 7  # short rows: more samples against the noise

        def writes(cls):
            f = cls()
            w = f.write
            for _ in range(count):
                w(data)
        ref, new = paired(lambda: writes(io.BytesIO), lambda: writes(bytesio.BytesIO), n)
        row(f"write {chunk}-byte chunks, io.BytesIO", ref, total)
        row(f"write {chunk}-byte chunks, bytesio.BytesIO", new, total, ref, "vs io.BytesIO")
        content = b"y" * total

        # Construction is its own row: io.BytesIO shares the bytes it is
        # given until the first change; bytesio.BytesIO copies them.
        ref, new = paired(lambda: io.BytesIO(content), lambda: bytesio.BytesIO(content))
        row(f"BytesIO(bytes of {total // MiB} MiB), io.BytesIO", ref, total)
        row(f"BytesIO(bytes of {total // MiB} MiB), bytesio.BytesIO", new, total, ref,
            "vs io.BytesIO")

        def reads(f):
            f.seek(0)
            r = f.read
            for _ in range(count):
                r(chunk)
        old_f, new_f = io.BytesIO(content), bytesio.BytesIO(content)
        ref, new = paired(lambda: reads(old_f), lambda: reads(new_f), n)
        row(f"read {chunk}-byte chunks, io.BytesIO", ref, total)
        row(f"read {chunk}-byte chunks, bytesio.BytesIO", new, total, ref, "vs io.BytesIO")
    getvalue_rows()


def getvalue_rows():
    """getvalue() of 64 MiB. io.BytesIO's buffer is a bytes object: it hands
    that over (O(1)) and copies it at the next write if the value is still
    alive. bytesio.BytesIO copies at the first getvalue() after a change
    (into huge pages) and keeps the copy for the next ones. The last row is
    the whole common case: build the contents, take them once."""
    def unchanged(f):
        def calls():
            g = f.getvalue
            for _ in range(1_000_000):
                g()
        return calls
    def each_change_kept(f):
        kept = []

        def once():
            f.write(b"t")
            kept[:] = [f.getvalue()]  # alive until the next one: the write copies
        return once

    def each_change_dropped(f):
        def once():
            f.write(b"t")
            f.getvalue()
        return once
    for what, make in (("again, contents unchanged (1,000,000 calls)", unchanged),
                       ("after each 1-byte write, value kept", each_change_kept),
                       ("after each 1-byte write, value dropped", each_change_dropped)):
        files = [cls() for cls in (io.BytesIO, bytesio.BytesIO)]
        for f in files:
            f.write(b"z" * (64 * MiB))
            f.getvalue()
        ref, new = paired(*(make(f) for f in files))
        del files
        row(f"getvalue {what}, io.BytesIO", ref, 64 * MiB)
        row(f"getvalue {what}, bytesio.BytesIO", new, 64 * MiB, ref, "vs io.BytesIO")
    chunk = b"c" * (64 * 1024)

    def built_then_taken(cls):
        def once():
            f = cls()
            w = f.write
            for _ in range(1024):
                w(chunk)
            return f.getvalue()
        return once
    ref, new = paired(built_then_taken(io.BytesIO), built_then_taken(bytesio.BytesIO))
    row("64 KiB writes to 64 MiB, then getvalue once, io.BytesIO", ref, 64 * MiB)
    row("64 KiB writes to 64 MiB, then getvalue once, bytesio.BytesIO", new, 64 * MiB, ref,
        "vs io.BytesIO")


GROW = """
import io, resource, time, sys
import bytesio
cls = {"io": io.BytesIO, "bytesio": bytesio.BytesIO}[sys.argv[1]]
chunk = b"g" * (1 << 20)
t = time.perf_counter()
f = cls()
for _ in range(1024):
    f.write(chunk)
t = time.perf_counter() - t
print(t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def growth_rows():
    print("Growth to 1 GiB in 1 MiB writes (each in a fresh process; peak RSS):")
    out = {}
    for name in ("io", "bytesio"):
        runs = [subprocess.run([sys.executable, "-c", GROW, name], capture_output=True, text=True,
                               check=True, env=os.environ).stdout.split() for _ in range(3)]
        secs = statistics.median(float(r[0]) for r in runs)
        rss = statistics.median(int(r[1]) for r in runs)
        out[name] = secs
        print(f"{name + '.BytesIO':58s} {secs * 1e3:9.1f} ms, peak RSS {rss / (1 << 30):.3f} GiB"
              + (f"  {out['io'] / secs:5.2f}x vs io.BytesIO" if name == "bytesio" else ""))


if __name__ == "__main__":
    cpp_rows()
    python_rows()
    growth_rows()
