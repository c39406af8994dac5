# Generated sources of the codecs stage. Each protocol that needs a build
# step (protobuf messages, protocol tables) has its own file here, added to
# both variants of dw_codecs (plain and _asan) by the function below.
function(dw_codecs_sources)
  foreach(t IN ITEMS dw_codecs dw_codecs_asan)
    if(TARGET ${t})
      target_sources(${t} PRIVATE ${ARGN})
    endif()
  endforeach()
endfunction()
function(dw_codecs_include_dirs)
  foreach(t IN ITEMS dw_codecs dw_codecs_asan)
    if(TARGET ${t})
      target_include_directories(${t} PUBLIC ${ARGN})
    endif()
  endforeach()
endfunction()

include(${CMAKE_CURRENT_LIST_DIR}/asterix.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/sapient.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/tak.cmake OPTIONAL)
