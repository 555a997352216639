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

# memory_mgr's destructor is commented out: a context that ends (dcfuzz ends
# one at every finding) keeps every block its model still held, every block
# waiting in the deferred-free ring, and every block in its per-size free
# lists. Free all three. The ring slot at deferred_index_ has already been
# handed to the free lists (or was never used), so it is skipped.
patch_file(memory.hpp
"    ~memory_mgr()
    {
        /*"
"    ~memory_mgr()
    {
        for (map<void*, size_t>::type::iterator i = allocs_.begin(); i != allocs_.end(); ++i)
            (::free)((char*)i->first - alignment);
        for (size_t i = 0; i != deferred_count; ++i)
            if (i != deferred_index_ % deferred_count && deferred_free_[i])
                (::free)(deferred_free_[i]);
        for (size_t i = 0; i != alloc_cache_.size(); ++i)
        {
            while (alloc_cache_[i].second.size())
            {
                (::free)(alloc_cache_[i].second.top());
                alloc_cache_[i].second.pop();
            }
        }
        /*")
