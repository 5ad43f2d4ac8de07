#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks that the CMake and b2 builds agree.

Both builds must name the same library sources, tests, fuzz-corpus replays
and examples, and use the same warning flags, so that a clean run of one
proves what a clean run of the other does.
Usage: check_builds.py <repository root>
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")


def read(path):
    # Comments out, so a name in a comment counts for nothing.
    return re.sub(r"#[^\n]*", "", (root / path).read_text())


def compare(what, cmake, b2, failures):
    cmake, b2 = set(cmake), set(b2)
    if not cmake:
        failures.append("%s: none found in CMake (has the syntax changed?)" % what)
    if cmake != b2:
        failures.append("%s differ: CMake only %s, b2 only %s"
                        % (what, sorted(cmake - b2), sorted(b2 - cmake)))
    return len(cmake)


failures = []
counts = {}

cmake_top, jamroot = read("CMakeLists.txt"), read("Jamroot")


def library_sources(text, pattern):
    m = re.search(pattern, text, re.S)
    return re.findall(r"src/\w+\.cpp", m.group(1)) if m else []


# Every library target, by its CMake and b2 name: the core and the ones
# built on optional libraries (ISA-L, zlib).
libraries = ["bytesio", "bytesio_igzip", "bytesio_filters"]
counts["library sources"] = sum(
    compare("%s sources" % lib,
            library_sources(cmake_top, r"add_library\(%s\s(.*?)\)" % lib),
            library_sources(jamroot, r"\blib %s\s(.*?);" % lib),
            failures)
    for lib in libraries)

counts["tests"] = compare(
    "tests",
    re.findall(r"bytesio_add_test\((\w+)", read("test/CMakeLists.txt")),
    re.findall(r"^bytesio-test (\w+)", read("test/Jamfile"), re.M),
    failures)

counts["compile tests"] = compare(
    "compile tests",
    re.findall(r"bytesio_add_compile_test\((\w+) (\S+) ([\w-]+)", read("test/CMakeLists.txt")),
    re.findall(r"^bytesio-compile-test (\w+) : (\S+) : ([\w-]+)", read("test/Jamfile"), re.M),
    failures)

fuzz_cmake = read("fuzz/CMakeLists.txt")
counts["fuzz replays"] = compare(
    "fuzz corpus replays",
    # Every name in a set(BYTESIO_FUZZ_..._TARGETS ...) list: the targets,
    # and those that need ISA-L, which CMake appends where it is found.
    [name for names in re.findall(r"set\(BYTESIO_FUZZ_\w*TARGETS ([\w ]+)\)", fuzz_cmake)
     for name in names.split()],
    re.findall(r"^bytesio-fuzz-replay (\w+)", read("test/Jamfile"), re.M),
    failures)

counts["examples"] = compare(
    "examples",
    re.findall(r"bytesio_add_example\((\w+)", read("examples/CMakeLists.txt")),
    re.findall(r"^bytesio-example (\w+)", read("examples/Jamfile"), re.M),
    failures)

# b2's <warnings>pedantic is GCC's and clang's -Wall -Wextra -pedantic.
cmake_warnings = re.search(r"set\(BYTESIO_WARNINGS ([^)]*)\)", cmake_top).group(1).split()
b2_warnings = []
if "<warnings>pedantic" in jamroot:
    b2_warnings += ["-Wall", "-Wextra", "-Wpedantic"]
for flags in re.findall(r'<toolset>gcc:<cxxflags>"([^"]*)"', jamroot):
    b2_warnings += flags.split()
counts["warning flags"] = compare("warning flags", cmake_warnings, b2_warnings, failures)

for f in failures:
    print(f, file=sys.stderr)
print("builds: " + ", ".join("%d %s" % (n, w) for w, n in counts.items())
      + (" - FAILED" if failures else ", the same in CMake and b2"))
sys.exit(1 if failures else 0)
