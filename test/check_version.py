#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks that include/bytesio/version.hpp says the CMake project version
(project(bytesio VERSION x.y.z) in CMakeLists.txt), and that the number
BYTESIO_VERSION computes from its parts is the one DESIGN.md defines.
Usage: check_version.py <repository root> [C++ compiler]"""
import pathlib
import re
import subprocess
import sys
import tempfile

root = pathlib.Path(sys.argv[1])
cxx = sys.argv[2] if len(sys.argv) > 2 else "c++"
cmake = re.search(r"project\(bytesio\s+VERSION\s+(\d+)\.(\d+)\.(\d+)",
                  (root / "CMakeLists.txt").read_text())
if not cmake:
    sys.exit("check_version: no project(bytesio VERSION x.y.z) in CMakeLists.txt")
major, minor, patch = map(int, cmake.groups())

# The preprocessor's answer, not a regex over the header: what #if sees.
with tempfile.TemporaryDirectory() as work:
    probe = pathlib.Path(work) / "probe.cpp"
    probe.write_text('#include <bytesio/version.hpp>\n'
                     'major BYTESIO_VERSION_MAJOR minor BYTESIO_VERSION_MINOR '
                     'patch BYTESIO_VERSION_PATCH\n'
                     '#if BYTESIO_VERSION == %d\nmatches\n#else\ndiffers\n#endif\n'
                     % (major * 10000 + minor * 100 + patch))
    out = subprocess.run([cxx, "-E", "-P", "-I", str(root / "include"), str(probe)],
                         capture_output=True, text=True, check=True).stdout.split()
header = tuple(int(out[out.index(k) + 1]) for k in ("major", "minor", "patch"))
problems = []
if header != (major, minor, patch):
    problems.append("version.hpp says %d.%d.%d, CMakeLists.txt says %d.%d.%d"
                    % (header + (major, minor, patch)))
if "matches" not in out:
    problems.append("BYTESIO_VERSION is not major * 10000 + minor * 100 + patch")
for p in problems:
    print("check_version:", p)
if problems:
    sys.exit(1)
print("check_version: %d.%d.%d in both" % header)
