# SPDX-License-Identifier: BSL-1.0
# Finds Intel ISA-L (Debian: libisal-dev), which ships no CMake package, as
# the imported target bytesio::isal. The build uses it, and the installed
# package config finds ISA-L again with it (find_dependency), so the
# exported bytesio::igzip and bytesio::filters name a target, not a path.
#   bytesio_isal_FOUND, bytesio_isal_INCLUDE_DIR, bytesio_isal_LIBRARY
find_path(bytesio_isal_INCLUDE_DIR isa-l/igzip_lib.h)
find_library(bytesio_isal_LIBRARY isal)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(bytesio_isal
  REQUIRED_VARS bytesio_isal_LIBRARY bytesio_isal_INCLUDE_DIR)
mark_as_advanced(bytesio_isal_INCLUDE_DIR bytesio_isal_LIBRARY)
if(bytesio_isal_FOUND AND NOT TARGET bytesio::isal)
  add_library(bytesio::isal UNKNOWN IMPORTED GLOBAL)
  set_target_properties(bytesio::isal PROPERTIES
    IMPORTED_LOCATION "${bytesio_isal_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${bytesio_isal_INCLUDE_DIR}")
endif()
