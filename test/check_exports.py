#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""For a shared build (BUILD_SHARED_LIBS=ON): what the libraries export.
Prints, per library, the dynamic symbols it defines and how many are in
bytesio::detail. Fails if a detail entity (a function, or a class with all
its members) is exported while no program of the build (tests, examples,
Python modules: all built against the shared libraries, unoptimised in CI,
so nothing is inlined away) uses any of it: such a thing should be hidden.
Members of an exported class are exported with it; which of those the
programs use is counted, not checked. A class that is only a template
argument of a used instantiation counts as used (GCC gives an instantiation
the least visibility of its arguments).
Usage: check_exports.py <build dir>"""
import os
import pathlib
import re
import subprocess
import sys

build = pathlib.Path(sys.argv[1])
libs = sorted(p for p in build.glob("libbytesio*.so") if p.is_symlink() or p.is_file())


def symbols(path, flag):
    out = subprocess.run(["nm", "-D", flag, str(path)], capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def demangle(names):
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True,
                         text=True, check=True).stdout.splitlines()
    return dict(zip(names, out))


def entity(demangled):
    """The class or function a symbol belongs to: detail::x, detail::C<...>."""
    d = re.sub(r"^(vtable|typeinfo|typeinfo name|VTT|construction vtable) for ", "", demangled)
    d = d.split("(")[0]
    depth, cut = 0, []
    for ch in d:  # template arguments out, so that instantiations group by class
        depth += ch == "<"
        if depth == 0:
            cut.append(ch)
        depth -= ch == ">"
    parts = "".join(cut).split("::")
    i = parts.index("detail")
    return "::".join(parts[: i + 2])


programs = [p for p in build.rglob("*") if p.is_file() and not p.name.startswith("libbytesio")
            and (os.access(p, os.X_OK) or p.suffix == ".so") and p.suffix not in (".py", ".sh")]
used = set()
for p in programs:
    used |= symbols(p, "--undefined-only")

exported = {}
for lib in libs:
    names = [n for n in symbols(lib, "--defined-only")]
    exported[lib.name] = names
detail = {}
for lib, names in exported.items():
    dm = demangle(names)
    d = [n for n in names if "bytesio::detail::" in dm[n] and "std::thread" not in dm[n]]
    print(f"{lib}: {len(names)} symbols exported, {len(d)} of them in bytesio::detail, "
          f"{sum(n in used for n in d)} of those used by the {len(programs)} programs")
    for n in d:
        detail.setdefault(entity(dm[n]), []).append(n)

# A class that is a template argument of an instantiation a program uses is
# needed even if no program calls it: GCC gives an instantiation the least
# visibility of its arguments (base64_engine<base64_encoder_core>).
used_demangled = "\n".join(demangle(sorted(used)).values())
unused = sorted(e for e, names in detail.items()
                if not any(n in used for n in names) and "<" + e not in used_demangled
                and ", " + e not in used_demangled)
for e in unused:
    print(f"check_exports: {e} is exported and no program uses it: hide it")
if not libs:
    sys.exit("check_exports: no shared library in " + str(build))
sys.exit(1 if unused else 0)
