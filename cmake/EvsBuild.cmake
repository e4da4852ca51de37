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
