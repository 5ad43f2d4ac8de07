# SPDX-License-Identifier: BSL-1.0
# The consumer programs of a project that builds bytesio from source
# (add_subdirectory, FetchContent): the core, and the compiled components
# linked from outside bytesio's directory (their ISA-L target must be
# visible here too).
add_executable(consumer ${CMAKE_CURRENT_LIST_DIR}/main.cpp)
target_link_libraries(consumer PRIVATE bytesio::bytesio)
add_executable(components ${CMAKE_CURRENT_LIST_DIR}/components.cpp)
target_link_libraries(components PRIVATE bytesio::igzip bytesio::filters)
target_compile_definitions(components PRIVATE BYTESIO_CONSUMER_IGZIP BYTESIO_CONSUMER_FILTERS)
