# TAK protocol v1 (CoT as protobuf) for the codecs stage: protoc-c generates
# C from the .proto files in ../shared/data/cot/tak-protocol-v1 at build time,
# into the build tree (never the source tree), and the result is compiled
# into dw_codecs and dw_codecs_asan. Included by cmake/codecs.cmake.
#
# The TAK files are proto3 without `optional`, which protobuf-c 1.4.1
# compiles as they are (no proto2 rewrite needed, unlike SAPIENT's). Their
# package (atakmap.commoncommo.protobuf.v1) prefixes every generated symbol,
# and the headers' bare names (contact.pb-c.h, track.pb-c.h, ...) are kept
# off every other target's include path: only dw_codecs sees them, PRIVATE.

include_guard(GLOBAL)

set(DW_TAK_PROTO_DIR "${DW_SHARED_DIR}/data/cot/tak-protocol-v1")
set(DW_TAK_GEN_DIR "${CMAKE_BINARY_DIR}/generated/tak")
set(dw_tak_names contact cotevent detail group precisionlocation status takcontrol
                 takmessage takv track)

set(dw_tak_protos "")
set(dw_tak_srcs "")
set(dw_tak_hdrs "")
foreach(n IN LISTS dw_tak_names)
  list(APPEND dw_tak_protos "${DW_TAK_PROTO_DIR}/${n}.proto")
  list(APPEND dw_tak_srcs "${DW_TAK_GEN_DIR}/${n}.pb-c.c")
  list(APPEND dw_tak_hdrs "${DW_TAK_GEN_DIR}/${n}.pb-c.h")
endforeach()

add_custom_command(
  OUTPUT ${dw_tak_srcs} ${dw_tak_hdrs}
  COMMAND ${CMAKE_COMMAND} -E make_directory "${DW_TAK_GEN_DIR}"
  COMMAND ${PROTOC_C} -I "${DW_TAK_PROTO_DIR}" --c_out=${DW_TAK_GEN_DIR} ${dw_tak_protos}
  DEPENDS ${dw_tak_protos}
  COMMENT "protoc-c: TAK protocol v1"
  VERBATIM)
# One target owns the rule, so the plain and the sanitized library (built in
# parallel) never run protoc-c twice into the same files.
add_custom_target(dw_tak_proto DEPENDS ${dw_tak_srcs} ${dw_tak_hdrs})
# For other targets that compile the generated files themselves (the fuzz
# build) and want the same ordering.
set_property(GLOBAL APPEND PROPERTY DW_CODECS_GENERATOR_TARGETS dw_tak_proto)

# Generated code is not ours to keep warning-free; relax only these files.
set_source_files_properties(${dw_tak_srcs} PROPERTIES
  GENERATED TRUE
  COMPILE_OPTIONS "-Wno-missing-prototypes;-Wno-unused-parameter;-Wno-shadow;-Wno-missing-field-initializers")

dw_codecs_sources(${dw_tak_srcs})
# The fuzz build (cmake/fuzz.cmake) compiles the codecs itself and finds the
# headers through this property; dw_codecs keeps them PRIVATE (not through
# dw_codecs_include_dirs, which would make them PUBLIC).
set_property(GLOBAL APPEND PROPERTY DW_CODECS_GENERATED_DIRS "${DW_TAK_GEN_DIR}")
foreach(t IN ITEMS dw_codecs dw_codecs_asan)
  if(TARGET ${t})
    add_dependencies(${t} dw_tak_proto)
    target_include_directories(${t} PRIVATE "${DW_TAK_GEN_DIR}")
  endif()
endforeach()
