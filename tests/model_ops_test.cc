// rmdir, link and renameat2(RENAME_EXCHANGE) in the model (ops 11-13), and
// rename over an existing directory: each op's results in a chosen
// interleaving, and a complete bound-2 search on mainline where the oracles
// (coherence, results against the sequential filesystem) and the kernel's
// checks stay silent.
#include <gtest/gtest.h>

#include <string>

#include "core/model.h"
#include "schedules/normalize.h"
#include "schedules/relacy_search.h"
#include "schedules/replay.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/model_replay.h"
#include "tests/run_binary.h"
#include "tests/schedule_text.h"

namespace dcfuzz {
namespace {

using testing::parse_normalized;
using testing::replay_traced;

// "end" or "error": how op `op` (0-based) of `thread` (0-based) ended.
std::string outcome(const Execution& e, int thread, int op) {
  int seen = -1;
  for (const TraceEvent& ev : e.trace) {
    if (ev.thread != thread) continue;
    if (ev.what == "begin") ++seen;
    if (seen == op && (ev.what == "end" || ev.what == "error")) return ev.what;
  }
  return "not run";
}

bool has_event(const Execution& e, int thread, const std::string& function,
               const std::string& what) {
  for (const TraceEvent& ev : e.trace)
    if (ev.thread == thread && ev.function == function && ev.what == what) return true;
  return false;
}

// Relacy's complete context-bound search: nothing found.
void expect_clean(const std::string& text, int bound = 2) {
  const pb::Schedule schedule = parse_normalized(text);
  auto program = make_dcache_program(to_scenario(schedule.scenario()));
  SearchResult r =
      relacy_search(*program, schedule, SearchKind::context_bound, bound, uint64_t(400000));
  EXPECT_FALSE(r.found) << r.execution.title << "\n" << r.execution.details;
  EXPECT_TRUE(r.complete) << r.executions;
}

// ---- rmdir ----

// T1's creat("d/x") has walked to d (step 23: before filename_create's lock)
// when T2's rmdir("d") runs whole: d is S_DEAD, and lookup_one_qstr_excl
// creates no child of a dead directory: -ENOENT, which the result oracle
// accepts (a create after the walk, in a directory removed meanwhile).
const char* kCreateInRemovedDir = R"(
  scenario {
    kernel: MAINLINE
    tree { name: "d" dir: true }
    threads { ops { op: CREATE path: "d/x" } }
    threads { ops { op: RMDIR path: "d" } }
  }
  preemptions { step: 23 thread: 2 })";

TEST(ModelRmdir, CreateInTheDeadDirectoryIsENOENT) {
  Execution e = replay_traced(parse_normalized(kCreateInRemovedDir));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(outcome(e, 1, 0), "end");                       // rmdir("d") = 0
  EXPECT_EQ(outcome(e, 0, 0), "error");                     // creat("d/x") = -ENOENT
  EXPECT_TRUE(has_event(e, 1, "vfs_rmdir", "inode_lock"));  // the victim's lock
}

TEST(ModelRmdir, WithoutThePreemptionTheCreateWinsAndRmdirIsENOTEMPTY) {
  pb::Schedule s = parse_normalized(kCreateInRemovedDir);
  s.clear_preemptions();
  Execution e = replay_traced(s);
  EXPECT_FALSE(e.found) << e.title;
  EXPECT_EQ(outcome(e, 0, 0), "end");
  EXPECT_EQ(outcome(e, 1, 0), "error");
}

// nfs_rmdir asks the server to remove the directory, open or not: no silly
// rename (only nfs_unlink of a file does that), so its parent is empty after.
// The mutation benchmark's mainline baseline reported rmdir("c/a") =
// -ENOTEMPTY while the model silly-renamed the open c/a/b to c/a/.nfsNN.
const char* kNfsRmdirOfAnOpenDir = R"(
  scenario {
    kernel: MAINLINE
    fs: NFS
    tree { name: "c" dir: true } tree { parent: 1 name: "a" dir: true }
    tree { parent: 2 name: "b" dir: true }
    threads { ops { op: OPEN_HELD path: "c/a/b" } }
    threads { ops { op: RMDIR path: "c/a/b" } ops { op: RMDIR path: "c/a" } }
  })";

TEST(ModelRmdir, NfsRemovesAnOpenDirectoryWithoutSillyRename) {
  Execution e = replay_traced(parse_normalized(kNfsRmdirOfAnOpenDir));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(outcome(e, 0, 0), "end");                     // open("c/a/b"), kept open
  EXPECT_EQ(outcome(e, 1, 0), "end");                     // rmdir("c/a/b")
  EXPECT_EQ(outcome(e, 1, 1), "end");                     // rmdir("c/a"): empty
  EXPECT_FALSE(has_event(e, 1, "__d_move", "__d_move"));  // no .nfsNN
}

TEST(ModelRmdir, RacesWithCreateOpenAndLookupStayClean) {
  expect_clean(R"(
    scenario {
      kernel: MAINLINE
      tree { name: "d" dir: true }
      threads { ops { op: RMDIR path: "d" } }
      threads { ops { op: OPEN_CREATE path: "d/x" } }
      threads { ops { op: LOOKUP path: "d/y" } }
    })");
  expect_clean(R"(
    scenario {
      kernel: MAINLINE
      tree { name: "d" dir: true } tree { name: "f" }
      threads { ops { op: RMDIR path: "d" } }
      threads { ops { op: MKDIR path: "d/x" } }
    })");
}

// ---- link ----

const char* kLinkThenUnlink = R"(
  scenario {
    kernel: MAINLINE
    tree { name: "f" } tree { name: "d" dir: true }
    threads { ops { op: LINK path: "f" path2: "d/g" } ops { op: UNLINK path: "f" }
              ops { op: LOOKUP path: "d/g" } ops { op: LINK path: "d" path2: "e" }
              ops { op: LINK path: "d/g" path2: "d/g" } }
  })";

TEST(ModelLink, ANameOutlivesTheOtherAndADirectoryHasNoLink) {
  Execution e = replay_traced(parse_normalized(kLinkThenUnlink));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(outcome(e, 0, 0), "end");    // link("f", "d/g")
  EXPECT_EQ(outcome(e, 0, 1), "end");    // unlink("f")
  EXPECT_EQ(outcome(e, 0, 2), "end");    // stat("d/g"): the file, by its other name
  EXPECT_EQ(outcome(e, 0, 3), "error");  // link("d", "e") = -EPERM
  EXPECT_EQ(outcome(e, 0, 4), "error");  // -EEXIST
  EXPECT_TRUE(has_event(e, 0, "vfs_link", "inode_lock"));
}

TEST(ModelLink, RacesWithUnlinkAndLookupStayClean) {
  expect_clean(R"(
    scenario {
      kernel: MAINLINE
      tree { name: "f" } tree { name: "d" dir: true }
      threads { ops { op: LINK path: "f" path2: "d/g" } }
      threads { ops { op: UNLINK path: "f" } }
      threads { ops { op: LOOKUP path: "f" } }
    })");
}

// ---- renameat2(RENAME_EXCHANGE) ----

const char* kExchangeFileAndDir = R"(
  scenario {
    kernel: MAINLINE
    tree { name: "f" } tree { name: "d" dir: true } tree { parent: 2 name: "x" }
    threads { ops { op: LOOKUP path: "d/x" } ops { op: RENAMEAT2_EXCHANGE path: "f" path2: "d" }
              ops { op: LOOKUP path: "f/x" } ops { op: LOOKUP path: "d" }
              ops { op: RENAMEAT2_EXCHANGE path: "f" path2: "f/x" } }
  })";

TEST(ModelExchange, AFileAndADirectorySwapNames) {
  Execution e = replay_traced(parse_normalized(kExchangeFileAndDir));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(outcome(e, 0, 1), "end");
  EXPECT_EQ(outcome(e, 0, 2), "end");    // the directory, now "f"
  EXPECT_EQ(outcome(e, 0, 3), "end");    // the file, now "d"
  EXPECT_EQ(outcome(e, 0, 4), "error");  // -EINVAL: "f" is an ancestor of "f/x"
  EXPECT_TRUE(has_event(e, 0, "__d_move", "__d_move"));
  EXPECT_TRUE(has_event(e, 0, "vfs_rename_exchange", "inode_lock"));  // the file's lock
}

TEST(ModelExchange, RacesWithLookupsAndRenameStayClean) {
  expect_clean(R"(
    scenario {
      kernel: MAINLINE
      tree { name: "f" } tree { name: "d" dir: true } tree { parent: 2 name: "x" }
      threads { ops { op: RENAMEAT2_EXCHANGE path: "f" path2: "d" } }
      threads { ops { op: LOOKUP path: "f/x" } }
      threads { ops { op: RENAME path: "d" path2: "e" } }
    })");
}

// ---- rename over an existing directory ----

// T1's creat("d/x") has walked to d when T2's rename("e", "d") replaces it:
// vfs_rename locks the target, shrinks its dcache, marks it S_DEAD.
const char* kCreateInReplacedDir = R"(
  scenario {
    kernel: MAINLINE
    tree { name: "d" dir: true } tree { name: "e" dir: true }
    threads { ops { op: CREATE path: "d/x" } }
    threads { ops { op: RENAME path: "e" path2: "d" } }
  }
  preemptions { step: 23 thread: 2 })";

TEST(ModelRenameOverDirectory, TheTargetDiesAndCreateInItIsENOENT) {
  Execution e = replay_traced(parse_normalized(kCreateInReplacedDir));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(outcome(e, 1, 0), "end");
  EXPECT_EQ(outcome(e, 0, 0), "error");
  EXPECT_TRUE(has_event(e, 1, "vfs_rename", "inode_lock"));  // the target's lock
}

// A mainline campaign of the mutation benchmark (its unmutated baseline)
// reported T2's rename("c", "c/A") = 0 as a wrong result: T2 has walked to
// the old c (preempted in T1's d_splice_alias of the first rename) when T1
// renames a over c, so the old c is dead when T2 locks it; the kernel's
// vfs_rename stops at may_create's IS_DEADDIR: -ENOENT.
const char* kRenameIntoDeadDir = R"(
  scenario {
    kernel: MAINLINE
    fs: NFS
    tree { name: "a" dir: true } tree { name: "c" dir: true disconnected_alias: true }
    threads { ops { op: RENAME path: "c/A" path2: "a/b" } ops { op: RENAME path: "a" path2: "c" } }
    threads { ops { op: RENAME path: "c" path2: "c/A" } }
  }
  preemptions { step: 26 thread: 2 })";

TEST(ModelRenameOverDirectory, RenameIntoTheDeadTargetIsENOENT) {
  Execution e = replay_traced(parse_normalized(kRenameIntoDeadDir));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(outcome(e, 0, 0), "error");  // rename("c/A", "a/b") = -ENOENT
  EXPECT_EQ(outcome(e, 0, 1), "end");    // rename("a", "c"): the old c dies
  EXPECT_EQ(outcome(e, 1, 0), "error");  // -ENOENT, not 0
  EXPECT_TRUE(has_event(e, 0, "shrink_dcache_parent", "spin_lock"));  // the old c emptied
}

// The same with the new name cached: T3's stat("c/A") holds its negative
// dentry (before walk_components' dput) while T1's rename shrinks the old c,
// so the dentry stays hashed in the dead c, and T2's lookup finds it there.
// Only may_create's IS_DEADDIR (may_rename) makes T2's rename -ENOENT.
const char* kRenameIntoDeadDirCached = R"(
  scenario {
    kernel: MAINLINE
    tree { name: "a" dir: true } tree { name: "c" dir: true } tree { name: "f" }
    threads { ops { op: RENAME path: "a" path2: "c" } }
    threads { ops { op: RENAME path: "f" path2: "c/A" } ops { op: LOOKUP path: "c/A" } }
    threads { ops { op: LOOKUP path: "c/A" } }
  }
  preemptions { step: 22 thread: 2 } preemptions { step: 31 thread: 3 }
  preemptions { step: 55 thread: 1 } preemptions { step: 76 thread: 3 })";

TEST(ModelRenameOverDirectory, RenameIntoTheDeadTargetWithTheNameCachedIsENOENT) {
  Execution e = replay_traced(parse_normalized(kRenameIntoDeadDirCached));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(outcome(e, 0, 0), "end");    // rename("a", "c"): the old c dies
  EXPECT_EQ(outcome(e, 2, 0), "error");  // stat("c/A") = -ENOENT
  EXPECT_EQ(outcome(e, 1, 0), "error");  // rename("f", "c/A") = -ENOENT, not 0
  EXPECT_EQ(outcome(e, 1, 1), "error");  // stat("c/A") = -ENOENT
}

TEST(ModelRenameOverDirectory, RacesStayClean) {
  expect_clean(R"(
    scenario {
      kernel: MAINLINE
      tree { name: "d" dir: true } tree { name: "e" dir: true }
      threads { ops { op: RENAME path: "e" path2: "d" } }
      threads { ops { op: OPEN_CREATE path: "d/x" } }
      threads { ops { op: RMDIR path: "d" } }
    })");
}

// ---- the series' lock drop against rmdir ----

// corpus/regressions/lock-drop-rmdir-abba.textproto: d_add_ci (v4 7/7) drops
// "/" under lock_rename, rmdir takes "/" and waits for "/c", which the rename
// holds. Every variant with 7/7 hangs; mainline explores clean.
TEST(ModelRmdir, TheLockDropDeadlocksWithRmdirOnlyInTheSeries) {
  pb::Schedule s;
  std::string error;
  ASSERT_TRUE(load_schedule(
      testing::source_path("corpus/regressions/lock-drop-rmdir-abba.textproto"), &s, &error))
      << error;
  for (pb::Kernel k : {pb::V4, pb::V4_FIX_MOVE, pb::V4_FIX_ADD_CI, pb::V4_FIXED}) {
    pb::Schedule variant = s;
    set_kernel(variant.mutable_scenario(), k);
    Execution e = replay_traced(variant);
    ASSERT_TRUE(e.found) << pb::Kernel_Name(k);
    EXPECT_EQ(e.title, "INFO: task hung in vfs_rmdir") << pb::Kernel_Name(k);
    EXPECT_NE(e.details.find("T1 waits for T2, which holds i_rwsem of / exclusive"),
              std::string::npos)
        << e.details;
  }
  pb::Schedule mainline = s;
  set_kernel(mainline.mutable_scenario(), pb::MAINLINE);
  EXPECT_FALSE(replay_traced(mainline).found);
  auto program = make_dcache_program(to_scenario(mainline.scenario()));
  SearchResult r = relacy_search(*program, mainline, SearchKind::context_bound, 2, 400000);
  EXPECT_FALSE(r.found) << r.execution.title;
  EXPECT_TRUE(r.complete);
}

// nfs: T2's unlink silly-renames the open "a" (to .nfsNN) between T1's link
// walking "a" and its LINK call: the name "a" is free again and the inode
// still has a name, so link("a", "a") = 0, as in the kernel. The sequential
// filesystem's silly-renamed unlink is one step (no dying name to drop after
// it); it once read past its slots there and called this a wrong result.
TEST(ModelLink, ASillyRenameBetweenTheWalkAndTheLinkIsNoWrongResult) {
  const Execution e = replay_traced(parse_normalized(R"(
    scenario { fs: NFS tree { name: "B" dir: true } tree { name: "a" }
      threads { ops { op: OPEN_HELD path: "a" } ops { op: LINK path: "a" path2: "a" } }
      threads { ops { op: UNLINK path: "a" } ops { op: UNLINK path: "a" } } }
    preemptions { step: 1 thread: 2 } preemptions { step: 2 thread: 1 }
    preemptions { step: 23 thread: 2 } preemptions { step: 25 thread: 1 })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  bool silly = false;  // T2's unlink moved the open file aside
  for (const TraceEvent& ev : e.trace) silly = silly || ev.function == "nfs_sillyrename";
  EXPECT_TRUE(silly);
}

// vfs_unlink holds the victim's i_rwsem around ->unlink, as vfs_link holds
// it around its i_nlink check and ->link: an unlink of "b" cannot finish
// between link("b", "a/d")'s check and its d_instantiate. The model's unlink
// once took no such lock, and a stat of "a/d" after the unlink had ended
// found the name still negative: a mainline wrong result (a 300 s
// random-walk campaign found it).
TEST(ModelLink, UnlinkWaitsForALinkOfItsVictim) {
  const Execution e = replay_traced(parse_normalized(R"(scenario {
      tree { name: "a" dir: true } tree { name: "b" }
      threads { ops { path: "A" } ops { op: OPEN path: "c/d" } ops { path: "a/d" } }
      threads { ops { op: UNLINK path: "b" } }
      threads { ops { op: OPEN_HELD path: "d/C" } ops { op: LINK path: "b" path2: "a/d" } } }
    preemptions { step: 6 thread: 3 } preemptions { step: 18 thread: 2 }
    preemptions { step: 68 thread: 2 } preemptions { step: 93 thread: 2 }
    preemptions { step: 94 thread: 3 } preemptions { step: 99 thread: 2 }
    faults { thread: 3 nth: 1 })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  bool victim_locked = false;
  for (const TraceEvent& ev : e.trace)
    victim_locked = victim_locked || (ev.function == "do_unlinkat" && ev.what == "inode_lock" &&
                                      ev.object == "i_rwsem of /b");
  EXPECT_TRUE(victim_locked);
}

}  // namespace
}  // namespace dcfuzz
