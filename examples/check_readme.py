#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks that README.md stays true to the code.

Every ```cpp block of the README must appear verbatim (line for line,
ignoring indentation) in a .cpp file under examples/ or test/, where it is
compiled and run; every command in the quick-start block must be an
executable script of the repository.
Usage: check_readme.py <repository root>
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
readme = (root / "README.md").read_text()
sources = {p: [l.strip() for l in p.read_text().splitlines()]
           for d in ("examples", "test") for p in (root / d).rglob("*.cpp")}

failures = []
blocks = re.findall(r"```cpp\n(.*?)```", readme, re.S)
for block in blocks:
    lines = [l.strip() for l in block.splitlines()]
    n = len(lines)
    if not any(src[i:i + n] == lines
               for src in sources.values() for i in range(len(src) - n + 1)):
        failures.append("README snippet not found in any example or test:\n" + block)

quick = re.search(r"```sh\n(.*?)```", readme, re.S)
if not quick:
    failures.append("README has no quick-start ```sh block")
else:
    commands = [l for l in quick.group(1).splitlines() if l.strip()]
    if commands != ["scripts/demo", "scripts/test"]:
        failures.append("the quick start must be exactly scripts/demo and scripts/test, is %r" % commands)
    for c in commands:
        p = root / c
        if not (p.is_file() and p.stat().st_mode & 0o111):
            failures.append("%s is not an executable script" % c)

for f in failures:
    print(f, file=sys.stderr)
print("README: %d snippets checked, %s" % (len(blocks), "FAILED" if failures else "all found in the code"))
sys.exit(1 if failures else 0)
