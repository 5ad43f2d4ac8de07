#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Proves every way of consuming bytesio from a build works, each consumer
# program built and then run (it checks its results):
#   1. bytesio built and installed (`cmake --install`) into a temporary
#      prefix; against it:
#      a. find_package(bytesio), the core only, Boost not findable;
#      b. find_package(bytesio COMPONENTS igzip filters): the program uses
#         gunzip_buf and crc32_filter and names only bytesio's targets, so
#         the package must bring ISA-L itself (find_dependency);
#      c. find_package(bytesio COMPONENTS nonesuch) must fail, naming it;
#      d. pkg-config: bytesio.pc alone, then bytesio-igzip.pc and
#         bytesio-filters.pc, a plain compiler command line;
#   2. a second install built without ISA-L (filters on zlib): COMPONENTS
#      filters works (find_dependency(ZLIB)), COMPONENTS igzip fails naming
#      it, and it has no bytesio-igzip.pc;
#   3. add_subdirectory of the source tree, with an empty build type, which
#      bytesio must leave empty, linking the components from outside;
#   4. FetchContent of this repository's HEAD (in a git clone only).
#   With --installed <prefix> (scripts/test-deb: the .deb in /usr), only the
#   consumers of 1a, 1b and 1d against that prefix, which has both kinds of
#   library: find_package with the shared (the default) and with the static
#   ones (BYTESIO_SHARED_LIBS=OFF), each checked with ldd.
# Usage: run.sh <bytesio source dir> <work dir> [C++ compiler] [--installed <prefix>]
# Environment: BYTESIO_SHARED=ON builds and installs shared libraries
# (BUILD_SHARED_LIBS) instead of static ones.
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
cxx=${3:-c++}
here=$(cd "$(dirname "$0")" && pwd)
shared=${BYTESIO_SHARED:-OFF}

rm -rf "$work"
mkdir -p "$work"
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
tools=("${gen[@]}" -DCMAKE_CXX_COMPILER="$cxx")
common=("${tools[@]}" -DCMAKE_BUILD_TYPE=Release)

install_bytesio() { # <name> [cmake options]: builds and installs into $work/<name>
  local name=$1
  shift
  echo "== install bytesio into $work/$name (shared: $shared) $*"
  cmake -S "$src" -B "$work/build-$name" "${common[@]}" -DCMAKE_INSTALL_PREFIX="$work/$name" \
    -DBUILD_SHARED_LIBS="$shared" -DBYTESIO_BUILD_TESTS=OFF -DBYTESIO_BUILD_EXAMPLES=OFF \
    "$@" >/dev/null
  cmake --build "$work/build-$name" -j 2
  cmake --install "$work/build-$name" >/dev/null
  test -f "$work/$name/include/bytesio.hpp"
}

find_package_consumer() { # <prefix> <build dir> <components> [cmake options]
  # Only the prefix is searched: the source tree's headers are not visible.
  # Boost cannot be found: a consumer of the core must not need it.
  cmake -S "$here/find_package" -B "$2" "${common[@]}" -DCOMPONENTS="$3" \
    -DCMAKE_PREFIX_PATH="$1" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON "${@:4}" >"$2.log" 2>&1 ||
    { cat "$2.log" >&2; return 1; }
  cmake --build "$2" -j 2
  if grep -q -- "-I$src/include" "$2/build.ninja" 2>/dev/null; then
    echo "the find_package consumer compiled against the source tree, not the install" >&2
    return 1
  fi
  "$2/consumer"
  if [ -n "$3" ]; then
    "$2/components"
  fi
}

missing_component() { # <prefix> <component>: find_package must fail, naming it
  local log="$work/missing-$2.log"
  if cmake -S "$here/find_package" -B "$work/missing-$2" "${common[@]}" -DCOMPONENTS="$2" \
    -DCMAKE_PREFIX_PATH="$1" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$log" 2>&1; then
    echo "find_package(bytesio COMPONENTS $2) succeeded against $1" >&2
    return 1
  fi
  grep -q "component '$2' was not built" "$log" ||
    { cat "$log" >&2; echo "no message naming component $2" >&2; return 1; }
  echo "find_package(bytesio COMPONENTS $2): fails, naming it"
}

pkg_config_consumer() { # <prefix> <output> <source> <packages> [-D...]
  local prefix=$1 out=$2 source=$3 packages=$4
  shift 4
  local flags
  flags=$(PKG_CONFIG_PATH="$(dirname "$(find "$prefix" -name bytesio.pc | head -1)")" \
    pkg-config --cflags --libs $packages)
  echo "pkg-config --cflags --libs $packages: $flags"
  # CXXFLAGS as the CMake builds take them (CI's sanitizer build sets them:
  # the installed libraries need their runtime on the link line too).
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 ${CXXFLAGS:-} "$@" "$source" -o "$out" $flags
  LD_LIBRARY_PATH="$(dirname "$(find "$prefix" -name 'libbytesio.*' | head -1)")" "$out"
}

if [ "${4:-}" = --installed ]; then
  prefix=$5
  for kind in shared static; do
    want=ON
    [ "$kind" = static ] && want=OFF
    echo "== find_package(bytesio COMPONENTS igzip filters) in $prefix, $kind libraries"
    find_package_consumer "$prefix" "$work/installed_$kind" "igzip;filters" \
      -DBYTESIO_SHARED_LIBS=$want
    # Not `ldd | grep -q`: grep would stop reading at the first match, ldd
    # would die of SIGPIPE, and pipefail would call the pipeline false.
    deps=$(ldd "$work/installed_$kind/components")
    if grep -q libbytesio <<<"$deps"; then linked=shared; else linked=static; fi
    [ "$linked" = "$kind" ] ||
      { echo "asked for the $kind libraries, linked the $linked ones" >&2; exit 1; }
  done
  echo "== pkg-config in $prefix"
  pkg_config_consumer "$prefix" "$work/pc_core" "$here/main.cpp" bytesio
  pkg_config_consumer "$prefix" "$work/pc_components" "$here/components.cpp" \
    "bytesio-igzip bytesio-filters" -DBYTESIO_CONSUMER_IGZIP -DBYTESIO_CONSUMER_FILTERS
  rm -rf "$work"
  echo "consumer tests against $prefix: all passed"
  exit 0
fi

install_bytesio prefix
echo "== find_package(bytesio)"
find_package_consumer "$work/prefix" "$work/find_package" ""
echo "== find_package(bytesio COMPONENTS igzip filters)"
find_package_consumer "$work/prefix" "$work/find_package_components" "igzip;filters"
missing_component "$work/prefix" nonesuch
echo "== pkg-config"
pkg_config_consumer "$work/prefix" "$work/pc_core" "$here/main.cpp" bytesio
pkg_config_consumer "$work/prefix" "$work/pc_components" "$here/components.cpp" \
  "bytesio-igzip bytesio-filters" -DBYTESIO_CONSUMER_IGZIP -DBYTESIO_CONSUMER_FILTERS

install_bytesio no_isal -DCMAKE_DISABLE_FIND_PACKAGE_bytesio_isal=ON
echo "== an install without ISA-L: COMPONENTS filters (zlib), not igzip"
find_package_consumer "$work/no_isal" "$work/find_package_no_isal" "filters"
missing_component "$work/no_isal" igzip
if find "$work/no_isal" -name 'bytesio-igzip.pc' | grep -q .; then
  echo "an install without bytesio_igzip has bytesio-igzip.pc" >&2
  exit 1
fi
pkg_config_consumer "$work/no_isal" "$work/pc_no_isal" "$here/components.cpp" \
  bytesio-filters -DBYTESIO_CONSUMER_FILTERS

echo "== add_subdirectory(bytesio) consumer, empty build type"
# Its CMakeLists fails the configuration if bytesio changed the build type.
cmake -S "$here/add_subdirectory" -B "$work/add_subdirectory" "${tools[@]}" \
  -DCMAKE_BUILD_TYPE= -DBYTESIO_SOURCE_DIR="$src" >/dev/null
cmake --build "$work/add_subdirectory" -j 2
"$work/add_subdirectory/consumer"
"$work/add_subdirectory/components"

if git -C "$src" rev-parse --verify -q HEAD >/dev/null; then
  echo "== FetchContent(bytesio) consumer, from this repository's HEAD"
  cmake -S "$here/fetch_content" -B "$work/fetch_content" "${common[@]}" \
    -DBYTESIO_GIT="$src" -DBYTESIO_TAG="$(git -C "$src" rev-parse HEAD)" >/dev/null
  cmake --build "$work/fetch_content" -j 2
  "$work/fetch_content/consumer"
  "$work/fetch_content/components"
else
  echo "== FetchContent consumer skipped: $src is not a git repository"
fi

rm -rf "$work"
echo "consumer tests: all passed"
