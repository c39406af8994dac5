# Unit tests: tests/unit/test_<name>.c, one cmocka program each. Every
# cmocka_unit_test(case) in the file becomes its own CTest test, named
# unit.<name>.<case> (and asan.<name>.<case> for the sanitized build), so the
# list of tests has one source: the test file itself.
file(GLOB unit_srcs CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/unit/test_*.c")
foreach(src IN LISTS unit_srcs)
  get_filename_component(base ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${base})
  # Re-run CMake when the file changes, so a new case becomes a CTest test.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
  file(READ ${src} body)
  string(REGEX MATCHALL "cmocka_unit_test(_setup|_teardown|_setup_teardown)?\\([a-z0-9_]+" calls "${body}")
  set(cases "")
  foreach(c IN LISTS calls)
    string(REGEX REPLACE ".*\\(" "" c ${c})
    list(APPEND cases ${c})
  endforeach()
  if(NOT cases)
    message(FATAL_ERROR "${src}: no cmocka_unit_test(...) found")
  endif()
  foreach(variant IN ITEMS "" "_asan")
    if(variant STREQUAL "_asan" AND NOT DW_SANITIZE_TESTS)
      continue()
    endif()
    set(exe ${base}${variant})
    add_executable(${exe} ${src} ${CMAKE_SOURCE_DIR}/tests/unit/harness.c)
    target_include_directories(${exe} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests/unit)
    target_link_libraries(${exe} PRIVATE dw_serve${variant} PkgConfig::CMOCKA)
    target_compile_definitions(${exe} PRIVATE
      DW_SHARED_DIR="${DW_SHARED_DIR}" DW_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      DW_BINARY_DIR="${CMAKE_BINARY_DIR}")
    set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    if(variant STREQUAL "_asan")
      set(prefix asan)
    else()
      set(prefix unit)
    endif()
    foreach(c IN LISTS cases)
      add_test(NAME ${prefix}.${name}.${c} COMMAND ${exe} ${c})
      set_tests_properties(${prefix}.${name}.${c} PROPERTIES
        ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;UBSAN_OPTIONS=print_stacktrace=1"
        TIMEOUT 300)
    endforeach()
  endforeach()
endforeach()

# Integration tests: tests/integration/<name>.sh, run with the built binary.
file(GLOB integ_srcs CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/integration/*.sh")
foreach(src IN LISTS integ_srcs)
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME integration.${name} COMMAND bash ${src})
  set_tests_properties(integration.${name} PROPERTIES
    ENVIRONMENT "DW_BIN=${CMAKE_BINARY_DIR}/dronewall;DW_BUILD=${CMAKE_BINARY_DIR};DW_SOURCE_DIR=${CMAKE_SOURCE_DIR};DW_SHARED_DIR=${DW_SHARED_DIR}"
    TIMEOUT 600)
endforeach()

# The map's frame-time test measures the browser: nothing else runs beside it.
if(TEST integration.web_perf)
  set_tests_properties(integration.web_perf PROPERTIES RUN_SERIAL TRUE)
endif()
# Federation: three daemons and three NATS servers on one shared data clock (60x, 20x):
# alone, so that a loaded machine does not stretch their timings.
if(TEST integration.fed_cluster)
  set_tests_properties(integration.fed_cluster integration.fed_fault PROPERTIES RUN_SERIAL TRUE)
endif()

# Test tools: tests/tools/<name>.c -> build/tests/dw_tool_<name> (scene
# generators and the like that the integration tests drive).
file(GLOB tool_srcs CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/tools/*.c")
foreach(src IN LISTS tool_srcs)
  get_filename_component(name ${src} NAME_WE)
  add_executable(dw_tool_${name} ${src})
  target_include_directories(dw_tool_${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(dw_tool_${name} PRIVATE dw_serve)
  set_target_properties(dw_tool_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
endforeach()

# A short run of every fuzz target (clang + libFuzzer, installed by
# scripts/bootstrap): one test builds them all in build/fuzz-build, then each
# target runs for DW_FUZZ_SMOKE_SECONDS on its seed corpus.
set(DW_FUZZ_SMOKE_SECONDS 8 CACHE STRING "seconds of fuzzing per target in the test suite")
file(GLOB fuzz_dirs CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/fuzz/*/fuzz_*.c")
if(fuzz_dirs)
  add_test(NAME fuzz.build COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/fuzz)
  set_tests_properties(fuzz.build PROPERTIES
    ENVIRONMENT "FUZZ_BUILD=${CMAKE_BINARY_DIR}/fuzz-build;FUZZ_BUILD_ONLY=1"
    FIXTURES_SETUP fuzz_built TIMEOUT 1200)
  foreach(src IN LISTS fuzz_dirs)
    get_filename_component(dir ${src} DIRECTORY)
    get_filename_component(t ${dir} NAME)
    add_test(NAME fuzz.${t} COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/fuzz ${t})
    set_tests_properties(fuzz.${t} PROPERTIES
      ENVIRONMENT "FUZZ_BUILD=${CMAKE_BINARY_DIR}/fuzz-build;FUZZ_NO_BUILD=1;FUZZ_SECONDS=${DW_FUZZ_SMOKE_SECONDS}"
      FIXTURES_REQUIRED fuzz_built TIMEOUT 300)
  endforeach()
endif()

# Regression tests: tests/regression/cases/<name>.args, each the arguments of
# one `dronewall decode` run whose output must equal golden/<name>.out. One
# CTest test per case, regression.<name>, run by the gpsd-style driver
# tests/regression/regress (which also rebuilds goldens: regress -b).
file(GLOB regress_cases CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/regression/cases/*.args")
foreach(case IN LISTS regress_cases)
  get_filename_component(name ${case} NAME_WLE)
  add_test(NAME regression.${name}
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/regression/regress ${name})
  set_tests_properties(regression.${name} PROPERTIES
    ENVIRONMENT "DW_BIN=${CMAKE_BINARY_DIR}/dronewall;DW_SHARED_DIR=${DW_SHARED_DIR}"
    TIMEOUT 300)
endforeach()
