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

// Self-tests of the coherence check: a broken dcache it must see.
enum class SelftestIncoherence : uint8_t {
  none,
  create_keeps_negative,  // vfs_create leaves a hashed negative dentry negative
  splice_second_alias,    // d_splice_alias adds a directory's dentry beside its alias
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
  // Self-test of lockdep's d_lock checks: walk_components locks the d_lock
  // of each directory and of the child it looked up there: 1 parent, then
  // child without nesting notation (recursive locking); 2 child, then parent
  // with it (against fs/dcache.c's order); 3 parent, then child with
  // DENTRY_D_LOCK_NESTED (the kernel's way: no report).
  int selftest_d_lock_nesting = 0;
  // Self-test of might_sleep: walk_components puts its reference to a
  // directory while holding the d_lock of the child it looked up.
  bool selftest_dput_under_spinlock = false;
  // Self-test of the root's reference check: walk_components puts its
  // reference to each directory twice (a reference dropped twice).
  bool selftest_walk_puts_twice = false;
  // Self-test of the held-directory check: d_delete makes a dentry negative
  // even when others hold it (the kernel unhashes it instead).
  bool selftest_delete_held = false;
  // Self-test of the PREEMPT_RT rule: __d_add wakes the in-lookup waiters
  // inside the i_dir_seq write section (before end_dir_add).
  bool selftest_wake_in_dir_add = false;
  // Self-tests of the kernel's re-checks, each removing one:
  // d_obtain_alias attaches its new alias without searching again under i_lock.
  bool selftest_obtain_alias_no_recheck = false;
  // d_lookup trusts a miss without read_seqretry(&rename_lock).
  bool selftest_lookup_no_rename_retry = false;
  // d_alloc_parallel keeps a main-hash hit without read_seqcount_retry(&d_seq).
  bool selftest_parallel_no_d_seq_check = false;
  // Self-test of the result oracle on nfs: ->d_revalidate trusts every
  // cached dentry, so a lookup returns what the server no longer has.
  bool selftest_no_revalidate = false;
  FsSelftestBug selftest_fs_bug = FsSelftestBug::none;
  // ->create / ->mkdir attach the new inode with d_splice_alias and no d_drop
  // first, as v4 3/7's vfs.rst tells ->mkdir to: on a hashed negative dentry
  // mainline's BUG_ON(!d_unhashed) fires, 3/7 instantiates it in place. No
  // filesystem of the series' kernels does this yet (tests only).
  bool create_splices = false;
  // The oracles (core/coherence.h): the dcache against the disk at every
  // quiescent directory and at the end, the results against a sequential
  // filesystem (oracles/) at the end.
  bool oracles = true;
  SelftestIncoherence selftest_incoherence = SelftestIncoherence::none;
};

}  // namespace dcfuzz
