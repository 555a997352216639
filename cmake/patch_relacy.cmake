# Copies Relacy's headers (SRC) into the build tree (DST) and adds the frees it
# leaves out: a context never frees its fibers' stacks nor its test-suite
# object. dcfuzz abandons a context after every finding, so without these the
# memory of a long campaign grows with the number of findings.
file(REMOVE_RECURSE ${DST})
file(COPY ${SRC}/ DESTINATION ${DST})

function(patch_file file from to)
  file(READ ${DST}/${file} text)
  string(FIND "${text}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "patch_relacy: '${from}' not found in ${file}; Relacy version changed?")
  endif()
  string(REPLACE "${from}" "${to}" text "${text}")
  file(WRITE ${DST}/${file} "${text}")
endfunction()

patch_file(platform.hpp "//(::free)(fib.uc_stack.ss_sp);" "(::free)(fib.fib.uc_stack.ss_sp);")
patch_file(context.hpp "//::free(current_test_suite);" "(::free)(current_test_suite);")
