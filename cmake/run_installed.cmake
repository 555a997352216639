# ctest's installed_dcfuzz test: `cmake --install` into a scratch prefix, then
# a short campaign with the installed binary, run from that prefix (no
# source tree beside it): it must find a bug from the seeds built into it.
#   cmake -DBUILD=<build dir> -DPREFIX=<scratch dir> -P run_installed.cmake
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}
                RESULT_VARIABLE result OUTPUT_QUIET)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${result})")
endif()
execute_process(COMMAND ${PREFIX}/bin/dcfuzz fuzz --time 2 --seed 1 --out out
                WORKING_DIRECTORY ${PREFIX} RESULT_VARIABLE result
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 1)
  message(FATAL_ERROR "installed dcfuzz fuzz: exit ${result}, not 1 (a bug found)\n${out}${err}")
endif()
if(NOT err MATCHES "[1-9][0-9]* shipped seed schedules imported")
  message(FATAL_ERROR "installed dcfuzz fuzz did not start from the built-in seeds\n${err}")
endif()
if(NOT EXISTS ${PREFIX}/bin/dcfuzz_fuzzer)
  message(FATAL_ERROR "cmake --install did not install dcfuzz_fuzzer")
endif()
file(REMOVE_RECURSE ${PREFIX})
