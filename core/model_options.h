// Switches of the dcache model for tests; the defaults are what the fuzzer
// and the CLI run.
#pragma once

#include <cstdint>

namespace dcfuzz {

// Self-tests of the kernel's own assertions: the model filesystem breaks the
// rule one of them guards.
enum class FsSelftestBug : uint8_t {
  none,
  lookup_instantiates,        // ->lookup: d_instantiate on its in-lookup dentry, returns NULL
  create_instantiates_twice,  // ->create: d_instantiate again after instantiating
  lookup_splices_twice,       // ->lookup: d_splice_alias twice on its dentry
};

struct ModelOptions {
  // The immediate lost-wakeup detector. Off, a wrong waiter shows as the
  // hang it becomes ("INFO: task hung in d_wait_lookup").
  bool lost_wakeup_detector = true;
  // The check when ->lookup returns that the parent is held as on entry. Off,
  // a ->lookup that dropped it shows at its caller's unlock, as with lockdep.
  bool lookup_lock_check = true;
  // Self-test of the lock-order detector: d_alloc takes an in-lookup bucket
  // lock around the parent's d_lock (bucket -> d_lock, against rule 7).
  bool selftest_lock_inversion = false;
  // Self-tests of the kernel's re-checks, each removing one:
  // d_obtain_alias attaches its new alias without searching again under i_lock.
  bool selftest_obtain_alias_no_recheck = false;
  // d_lookup trusts a miss without read_seqretry(&rename_lock).
  bool selftest_lookup_no_rename_retry = false;
  // d_alloc_parallel keeps a main-hash hit without read_seqcount_retry(&d_seq).
  bool selftest_parallel_no_d_seq_check = false;
  FsSelftestBug selftest_fs_bug = FsSelftestBug::none;
};

}  // namespace dcfuzz
