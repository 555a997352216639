# ctest edge_counters_model_only: libFuzzer's edge counters of a binary are in
# the model's code, not in the global operator new and delete. Relacy's header
# defines those in a core/ object (instrumented), so without their line in
# cmake/coverage-ignorelist.txt every allocation and free of the fuzzing glue
# during an execution moves core's counters. Control: d_alloc_parallel has
# counters (the check sees them where they are).
#   cmake -DBINARY=FILE -P check_edge_counters.cmake
find_program(OBJDUMP NAMES objdump llvm-objdump REQUIRED)
find_program(NM NAMES nm llvm-nm REQUIRED)
execute_process(COMMAND ${NM} ${BINARY} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm ${BINARY} failed")
endif()

# The number of references to the counters' section in SYMBOL's code.
function(counters_in symbol out)
  execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn --disassemble=${symbol} ${BINARY}
                  OUTPUT_VARIABLE code RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objdump --disassemble=${symbol} ${BINARY} failed")
  endif()
  string(REGEX MATCHALL "__start___sancov_cntrs" hits "${code}")
  list(LENGTH hits n)
  set(${out} ${n} PARENT_SCOPE)
endfunction()

string(REGEX MATCH "[^ \n]*16d_alloc_parallel[^ \n]*" control "${symbols}")
if(NOT control)
  message(FATAL_ERROR "no d_alloc_parallel in ${BINARY}")
endif()
counters_in(${control} n)
if(n EQUAL 0)
  message(FATAL_ERROR "no edge counter in ${control}: the check would see none anywhere")
endif()

set(checked 0)
foreach(op _Znwm _Znam _ZdlPv _ZdaPv _ZdlPvm _ZdaPvm)
  if(NOT symbols MATCHES "[TW] ${op}\n")
    continue()
  endif()
  math(EXPR checked "${checked} + 1")
  counters_in(${op} n)
  if(NOT n EQUAL 0)
    message(FATAL_ERROR "${op} (a global operator new/delete) has ${n} edge counters: "
                        "it belongs in cmake/coverage-ignorelist.txt")
  endif()
endforeach()
if(checked EQUAL 0)
  message(FATAL_ERROR "no global operator new or delete defined in ${BINARY}")
endif()
message(STATUS "edge counters: ${checked} operators new/delete without, ${control} with")
