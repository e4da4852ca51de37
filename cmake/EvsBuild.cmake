# Shared by the top-level build and the standalone harness build
# (harness/CMakeLists.txt): our warning flags and the test registration.

# Warnings for our own code only; third-party headers are not affected.
add_library(evs_warnings INTERFACE)
target_compile_options(evs_warnings INTERFACE
  -Wall -Wextra -Werror -Wshadow
  $<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes -Wmissing-prototypes>)

# evs_add_test(NAME target TIMEOUT s LABELS ...): registers a test binary run
# through the variant's wrapper with a timeout scaled for the variant.
function(evs_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  math(EXPR scaled "${T_TIMEOUT} * ${EVS_TEST_TIMEOUT_SCALE}")
  separate_arguments(wrapper UNIX_COMMAND "${EVS_TEST_WRAPPER}")
  add_test(NAME ${name} COMMAND ${wrapper} ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${scaled}
    LABELS "${T_LABELS};variant:${EVS_VARIANT}")
endfunction()

# evs_test_cases(out file...): the test names of C test programs, read from
# each file's `check_case_t cases[] = {{"name", fn}, ..., {NULL, NULL}}`
# table (testutil/check.h), so that a test is named once, in its C file;
# CMake reconfigures when a file changes.
function(evs_test_cases out)
  set(names)
  foreach(file ${ARGN})
    file(READ ${file} text)
    string(REGEX MATCH "check_case_t cases\\[\\] = {([^;]*){NULL, NULL}}"
      block "${text}")
    string(REGEX MATCHALL "{\"[a-z0-9_]+\"," entries "${block}")
    if(NOT entries)
      message(FATAL_ERROR "${file}: no check_case_t cases[] table found")
    endif()
    foreach(e ${entries})
      string(REGEX REPLACE "{\"([a-z0-9_]+)\"," "\\1" n "${e}")
      list(APPEND names ${n})
    endforeach()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

# evs_add_test_cases(PREFIX p TARGET t SOURCES file... [SKIP name...]
#   [TIMEOUT s] [LABELS ...] [ENVIRONMENT ...] [OUT var]): one test `p.NAME`
# running `t NAME` (through evs_add_test) per case of the files' cases[]
# tables, except the SKIP names (cases a build condition rules out, dropped
# where that condition lives); OUT receives the registered test names.
function(evs_add_test_cases)
  cmake_parse_arguments(T "" "PREFIX;TARGET;TIMEOUT;OUT"
    "SOURCES;SKIP;LABELS;ENVIRONMENT" ${ARGN})
  evs_test_cases(cases ${T_SOURCES})
  if(T_SKIP)
    list(REMOVE_ITEM cases ${T_SKIP})
  endif()
  set(tests)
  foreach(case ${cases})
    evs_add_test(${T_PREFIX}.${case} COMMAND $<TARGET_FILE:${T_TARGET}> ${case}
      LABELS ${T_LABELS} TIMEOUT ${T_TIMEOUT})
    if(T_ENVIRONMENT)
      set_tests_properties(${T_PREFIX}.${case} PROPERTIES
        ENVIRONMENT "${T_ENVIRONMENT}")
    endif()
    list(APPEND tests ${T_PREFIX}.${case})
  endforeach()
  if(T_OUT)
    set(${T_OUT} ${tests} PARENT_SCOPE)
  endif()
endfunction()
