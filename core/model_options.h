// Switches of the dcache model for tests; the defaults are what the fuzzer
// and the CLI run.
#pragma once

namespace dcfuzz {

// Self-tests of the coherence check: a broken dcache it must see.
enum class SelftestIncoherence {
  none,
  create_keeps_negative,  // vfs_create leaves a hashed negative dentry negative
  splice_second_alias,    // d_splice_alias adds a directory's dentry beside its alias
};

struct ModelOptions {
  // The immediate lost-wakeup detector. Off, a wrong waiter shows as the
  // hang it becomes ("INFO: task hung in d_wait_lookup").
  bool lost_wakeup_detector = true;
  // Self-test of the lock-order detector: d_alloc takes an in-lookup bucket
  // lock around the parent's d_lock (bucket -> d_lock, against rule 7).
  bool selftest_lock_inversion = false;
  // The oracles (core/coherence.h): the dcache against the disk at every
  // quiescent directory and at the end, the results against a sequential
  // filesystem (oracles/) at the end.
  bool oracles = true;
  SelftestIncoherence selftest_incoherence = SelftestIncoherence::none;
};

}  // namespace dcfuzz
