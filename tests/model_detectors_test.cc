// The model's detectors: for each, a schedule where it fires (with the
// expected title and details) and the variants where it must stay silent.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <initializer_list>

#include "core/model.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "schedules/schedule_io.h"
#include "tests/model_replay.h"
#include "tests/run_binary.h"
#include "tests/schedule_text.h"

namespace dcfuzz {
namespace {

using testing::parse_normalized;

pb::Schedule regression(const std::string& name) {
  pb::Schedule s;
  std::string error;
  EXPECT_TRUE(load_schedule(testing::source_path("corpus/regressions/" + name), &s, &error))
      << error;
  return s;
}

Execution run(pb::Schedule schedule, pb::Kernel kernel, const ModelOptions& options) {
  schedule.mutable_scenario()->set_kernel(kernel);
  auto program = make_dcache_program(to_scenario(schedule.scenario()), options);
  ReplayStrategy strategy(schedule);
  return run_program(*program, strategy);
}

// Every `kernels` variant finds `title`, and the details hold every `details` line.
void expect_finding(const pb::Schedule& schedule, std::initializer_list<pb::Kernel> kernels,
                    const std::string& title, std::initializer_list<const char*> details,
                    const ModelOptions& options = {}) {
  for (pb::Kernel k : kernels) {
    Execution e = run(schedule, k, options);
    ASSERT_TRUE(e.found) << pb::Kernel_Name(k);
    EXPECT_EQ(e.title, title) << pb::Kernel_Name(k);
    for (const char* part : details)
      EXPECT_NE(e.details.find(part), std::string::npos) << part << "\n" << e.details;
  }
}

void expect_silent(const pb::Schedule& schedule, std::initializer_list<pb::Kernel> kernels,
                   const ModelOptions& options = {}) {
  for (pb::Kernel k : kernels) {
    Execution e = run(schedule, k, options);
    EXPECT_FALSE(e.found) << pb::Kernel_Name(k) << ": " << e.title << "\n" << e.details;
  }
}

ModelOptions without_lost_wakeup_detector() {
  ModelOptions options;
  options.lost_wakeup_detector = false;
  return options;
}

// ---- lost wakeup ----

TEST(ModelLostWakeup, FiresWhenMoveWakesTheWrongDentry) {
  expect_finding(regression("wrong-waiter-alias-splice.textproto"), {pb::V4, pb::V4_FIX_ADD_CI},
                 "BUG: lost wakeup in __d_move",
                 {"cleared DCACHE_PAR_LOOKUP on dentry /d", "without waking T2",
                  "wait_var_event on &d_flags of /d", "[i_rwsem of / (shared, by lookup_slow)]"});
}

TEST(ModelLostWakeup, SilentWhenTargetIsWoken) {
  expect_silent(regression("wrong-waiter-alias-splice.textproto"),
                {pb::V4_FIXED, pb::V4_FIX_MOVE, pb::MAINLINE});
}

// ---- hung task ----

TEST(ModelHungTask, FiresWhenTheLostWakeupIsLeftToHang) {
  expect_finding(regression("wrong-waiter-alias-splice.textproto"), {pb::V4},
                 "INFO: task hung in d_wait_lookup",
                 {"T2 blocked for ever in d_wait_lookup", "state: blocked in op lookup d"},
                 without_lost_wakeup_detector());
}

TEST(ModelHungTask, ALostWakeupIsNoCycleOfWaits) {
  Execution e = run(regression("wrong-waiter-alias-splice.textproto"), pb::V4,
                    without_lost_wakeup_detector());
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.details.find("deadlock"), std::string::npos) << e.details;
}

TEST(ModelHungTask, SilentWhenTheWaiterIsWoken) {
  // Mainline sleeps on the owner's on-stack wait queue; the fixed series on d_flags.
  expect_silent(regression("wrong-waiter-alias-splice.textproto"), {pb::V4_FIXED, pb::MAINLINE},
                without_lost_wakeup_detector());
}

// d_add_ci (even fixed) drops the shared lock: T2's open(O_CREAT), queued
// for it exclusive, is woken, runs before T1 comes back (else T1 would steal
// the free lock) and takes it, and waits on T1's in-lookup "B", while T1
// waits to re-take the lock behind T2. No task can run.
const char* kDroppedLockDeadlock = R"(
  scenario {
    fs: CASE_INSENSITIVE
    tree { name: "B" }
    threads { ops { op: LOOKUP path: "b/a" } }
    threads { ops { op: OPEN_CREATE path: "B" } }
  }
  preemptions { step: 4 thread: 2 }
  preemptions { step: 21 thread: 2 })";

TEST(ModelHungTask, FiresOnDeadlockBehindDroppedParentLock) {
  expect_finding(parse_normalized(kDroppedLockDeadlock), {pb::V4_FIXED},
                 "INFO: task hung in d_wait_lookup",
                 {"waiting in d_add_ci: inode_lock_shared on i_rwsem of /",
                  "[i_rwsem of / (exclusive, by open_last_lookups)]",
                  "deadlock, a cycle of waits: T2 waits for T1, which owns in-lookup dentry /B; "
                  "T1 waits for T2, which holds i_rwsem of / exclusive."});
}

TEST(ModelHungTask, SilentWhenTheParentLockIsKept) {
  expect_silent(parse_normalized(kDroppedLockDeadlock), {pb::MAINLINE});
}

// ---- bad unlock balance ----

// Found when ->lookup returns (the model's check), under the title of the
// lockdep report the caller's unlock makes.
TEST(ModelUnlockBalance, FiresOnEarlyReturnWithoutTheLock) {
  expect_finding(regression("add-ci-alloc-parallel-enomem.textproto"), {pb::V4, pb::V4_FIX_MOVE},
                 "WARNING: bad unlock balance detected!",
                 {"T1: ->lookup (ci_lookup, called by __lookup_slow) returned with i_rwsem of / "
                  "not held, shared on entry"});
}

// Without the check at ->lookup's return, lockdep's at the caller's unlock.
TEST(ModelUnlockBalance, FiresAtTheCallersUnlockWithoutTheLookupCheck) {
  ModelOptions options;
  options.lookup_lock_check = false;
  expect_finding(regression("add-ci-alloc-parallel-enomem.textproto"), {pb::V4, pb::V4_FIX_MOVE},
                 "WARNING: bad unlock balance detected!",
                 {"T1 is trying to release lock (i_rwsem of /)",
                  "lookup_slow -> inode_unlock_shared", "no more locks to release"},
                 options);
}

TEST(ModelUnlockBalance, SilentWhenDAddCiRelocks) {
  for (const char* file : {"add-ci-alloc-parallel-enomem.textproto",
                           "add-ci-d-alloc-enomem.textproto", "add-ci-not-in-lookup.textproto"})
    expect_silent(regression(file), {pb::V4_FIXED, pb::V4_FIX_ADD_CI, pb::MAINLINE});
}

// ---- dcache invariants ----

// v4 drops the parent lock in d_add_ci even when fixed: while T1 holds "Foo"
// in lookup without the lock, T2's create "Foo" hashes another "Foo".
const char* kCreateBesideInLookup = R"(
  scenario {
    fs: CASE_INSENSITIVE
    tree { name: "Foo" }
    threads { ops { op: LOOKUP path: "foo" } }
    threads { ops { op: CREATE path: "Foo" } }
  }
  preemptions { step: 24 thread: 2 })";

TEST(ModelInvariant, FiresOnHashedDentryBesideInLookupOne) {
  expect_finding(parse_normalized(kCreateBesideInLookup), {pb::V4, pb::V4_FIXED},
                 "BUG: dcache invariant: in-lookup dentry beside a hashed one", {"dentry /Foo"});
}

// d_add_ci drops even an exclusive parent lock (create's): T2's lookup hashes
// "A" before T1's d_add_ci hashes its own "A".
const char* kSecondHashedDentry = R"(
  scenario {
    fs: CASE_INSENSITIVE
    tree { name: "A" }
    threads { ops { op: CREATE path: "a" } }
    threads { ops { op: LOOKUP path: "A" } }
  }
  preemptions { step: 10 thread: 2 })";

TEST(ModelInvariant, FiresOnTwoHashedDentriesForOneName) {
  expect_finding(parse_normalized(kSecondHashedDentry), {pb::V4, pb::V4_FIXED},
                 "BUG: dcache invariant: two hashed dentries for one name",
                 {"[i_rwsem of / (exclusive, by d_add_ci)]"});
}

TEST(ModelInvariant, SilentWhenTheParentLockIsKept) {
  expect_silent(parse_normalized(kCreateBesideInLookup), {pb::MAINLINE});
  expect_silent(parse_normalized(kSecondHashedDentry), {pb::MAINLINE});
}

TEST(ModelInvariant, LockOrderFiresOnInversion) {
  ModelOptions options;
  options.selftest_lock_inversion = true;
  expect_finding(parse_normalized("scenario { threads { ops { op: LOOKUP path: \"a\" } } }"),
                 {pb::MAINLINE}, "BUG: dcache invariant: lock order",
                 {"d_alloc takes d_lock of / while holding in-lookup hash bucket"}, options);
}

TEST(ModelInvariant, LockOrderSilentOnKernelPaths) {
  // Every op kind on every filesystem, through the default interleaving.
  for (const char* fs : {"PLAIN", "NFS", "CASE_INSENSITIVE"}) {
    expect_silent(parse_normalized(std::string("scenario { fs: ") + fs + R"(
        tree { name: "d" dir: true disconnected_alias: true } tree { name: "Foo" }
        threads { ops { op: LOOKUP path: "d" } ops { op: CREATE path: "d/x" }
                  ops { op: RENAME path: "d/x" path2: "y" } ops { op: UNLINK path: "y" } }
        threads { ops { op: MKDIR path: "e" } ops { op: OPEN_CREATE path: "foo" }
                  ops { op: FH_DECODE path: "d" } ops { op: LOOKUP path: "FOO" } } })"),
                  {pb::MAINLINE});
  }
}

// ---- allocation failures are ordinary errors where the kernel is right ----

TEST(ModelFaults, EnomemEndsTheOpAndTheThreadGoesOn) {
  expect_silent(parse_normalized(R"(
      scenario { tree { name: "d" dir: true }
                 threads { ops { op: LOOKUP path: "d" } ops { op: CREATE path: "d/x" } } }
      faults { thread: 1 nth: 1 })"),
                {pb::V4, pb::MAINLINE});
}

}  // namespace
}  // namespace dcfuzz
