#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks that LICENSE is the Boost Software License 1.0 and that every
source, build and script file of the repository carries its SPDX line within
its first three lines. Usage: check_license.py <repository root>"""
import pathlib
import subprocess
import sys

SPDX = "SPDX-License-Identifier: BSL-1.0"
root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def needs_line(path):
    p = pathlib.PurePosixPath(path)
    if p.parts[0] == "fuzz" and "corpus" in p.parts:
        return False  # fuzzer inputs
    if p.suffix in (".cpp", ".hpp", ".h", ".py", ".sh", ".cmake", ".in") or p.name in (
            "CMakeLists.txt", "Jamroot", "Jamfile"):
        return True
    # scripts without a suffix: the executable ones
    return p.suffix == "" and (root / p).stat().st_mode & 0o111 != 0


files = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True,
                       check=True).stdout.split()
missing = [f for f in files if needs_line(f) and
           not any(SPDX in line for line in (root / f).read_text().splitlines()[:3])]
licence = (root / "LICENSE").read_text()
failures = missing[:]
if not licence.startswith("Boost Software License - Version 1.0"):
    failures.append("LICENSE is not the Boost Software License 1.0")
for f in failures:
    print("no '%s' in the first three lines: %s" % (SPDX, f) if f in missing else f)
checked = sum(1 for f in files if needs_line(f))
print("license: %d files checked, %d without the SPDX line" % (checked, len(missing)))
sys.exit(1 if failures else 0)
