# SPDX-License-Identifier: BSL-1.0
"""bytesio's python_binding example: report.write_report (C++, taking a
std::ostream&) called with an io.BytesIO, an open file and a bytesio.BytesIO.
Checks every result; exits non-zero on a mismatch."""

import gzip
import io
import os
import tempfile

import bytesio
import report

ROWS = 50_000


def check(gz_bytes, where):
    lines = gzip.decompress(gz_bytes).decode().splitlines()
    assert lines[0] == "id,customer,amount" and len(lines) == ROWS + 1, where
    assert lines[-1] == f"{ROWS - 1},customer-{(ROWS - 1) % 97},{((ROWS - 1) * 37) % 1000}.{(ROWS - 1) % 100}", where
    print(f"{where}: {len(gz_bytes):,} bytes of gzip, {len(lines) - 1:,} rows")


class CountingBytesIO(io.BytesIO):
    """io.BytesIO that counts the write calls C++ makes into Python."""
    calls = 0

    def write(self, b):
        self.calls += 1
        return super().write(b)


# 1. io.BytesIO: C++ hands Python a memoryview of each 64 KiB it buffered.
f = CountingBytesIO()
report.write_report(f, ROWS)
check(f.getvalue(), f"io.BytesIO ({f.calls} write calls into Python)")

# 2. A real file.
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "report.csv.gz")
    with open(path, "wb") as out:
        report.write_report(out, ROWS)
    with open(path, "rb") as back:
        check(back.read(), "an open file")

# 3. bytesio.BytesIO: lent to C++ as its bytes_buf, no Python call per write.
b = bytesio.BytesIO()
report.write_report(b, ROWS)
check(b.getvalue(), "bytesio.BytesIO (no calls into Python)")
