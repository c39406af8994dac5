# Generated sources of the codecs stage (the fuzz build compiles them too,
# through the global properties these functions record). Each protocol that needs a build
# step (protobuf messages, protocol tables) has its own file here, added to
# both variants of dw_codecs (plain and _asan) by the function below.
function(dw_codecs_sources)
  set_property(GLOBAL APPEND PROPERTY DW_CODECS_GENERATED_SOURCES ${ARGN})
  foreach(t IN ITEMS dw_codecs dw_codecs_asan)
    if(TARGET ${t})
      target_sources(${t} PRIVATE ${ARGN})
    endif()
  endforeach()
endfunction()
function(dw_codecs_include_dirs)
  set_property(GLOBAL APPEND PROPERTY DW_CODECS_GENERATED_DIRS ${ARGN})
  foreach(t IN ITEMS dw_codecs dw_codecs_asan)
    if(TARGET ${t})
      target_include_directories(${t} PUBLIC ${ARGN})
    endif()
  endforeach()
endfunction()

include(${CMAKE_CURRENT_LIST_DIR}/asterix.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/sapient.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/tak.cmake OPTIONAL)
