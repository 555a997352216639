# ctest's fuzz_loader test: a bounded libFuzzer run of the schedule loader
# from the shipped schedules. New inputs go to a scratch corpus (emptied
# first), a crash to WORK/fuzz_loader-crash-*; any finding fails the test.
#   cmake -DFUZZER=... -DWORK=<build dir> -DSOURCE=<source dir> -P run_fuzz_loader.cmake
set(corpus ${WORK}/fuzz_loader_corpus)
file(REMOVE_RECURSE ${corpus})
file(MAKE_DIRECTORY ${corpus})
execute_process(
  COMMAND ${FUZZER} -seed=1 -max_total_time=30 -max_len=8192 -timeout=10 -rss_limit_mb=1024
          -dict=${SOURCE}/tests/fuzzers/fuzz_loader.dict -artifact_prefix=${WORK}/fuzz_loader-
          -print_final_stats=1
          ${corpus} ${SOURCE}/corpus/seeds ${SOURCE}/corpus/regressions
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "fuzz_loader found a problem (exit ${result}); the input is in ${WORK}/fuzz_loader-*")
endif()
