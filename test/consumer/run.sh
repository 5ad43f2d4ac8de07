#!/usr/bin/env bash
# Proves both ways of consuming bytesio with CMake work:
#   1. build bytesio, `cmake --install` it into a temporary prefix, and build
#      a project that calls find_package(bytesio REQUIRED) against it;
#   2. build a project that pulls bytesio's source in with add_subdirectory,
#      with an empty build type, which bytesio must leave empty.
# Each consumer program is then run and must succeed.
# Usage: run.sh <bytesio source dir> <work dir> [C++ compiler]
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
cxx=${3:-c++}
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$work"
mkdir -p "$work"
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
tools=("${gen[@]}" -DCMAKE_CXX_COMPILER="$cxx")
common=("${tools[@]}" -DCMAKE_BUILD_TYPE=Release)

echo "== install bytesio into $work/prefix"
cmake -S "$src" -B "$work/bytesio" "${common[@]}" -DCMAKE_INSTALL_PREFIX="$work/prefix" \
  -DBYTESIO_BUILD_TESTS=OFF -DBYTESIO_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$work/bytesio" -j 2
cmake --install "$work/bytesio" >/dev/null
test -f "$work/prefix/include/bytesio.hpp"

echo "== find_package(bytesio) consumer"
# Only the prefix is searched: the source tree's headers are not visible.
# Boost cannot be found: a consumer of the core must not need it.
cmake -S "$here/find_package" -B "$work/find_package" "${common[@]}" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON >/dev/null
cmake --build "$work/find_package" -j 2
if grep -q -- "-I$src/include" "$work/find_package/build.ninja" 2>/dev/null; then
  echo "the find_package consumer compiled against the source tree, not the install" >&2
  exit 1
fi
"$work/find_package/consumer"

echo "== add_subdirectory(bytesio) consumer, empty build type"
# Its CMakeLists fails the configuration if bytesio changed the build type.
cmake -S "$here/add_subdirectory" -B "$work/add_subdirectory" "${tools[@]}" \
  -DCMAKE_BUILD_TYPE= -DBYTESIO_SOURCE_DIR="$src" >/dev/null
cmake --build "$work/add_subdirectory" -j 2
"$work/add_subdirectory/consumer"

rm -rf "$work"
echo "consumer tests: both passed"
