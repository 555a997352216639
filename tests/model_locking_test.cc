// Kernel-faithful locking (issue 11.3, 11.5, 11.8; issue 12.3): the
// rw_semaphore of kernel/locking/rwsem.c, lockdep's d_lock subclasses, and
// might_sleep (with the PREEMPT_RT rule). Each detector has a schedule where
// it fires and one where it must not; each rwsem rule a schedule that shows it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/model.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/replay.h"
#include "tests/model_replay.h"
#include "tests/run_binary.h"
#include "tests/schedule_text.h"

namespace dcfuzz {
namespace {

using testing::parse_normalized;
using testing::replay_traced;

pb::Schedule with_kernel(pb::Schedule s, pb::Kernel kernel) {
  s.mutable_scenario()->set_kernel(kernel);
  return s;
}

// Index of the first trace event from index `from` on of thread T`thread`
// (1-based) doing `what` on `object`, or -1.
int event(const Execution& e, int thread, const std::string& what, const std::string& object,
          int from = 0) {
  for (size_t i = size_t(from); i < e.trace.size(); ++i) {
    const TraceEvent& t = e.trace[i];
    if (t.thread == thread - 1 && t.what == what && t.object == object) return int(i);
  }
  return -1;
}

std::string details(const Execution& e) { return e.title + "\n" + e.details; }

// ---- rw_semaphore (11.3) ----

// Case-insensitive fs. T1 stat("d/foo") finds "Foo" on disk: d_add_ci drops
// /d's lock, makes "Foo" in-lookup and queues to re-take it shared; T2 holds
// /d exclusive (create); T4 stat("d/Foo") queued shared before T3's create
// queued exclusive: the queue is [T4 reader, T3 writer, T1 reader]. When T2
// unlocks, the kernel's rwsem_mark_wake grants every queued reader, T4 and
// T1 together; T1 splices "Foo" and wakes T4. The FIFO grant the model had
// (readers up to the first writer) let only T4 in, and T4 then slept on T1's
// in-lookup "Foo" for ever: "INFO: task hung in d_wait_lookup", which no
// kernel can reach in this order.
const char* kReadersBehindWriter = R"(
  scenario {
    kernel: V4_FIXED
    fs: CASE_INSENSITIVE
    tree { name: "d" dir: true }
    tree { parent: 1 name: "Foo" }
    threads { ops { op: LOOKUP path: "d/foo" } }
    threads { ops { op: CREATE path: "d/x" } }
    threads { ops { op: CREATE path: "d/y" } }
    threads { ops { op: LOOKUP path: "d/Foo" } }
  }
  preemptions { step: 14 thread: 3 }
  preemptions { step: 54 thread: 2 }
  preemptions { step: 62 thread: 4 }
  preemptions { step: 70 thread: 3 })";

TEST(ModelRwsem, AllQueuedReadersAreGrantedTogether) {
  Execution e = replay_traced(parse_normalized(kReadersBehindWriter));
  EXPECT_FALSE(e.found) << details(e);
  const std::string d = "i_rwsem of /d";
  const int t4_queued = event(e, 4, "sleep", d), t3_queued = event(e, 3, "sleep", d);
  const int t1_queued = event(e, 1, "sleep", d), unlock = event(e, 2, "inode_unlock", d);
  ASSERT_GE(t4_queued, 0);
  EXPECT_LT(t4_queued, t3_queued);
  EXPECT_LT(t3_queued, t1_queued);
  EXPECT_LT(t1_queued, unlock);
  // Both readers get the lock before the writer queued between them.
  const int writer = event(e, 3, "inode_lock", d);
  ASSERT_GT(writer, unlock);
  for (int reader : {4, 1}) {
    const int got = event(e, reader, "inode_lock_shared", d, unlock);
    EXPECT_GT(got, unlock) << "T" << reader;
    EXPECT_LT(got, writer) << "T" << reader;
  }
}

// The deadlock of v4 7/7 that the kernel does have: T3 holds /a shared and
// waits for T1's in-lookup "B"; T2's create is queued exclusive; T1 re-takes
// the lock shared while it is reader-held with a writer queued, so it queues
// behind T2 (rwsem_down_read_slowpath: no stealing past sleepers).
const char* kReaderHeldDeadlock = R"(
  scenario {
    kernel: V4_FIXED
    fs: CASE_INSENSITIVE
    tree { name: "a" dir: true }
    tree { parent: 1 name: "B" }
    threads { ops { op: LOOKUP path: "a/b" } }
    threads { ops { op: CREATE path: "a/c" } }
    threads { ops { op: LOOKUP path: "a/B" } }
  }
  preemptions { step: 15 thread: 2 }
  preemptions { step: 41 thread: 3 })";

TEST(ModelRwsem, ReaderQueuesBehindWriterWhileReadersHoldTheLock) {
  Execution e = replay_traced(parse_normalized(kReaderHeldDeadlock));
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "INFO: task hung in d_wait_lookup");
  EXPECT_NE(e.details.find("T3 waits for T1, which owns in-lookup dentry /a/B; T1 waits for T2, "
                           "which is a writer queued ahead of the readers on i_rwsem of /a; T2 "
                           "waits for T3, which holds i_rwsem of /a shared."),
            std::string::npos)
      << e.details;
  // Mainline keeps the lock across d_add_ci: no hang.
  Execution clean = replay_traced(with_kernel(parse_normalized(kReaderHeldDeadlock), pb::MAINLINE));
  EXPECT_FALSE(clean.found) << details(clean);
}

// T1 holds /d exclusive, T2's create is queued; T1 unlocks and T2 is woken,
// not handed the lock. T3's stat arrives before T2 runs: the lock is free,
// no HANDOFF, so it steals it (reader optimistic lock stealing), and T2
// takes the lock only after T3. A model that hands the lock to T2 at the
// unlock cannot reach this order.
const char* kReaderSteal = R"(
  scenario {
    tree { name: "d" dir: true }
    threads { ops { op: CREATE path: "d/x" } }
    threads { ops { op: CREATE path: "d/y" } }
    threads { ops { op: LOOKUP path: "d/z" } }
  }
  preemptions { step: 18 thread: 2 }
  preemptions { step: 52 thread: 3 })";

TEST(ModelRwsem, ReaderStealsFromAWokenWriter) {
  Execution e = replay_traced(parse_normalized(kReaderSteal));
  EXPECT_FALSE(e.found) << details(e);
  const std::string d = "i_rwsem of /d";
  const int queued = event(e, 2, "sleep", d), unlock = event(e, 1, "inode_unlock", d);
  const int reader = event(e, 3, "inode_lock_shared", d), writer = event(e, 2, "inode_lock", d);
  ASSERT_GE(queued, 0);
  EXPECT_LT(queued, unlock);
  EXPECT_LT(unlock, reader);
  EXPECT_LT(reader, writer);
  EXPECT_EQ(event(e, 3, "sleep", d), -1);  // it never waited
}

// T1 holds /d exclusive, T2's stat is queued shared; T1 unlocks. Before
// rwsem_wake grants T2, T3's create arrives: a spinning writer may take the
// free lock (rwsem_try_write_lock_unqueued ignores the waiters), or, not
// spinning, queue behind the reader. Whether it spins is the schedule's
// first choice; both orders are the kernel's.
const char* kWriterSteal = R"(
  scenario {
    tree { name: "d" dir: true }
    threads { ops { op: CREATE path: "d/x" } }
    threads { ops { op: LOOKUP path: "d/z" } }
    threads { ops { op: CREATE path: "d/y" } }
  }
  preemptions { step: 35 thread: 3 }
  preemptions { step: 41 thread: 2 }
  preemptions { step: 53 thread: 3 })";

TEST(ModelRwsem, ASpinningWriterMayStealFromQueuedReaders) {
  const std::string d = "i_rwsem of /d";
  pb::Schedule queue = parse_normalized(kWriterSteal);
  Execution queued = replay_traced(queue);
  EXPECT_FALSE(queued.found) << details(queued);
  EXPECT_LT(event(queued, 2, "inode_lock_shared", d), event(queued, 3, "inode_lock", d));
  EXPECT_GE(event(queued, 3, "sleep", d), 0);

  pb::Schedule spin = queue;
  auto* c = spin.add_choices();
  c->set_call(0);
  c->set_value(1);
  Execution stolen = replay_traced(spin);
  EXPECT_FALSE(stolen.found) << details(stolen);
  EXPECT_GT(event(stolen, 2, "inode_lock_shared", d), event(stolen, 3, "inode_lock", d));
  EXPECT_EQ(event(stolen, 3, "sleep", d), -1);
  EXPECT_GT(event(stolen, 3, "inode_lock", d), event(stolen, 1, "inode_unlock", d));
}

// As kReaderSteal, and T2 then runs while T3 holds the lock: its try fails
// and it sleeps again. When T3 unlocks, T2 is woken and T4's stat arrives
// before T2 runs. Whether T2 has waited past RWSEM_WAIT_TIMEOUT, and set
// RWSEM_FLAG_HANDOFF at its failed try, is the schedule's first choice:
// without HANDOFF T4 steals the free lock; with it T4 queues and T2 goes first.
const char* kHandoff = R"(
  scenario {
    tree { name: "d" dir: true }
    threads { ops { op: CREATE path: "d/x" } }
    threads { ops { op: CREATE path: "d/y" } }
    threads { ops { op: LOOKUP path: "d/z" } }
    threads { ops { op: LOOKUP path: "d/w" } }
  }
  preemptions { step: 18 thread: 2 }
  preemptions { step: 52 thread: 3 }
  preemptions { step: 60 thread: 2 }
  preemptions { step: 77 thread: 4 })";

TEST(ModelRwsem, HandoffStopsStealing) {
  const std::string d = "i_rwsem of /d";
  Execution steal = replay_traced(parse_normalized(kHandoff));
  EXPECT_FALSE(steal.found) << details(steal);
  const int t3_unlock = event(steal, 3, "inode_unlock_shared", d);
  ASSERT_GE(event(steal, 2, "sleep", d, event(steal, 3, "inode_lock_shared", d)), 0);
  EXPECT_GT(event(steal, 4, "inode_lock_shared", d), t3_unlock);
  EXPECT_LT(event(steal, 4, "inode_lock_shared", d), event(steal, 2, "inode_lock", d));
  EXPECT_EQ(event(steal, 4, "sleep", d), -1);

  pb::Schedule timed_out = parse_normalized(kHandoff);
  auto* c = timed_out.add_choices();
  c->set_call(0);
  c->set_value(1);
  Execution handoff = replay_traced(timed_out);
  EXPECT_FALSE(handoff.found) << details(handoff);
  EXPECT_GE(event(handoff, 4, "sleep", d), 0);
  EXPECT_LT(event(handoff, 2, "inode_lock", d), event(handoff, 4, "inode_lock_shared", d));
}

// ---- lockdep: d_lock subclasses (11.5) ----

const char* kWalk = R"(
  scenario {
    tree { name: "d" dir: true }
    threads { ops { op: LOOKUP path: "d" } }
  })";

ModelOptions d_lock_nesting(int mode) {
  ModelOptions options;
  options.selftest_d_lock_nesting = mode;
  return options;
}

TEST(ModelLockdep, RecursiveLockingWithoutNestingNotation) {
  Execution e = replay_traced(parse_normalized(kWalk), d_lock_nesting(1));
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "WARNING: possible recursive locking detected");
  EXPECT_NE(e.details.find("T1 is trying to acquire lock:\n  d_lock of /d/0, at: "
                           "selftest_d_lock_nesting\nbut task is already holding lock:\n  d_lock "
                           "of //0, at: selftest_d_lock_nesting"),
            std::string::npos)
      << e.details;
}

TEST(ModelLockdep, ChildBeforeParentIsACircularDependency) {
  Execution e = replay_traced(parse_normalized(kWalk), d_lock_nesting(2));
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "WARNING: possible circular locking dependency detected");
  EXPECT_NE(e.details.find("d_lock of //1, at: selftest_d_lock_nesting\nbut task is already "
                           "holding lock:\n  d_lock of /d/0"),
            std::string::npos)
      << e.details;
}

TEST(ModelLockdep, ParentThenNestedChildIsSilent) {
  Execution e = replay_traced(parse_normalized(kWalk), d_lock_nesting(3));
  EXPECT_FALSE(e.found) << details(e);
}

// __d_move takes four d_locks (parents, dentry, target) with subclasses
// 0..3 under rename_lock: a rename between unrelated directories and a
// splice of a disconnected alias pass the checks.
TEST(ModelLockdep, MoveAndRenameAreSilent) {
  for (pb::Kernel k : {pb::MAINLINE, pb::V4_FIXED}) {
    Execution e = replay_traced(with_kernel(parse_normalized(R"(
      scenario {
        tree { name: "d" dir: true disconnected_alias: true }
        tree { name: "e" dir: true }
        tree { parent: 1 name: "f" dir: true }
        threads { ops { op: CREATE path: "d/x" } ops { op: RENAME path: "d/x" path2: "e/y" }
                  ops { op: RENAME path: "e/y" path2: "d/f/z" } ops { op: LOOKUP path: "d" } }
      })"),
                                            k));
    EXPECT_FALSE(e.found) << details(e);
  }
}

// rename on a case-insensitive fs: lock_rename holds / (I_MUTEX_PARENT) and
// /C (I_MUTEX_PARENT2); both lookups go through d_add_ci, which on the series
// drops and re-takes each parent. Re-taken at the caller's subclass, the two
// i_rwsems stay apart for lockdep (a campaign found the recursion report
// when the re-lock used subclass 0: an annotation the series may not have).
TEST(ModelLockdep, RenameThroughDAddCiIsNoRecursion) {
  for (pb::Kernel k : {pb::V4_FIXED, pb::MAINLINE}) {
    Execution e = replay_traced(with_kernel(parse_normalized(R"(
      scenario {
        fs: CASE_INSENSITIVE
        tree { name: "C" dir: true }
        tree { name: "A" dir: true }
        tree { parent: 1 name: "B" dir: true }
        threads { ops { op: RENAME path: "a" path2: "c/b" } }
      })"),
                                            k));
    EXPECT_FALSE(e.found) << pb::Kernel_Name(k) << ": " << details(e);
    EXPECT_GE(event(e, 1, "inode_lock_nested", "i_rwsem of /C"), 0) << pb::Kernel_Name(k);
  }
}

// ---- might_sleep (11.8, 12.3) ----

TEST(ModelMightSleep, FiresOnDputUnderASpinlock) {
  ModelOptions options;
  options.selftest_dput_under_spinlock = true;
  Execution e = replay_traced(parse_normalized(kWalk), options);
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "BUG: sleeping function called from invalid context at dput");
  EXPECT_NE(e.details.find("a spinlock is held"), std::string::npos) << e.details;
  EXPECT_NE(e.details.find("[d_lock of /d (exclusive, by walk_components)]"), std::string::npos)
      << e.details;
}

// A reference put twice reaches the root: a finding, not the model reading
// the freed root on its next walk (the model checks the root's last put; on
// every kernel path the mount keeps it, see SilentOnKernelPaths).
TEST(ModelRefcount, TheRootsLastReferencePutIsAFinding) {
  ModelOptions options;
  options.selftest_walk_puts_twice = true;
  const char* walk = R"(
    scenario {
      tree { name: "d" dir: true }
      threads { ops { op: LOOKUP path: "d/x" } ops { op: LOOKUP path: "d/x" }
                ops { op: LOOKUP path: "d/x" } }
    })";
  // The root's count: the mount's, the task's fs->root, then each walk's.
  Execution e = replay_traced(parse_normalized(walk), options);
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "BUG: dcache invariant: last reference to the root put") << e.details;
  EXPECT_FALSE(replay_traced(parse_normalized(walk)).found);
}

// `scenario` with T2 preempting T1 at each step in turn, under a d_delete
// that skips its count check (and without it: then silent): the executions
// that end in a NULL pointer dereference, by title.
std::vector<Execution> null_dereferences_with_delete_held(const char* scenario) {
  ModelOptions options;
  options.selftest_delete_held = true;
  std::vector<Execution> found;
  for (uint32_t step = 1; step < 80; ++step) {
    pb::Schedule s = parse_normalized(scenario);
    auto* p = s.add_preemptions();
    p->set_step(step);
    p->set_thread(2);
    Execution e = replay_traced(s, options);
    if (e.title.rfind("BUG: kernel NULL pointer dereference in ", 0) == 0) found.push_back(e);
    EXPECT_FALSE(replay_traced(s).found) << "step " << step;
  }
  return found;
}

// A directory made negative while another task holds it as a parent (a
// d_delete that skips its count check): that task's next look at its inode
// is the kernel's NULL pointer dereference, a finding -- not a crash of the
// model. Every preemption point of T1's rmdir inside T2's walk is tried.
TEST(ModelRefcount, AHeldDirectoryMadeNegativeIsANullDereference) {
  EXPECT_FALSE(null_dereferences_with_delete_held(R"(
      scenario {
        tree { name: "d" dir: true }
        threads { ops { op: LOOKUP path: "d/x" } ops { op: MKDIR path: "d/y" } }
        threads { ops { op: RMDIR path: "d" } }
      })")
                   .empty());
}

// The same for rename's parents: lock_rename reads both inodes after
// s_vfs_rename_mutex (lock_two_directories), and a parent made negative
// meanwhile is its NULL pointer dereference.
TEST(ModelRefcount, ARenameParentMadeNegativeIsANullDereferenceInLockRename) {
  int in_lock_rename = 0;
  for (const Execution& e : null_dereferences_with_delete_held(R"(
      scenario {
        tree { name: "d" dir: true } tree { name: "e" dir: true }
        threads { ops { op: RENAME path: "d/x" path2: "e/y" } }
        threads { ops { op: RMDIR path: "d" } }
      })")) {
    if (e.function != "lock_rename") continue;
    EXPECT_EQ(e.file, "fs/namei.c");  // the kernel's, for the report's trace
    ++in_lock_rename;
  }
  EXPECT_GT(in_lock_rename, 0);
}

TEST(ModelMightSleep, SilentOnKernelPaths) {
  // Every op kind, every filesystem, mainline and the fixed series.
  for (const char* fs : {"PLAIN", "NFS", "CASE_INSENSITIVE"}) {
    for (pb::Kernel k : {pb::MAINLINE, pb::V4_FIXED}) {
      Execution e =
          replay_traced(with_kernel(parse_normalized(std::string("scenario { fs: ") + fs + R"(
          tree { name: "d" dir: true disconnected_alias: true } tree { name: "Foo" }
          threads { ops { op: LOOKUP path: "d" } ops { op: CREATE path: "d/x" }
                    ops { op: RENAME path: "d/x" path2: "y" } ops { op: UNLINK path: "y" } }
          threads { ops { op: MKDIR path: "e" } ops { op: OPEN_CREATE path: "foo" }
                    ops { op: FH_DECODE path: "d" } ops { op: LOOKUP path: "FOO" } } })"),
                                    k));
      EXPECT_FALSE(e.found) << fs << " " << pb::Kernel_Name(k) << ": " << details(e);
    }
  }
}

// T2 waits for T1's in-lookup "a" (T1 is preempted in ->lookup); T1's
// __d_add then ends the lookup and wakes T2.
const char* kWakeAfterAdd = R"(
  scenario {
    kernel: MAINLINE
    preempt_rt: true
    tree { name: "a" }
    threads { ops { op: LOOKUP path: "a" } }
    threads { ops { op: LOOKUP path: "a" } }
  }
  preemptions { step: 13 thread: 2 })";

TEST(ModelMightSleep, PreemptRtWakeInsideTheDirSeqWindowFires) {
  ModelOptions options;
  options.selftest_wake_in_dir_add = true;
  for (pb::Kernel k : {pb::MAINLINE, pb::V4_FIXED}) {
    Execution e = replay_traced(with_kernel(parse_normalized(kWakeAfterAdd), k), options);
    ASSERT_TRUE(e.found) << pb::Kernel_Name(k);
    EXPECT_EQ(e.title, std::string("BUG: sleeping function called from invalid context at ") +
                           (k == pb::MAINLINE ? "wake_up_all" : "wake_up_var"));
    EXPECT_NE(e.details.find("PREEMPT_RT"), std::string::npos) << e.details;
  }
}

TEST(ModelMightSleep, PreemptRtWakeAfterTheWindowIsSilent) {
  for (pb::Kernel k : {pb::MAINLINE, pb::V4, pb::V4_FIXED}) {
    Execution e = replay_traced(with_kernel(parse_normalized(kWakeAfterAdd), k));
    EXPECT_FALSE(e.found) << pb::Kernel_Name(k) << ": " << details(e);
    const char* key = k == pb::MAINLINE ? "d_wait of /a" : "&d_flags of /a";
    EXPECT_GE(event(e, 2, "sleep", key), 0) << "T2 waited for T1's lookup";
  }
  // Without PREEMPT_RT the early wake is no finding: wait-queue locks spin.
  pb::Schedule no_rt = parse_normalized(kWakeAfterAdd);
  no_rt.mutable_scenario()->set_preempt_rt(false);
  ModelOptions options;
  options.selftest_wake_in_dir_add = true;
  Execution e = replay_traced(no_rt, options);
  EXPECT_FALSE(e.found) << details(e);
}

// The switch is part of the schedule: --preempt-rt sets it on replay, and
// the report says so.
TEST(ModelMightSleep, PreemptRtSwitchReachesTheReport) {
  const std::string file =
      testing::source_path("corpus/regressions/add-ci-relock-deadlock.textproto");
  auto rt = testing::run_dcfuzz("replay " + file + " --preempt-rt");
  EXPECT_EQ(rt.exit_code, 1) << rt.err;
  EXPECT_NE(rt.out.find("kernel:     v4-fixed (both fixes), PREEMPT_RT\n"), std::string::npos)
      << rt.out;
  auto plain = testing::run_dcfuzz("replay " + file);
  EXPECT_EQ(plain.out.find("PREEMPT_RT"), std::string::npos) << plain.out;
}

// dput's slow path takes the parent's d_lock and then the dentry's, nested
// (pre-6.8 __lock_parent). The parent it read may no longer be the parent
// when its d_lock is held: T4 kills /d/a, which a rename moved to /b
// meanwhile. The kernel re-checks d_parent under the parent's lock and goes
// again; the model once went on and took /b's d_lock under /d's, which its
// d_lock order rule called a circular dependency on mainline (a 600 s nfs
// campaign found it).
TEST(ModelLocking, LockForKillRechecksTheParentItLocked) {
  const Execution e = replay_traced(parse_normalized(R"(scenario { fs: NFS
      tree { name: "d" dir: true disconnected_alias: true } tree { parent: 1 name: "a" dir: true }
      tree { name: "b" dir: true }
      threads { ops { op: RENAME path: "c/a" path2: "d" }
                ops { op: SERVER_RENAME path: "C/a" path2: "d/A" } }
      threads { ops { path: "c" } ops { op: RMDIR path: "d" } ops { op: UNLINK path: "b" } }
      threads { ops { op: RENAME path: "d/C" path2: "d/a" } ops { op: OPEN path: "b/A" }
                ops { op: SERVER_RENAME path: "d/a" path2: "b" } }
      threads { ops { op: SERVER_RENAME path: "c" path2: "d/a" }
                ops { op: RENAME path: "b" path2: "d/a/a" } } }
    preemptions { thread: 3 } preemptions { step: 41 thread: 2 }
    preemptions { step: 57 thread: 4 } preemptions { step: 63 thread: 2 }
    preemptions { step: 284 thread: 2 })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  bool again = false;  // the old parent's d_lock let go in lock_for_kill
  for (const TraceEvent& ev : e.trace)
    again = again || (ev.function == "lock_for_kill" && ev.what == "spin_unlock" &&
                      ev.object == "d_lock of /d");
  EXPECT_TRUE(again);
}

}  // namespace
}  // namespace dcfuzz
