# Fuzz targets: fuzz/<target>/fuzz_<target>.c -> build/fuzz/fuzz_<target>, a
# libFuzzer binary with ASan and UBSan. scripts/fuzz configures, builds and
# runs them; see docs/dependencies.md §10.
#
# Nothing happens unless configured with -DDW_FUZZ=ON and clang. The library
# sources of DW_FUZZ_STAGES are compiled once more, into an object library with
# the fuzzer's coverage instrumentation (the dw_<stage> libraries are built
# without it), which every target links. The file stands on its own — it sets its own standard,
# definitions and dependencies — so it also works when injected with
# -DCMAKE_PROJECT_INCLUDE before the main list has set anything up.
include_guard(GLOBAL)

option(DW_FUZZ "build the libFuzzer targets in fuzz/ (needs clang)" OFF)
if(NOT DW_FUZZ)
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "DW_FUZZ=ON needs clang: configure with -DCMAKE_C_COMPILER=clang")
endif()

get_filename_component(DW_FUZZ_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# The stages the fuzzed parsers live in, and what they need to link.
set(DW_FUZZ_STAGES core geo io codecs track assess metrics sim)
find_package(PkgConfig REQUIRED)
pkg_check_modules(DW_FUZZ_DEPS REQUIRED IMPORTED_TARGET jansson yaml-0.1 proj libpcap
                  libprotobuf-c libxml-2.0 geos)
# Sources and include directories that codec build steps generate
# (protobuf, protocol tables), recorded by cmake/codecs.cmake.
get_property(dw_fuzz_gen_srcs GLOBAL PROPERTY DW_CODECS_GENERATED_SOURCES)
get_property(dw_fuzz_gen_dirs GLOBAL PROPERTY DW_CODECS_GENERATED_DIRS)
get_property(dw_fuzz_gen_targets GLOBAL PROPERTY DW_CODECS_GENERATOR_TARGETS)

set(DW_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
                  -fno-omit-frame-pointer -g -O1)

set(dw_fuzz_lib_srcs "")
foreach(stage IN LISTS DW_FUZZ_STAGES)
  file(GLOB s CONFIGURE_DEPENDS "${DW_FUZZ_ROOT}/src/${stage}/*.c")
  list(APPEND dw_fuzz_lib_srcs ${s})
endforeach()
list(APPEND dw_fuzz_lib_srcs ${dw_fuzz_gen_srcs})
# From the daemon's stage only its configuration reader:
# the rest of serve links libwebsockets and SQLite, which the fuzz targets do not.
list(APPEND dw_fuzz_lib_srcs ${DW_FUZZ_ROOT}/src/serve/runcfg.c)
# From the federation's stage its names (runcfg checks them) and its messages; not the bus
# client, which links libnats.
list(APPEND dw_fuzz_lib_srcs ${DW_FUZZ_ROOT}/src/fed/names.c ${DW_FUZZ_ROOT}/src/fed/msg.c)

add_library(dw_fuzz_objs OBJECT ${dw_fuzz_lib_srcs})
set_target_properties(dw_fuzz_objs PROPERTIES C_STANDARD 17 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_include_directories(dw_fuzz_objs PRIVATE ${DW_FUZZ_ROOT}/include ${DW_FUZZ_ROOT}/src
                           ${CMAKE_BINARY_DIR}/generated ${dw_fuzz_gen_dirs})
target_compile_definitions(dw_fuzz_objs PRIVATE _DEFAULT_SOURCE)
target_compile_options(dw_fuzz_objs PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                       -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1)
target_link_libraries(dw_fuzz_objs PRIVATE PkgConfig::DW_FUZZ_DEPS)
if(dw_fuzz_gen_targets)
  add_dependencies(dw_fuzz_objs ${dw_fuzz_gen_targets})
endif()

file(GLOB dw_fuzz_srcs CONFIGURE_DEPENDS "${DW_FUZZ_ROOT}/fuzz/*/fuzz_*.c")
set(DW_FUZZ_TARGETS "")
foreach(src IN LISTS dw_fuzz_srcs)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} $<TARGET_OBJECTS:dw_fuzz_objs>)
  add_dependencies(${name} dw_fuzz_objs)
  set_target_properties(${name} PROPERTIES
    C_STANDARD 17 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  target_include_directories(${name} PRIVATE ${DW_FUZZ_ROOT}/include ${DW_FUZZ_ROOT}/src
                             ${CMAKE_BINARY_DIR}/generated ${dw_fuzz_gen_dirs})
  target_compile_definitions(${name} PRIVATE _DEFAULT_SOURCE)
  target_compile_options(${name} PRIVATE ${DW_FUZZ_FLAGS})
  target_link_options(${name} PRIVATE ${DW_FUZZ_FLAGS})
  target_link_libraries(${name} PRIVATE PkgConfig::DW_FUZZ_DEPS m)
  list(APPEND DW_FUZZ_TARGETS ${name})
endforeach()
add_custom_target(fuzz_all DEPENDS ${DW_FUZZ_TARGETS})
