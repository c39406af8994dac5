# SAPIENT (BSI Flex 335 v1.0 and v2.0): the C code of the messages, generated at build time.
#
# The .proto files are Dstl's, kept unmodified in ${DW_SHARED_DIR}/data/sapient/proto and never
# copied into the tree. They are proto3 with `optional`, which Debian's protoc-c 1.4 refuses, so
# scripts/sapient-proto2 first rewrites them to proto2 in the build tree (same wire format; see
# the script), then protoc-c generates C for them and for the two well-known types they import
# (google/protobuf/timestamp.proto, and descriptor.proto for the custom options), which the
# protobuf-c runtime does not ship. Both steps rerun when a .proto or the script changes.
#
# Sets, for anyone building the codec outside dw_codecs (cmake/fuzz.cmake finds the same
# through the global properties cmake/codecs.cmake records):
#   DW_SAPIENT_GEN_DIR   include directory of the generated headers
#   DW_SAPIENT_GEN_SRCS  the generated .c files
include_guard(GLOBAL)

set(DW_SAPIENT_PROTO_DIR "${DW_SHARED_DIR}/data/sapient/proto")
if(NOT EXISTS "${DW_SAPIENT_PROTO_DIR}/sapient_msg/proto_options.proto")
  message(FATAL_ERROR
    "SAPIENT: no .proto files in ${DW_SAPIENT_PROTO_DIR}/sapient_msg. The build needs the shared "
    "data next to the tree (../shared), or its place in the DW_SHARED_DIR environment variable.")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
if(NOT PROTOC_C)
  find_program(PROTOC_C protoc-c REQUIRED)
endif()
# The well-known types come from libprotobuf-dev.
find_path(DW_PROTOBUF_WKT_DIR google/protobuf/timestamp.proto PATHS /usr/include /usr/local/include)
if(NOT DW_PROTOBUF_WKT_DIR)
  message(FATAL_ERROR "SAPIENT: google/protobuf/timestamp.proto not found; install libprotobuf-dev")
endif()

set(DW_SAPIENT_PROTO2_DIR "${CMAKE_BINARY_DIR}/sapient/proto2")
set(DW_SAPIENT_GEN_DIR "${CMAKE_BINARY_DIR}/sapient/gen")
set(dw_sapient_script "${CMAKE_SOURCE_DIR}/scripts/sapient-proto2")

file(GLOB_RECURSE dw_sapient_protos CONFIGURE_DEPENDS RELATIVE "${DW_SAPIENT_PROTO_DIR}"
     "${DW_SAPIENT_PROTO_DIR}/sapient_msg/*.proto")
list(SORT dw_sapient_protos)

set(dw_sapient_proto2 "")
set(dw_sapient_orig "")
foreach(p IN LISTS dw_sapient_protos)
  list(APPEND dw_sapient_orig "${DW_SAPIENT_PROTO_DIR}/${p}")
  list(APPEND dw_sapient_proto2 "${DW_SAPIENT_PROTO2_DIR}/${p}")
endforeach()

add_custom_command(
  OUTPUT ${dw_sapient_proto2}
  COMMAND ${Python3_EXECUTABLE} ${dw_sapient_script} ${DW_SAPIENT_PROTO_DIR} ${DW_SAPIENT_PROTO2_DIR}
  DEPENDS ${dw_sapient_orig} ${dw_sapient_script}
  COMMENT "SAPIENT: rewriting the .proto files to proto2"
  VERBATIM)

set(dw_sapient_wkt google/protobuf/descriptor.proto google/protobuf/timestamp.proto)
set(DW_SAPIENT_GEN_SRCS "")
set(dw_sapient_gen_hdrs "")
foreach(p IN LISTS dw_sapient_protos dw_sapient_wkt)
  string(REGEX REPLACE "\\.proto$" "" stem "${p}")
  list(APPEND DW_SAPIENT_GEN_SRCS "${DW_SAPIENT_GEN_DIR}/${stem}.pb-c.c")
  list(APPEND dw_sapient_gen_hdrs "${DW_SAPIENT_GEN_DIR}/${stem}.pb-c.h")
endforeach()

add_custom_command(
  OUTPUT ${DW_SAPIENT_GEN_SRCS} ${dw_sapient_gen_hdrs}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${DW_SAPIENT_GEN_DIR}
  COMMAND ${PROTOC_C} -I${DW_SAPIENT_PROTO2_DIR} -I${DW_PROTOBUF_WKT_DIR}
          --c_out=${DW_SAPIENT_GEN_DIR} ${dw_sapient_protos} ${dw_sapient_wkt}
  DEPENDS ${dw_sapient_proto2} ${PROTOC_C}
  COMMENT "SAPIENT: protoc-c"
  VERBATIM)

# Generated code is not ours to tidy: relax only what protoc-c output is known to trip on.
set_source_files_properties(${DW_SAPIENT_GEN_SRCS} PROPERTIES
  GENERATED TRUE
  COMPILE_OPTIONS "-Wno-missing-prototypes;-Wno-missing-field-initializers;-Wno-shadow")

# One target owns the generation: with the outputs listed in two libraries (plain and _asan)
# a parallel make would otherwise run protoc-c twice into the same files at once.
add_custom_target(dw_sapient_gen DEPENDS ${DW_SAPIENT_GEN_SRCS} ${dw_sapient_gen_hdrs})
# For other targets that compile the generated files themselves (the fuzz build).
set_property(GLOBAL APPEND PROPERTY DW_CODECS_GENERATOR_TARGETS dw_sapient_gen)
dw_codecs_sources(${DW_SAPIENT_GEN_SRCS})
dw_codecs_include_dirs(${DW_SAPIENT_GEN_DIR})
foreach(t IN ITEMS dw_codecs dw_codecs_asan)
  if(TARGET ${t})
    add_dependencies(${t} dw_sapient_gen)
  endif()
endforeach()
