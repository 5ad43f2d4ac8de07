# SPDX-License-Identifier: BSL-1.0
# Cross build for 64-bit Windows with Debian's MinGW-w64 (g++-mingw-w64-x86-64-posix,
# GCC 12 with C++20 and std::thread); the tests run under Wine (wine64).
#   cmake -S . -B build/windows -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
# scripts/test-windows does that, builds the tests and runs them.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

# Libraries and headers come from the MinGW tree only (Debian's Linux
# libraries would not link); programs from the host.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static, so Wine needs no MinGW DLLs next to the programs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# CTest runs the cross-built tests under Wine.
find_program(BYTESIO_WINE NAMES wine64 PATHS /usr/lib/wine NO_DEFAULT_PATH)
if(NOT BYTESIO_WINE)
  find_program(BYTESIO_WINE NAMES wine64 wine)
endif()
if(BYTESIO_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${BYTESIO_WINE})
endif()
