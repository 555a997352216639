// The nfs server's own changes (SERVER_RENAME, SERVER_UNLINK) behind the
// client's dcache, and nfs's ->d_revalidate that catches them: a lookup
// after the server's change gets the server's answer; without the
// revalidation (a ModelOptions self-test) the result oracle sees the stale
// answer; concurrent schedules stay silent on mainline.
#include <gtest/gtest.h>

#include "tests/model_replay.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

using testing::parse_normalized;
using testing::replay_traced;

// T1 caches "a", the server renames it to "b" (in T1's program, so no
// interleaving is needed), then T1 looks both names up.
constexpr const char* kCachedThenRenamed = R"(scenario { kernel: MAINLINE fs: NFS
  tree { name: "a" }
  threads { ops { op: LOOKUP path: "a" } ops { op: SERVER_RENAME path: "a" path2: "b" }
            ops { op: LOOKUP path: "a" } ops { op: LOOKUP path: "b" }
            ops { op: UNLINK path: "b" } ops { op: LOOKUP path: "b" } } })";

bool traced(const Execution& e, const std::string& function, const std::string& what) {
  for (const TraceEvent& ev : e.trace)
    if (ev.function == function && ev.what == what) return true;
  return false;
}

// T1's mkdir("b/a") has the server make the directory and is preempted
// before it instantiates its dentry; the server renames it to "a", and T2's
// lookup of "a" splices the new inode there. A 600 s random-walk campaign
// on mainline called this a data race (the model's new inode was built by
// T1 and reached by T2 with nothing ordering them: new inodes now come from
// a pool made before the tasks, as the kernel's I_NEW and inode hash order
// them), then a directory with two aliases (nfs_add_or_obtain splices the
// new inode: the alias moves to T1's name).
TEST(ModelServer, ADirectoryTheServerMovesBeforeMkdirReturnsIsSplicedOnce) {
  Execution e = replay_traced(parse_normalized(R"(
    scenario {
      fs: NFS
      tree { name: "b" dir: true disconnected_alias: true }
      threads { ops { op: MKDIR path: "b/a" } }
      threads { ops { op: SERVER_RENAME path: "b/a" path2: "a" }
                ops { op: RENAMEAT2_EXCHANGE path: "a/A" path2: "A" } }
    }
    preemptions { step: 43 thread: 2 })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  bool unaliased = false;
  for (const TraceEvent& ev : e.trace)
    unaliased = unaliased || (ev.thread == 0 && ev.what == "__d_move");
  EXPECT_TRUE(unaliased) << "T1's d_splice_alias moved T2's alias of the new directory";
}

TEST(ModelServer, RevalidationCatchesAServerRename) {
  Execution e = replay_traced(parse_normalized(kCachedThenRenamed));
  // The result oracle holds every result to the sequential filesystem: the
  // second stat("a") got -ENOENT, stat("b") the inode /a, as the server has it.
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_TRUE(traced(e, "nfs_lookup_revalidate", "stale"));
  EXPECT_TRUE(traced(e, "nfs_lookup_revalidate", "valid"));
}

TEST(ModelServer, WithoutRevalidationTheResultOracleFires) {
  ModelOptions options;
  options.selftest_no_revalidate = true;
  Execution e = replay_traced(parse_normalized(kCachedThenRenamed), options);
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "BUG: wrong result: stat(...) = 0");
  EXPECT_NE(e.details.find("T1 stat(\"a\") = 0 (/a)"), std::string::npos) << e.details;
}

// lookup_fast holds the dentry of "a" and sleeps in its call to the server
// (after step 30); T2's rename moves the dentry to "b" meanwhile; the server says
// "a" is gone, and d_invalidate unhashes the dentry at its new name. The
// next stat("b") looks it up again; every result is the server's.
TEST(ModelServer, RevalidationInvalidatesADentryMovedMeanwhile) {
  Execution e = replay_traced(parse_normalized(R"(scenario { kernel: V4_FIXED fs: NFS
      tree { name: "a" }
      threads { ops { op: LOOKUP path: "a" } ops { op: LOOKUP path: "a" } ops { op: LOOKUP path: "b" } }
      threads { ops { op: RENAME path: "a" path2: "b" } } }
    preemptions { step: 30 thread: 2 })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  bool moved = false, stale = false, dropped = false;
  for (const TraceEvent& ev : e.trace) {
    moved = moved || (ev.thread == 1 && ev.function == "__d_move");
    stale = stale || (moved && ev.function == "nfs_lookup_revalidate" && ev.what == "stale");
    dropped =
        dropped || (stale && ev.function == "__d_drop" && ev.object == "dentry /b (unhashed)");
  }
  EXPECT_TRUE(moved);
  EXPECT_TRUE(stale);
  EXPECT_TRUE(dropped);
}

TEST(ModelServer, ServerUnlinkOfACachedFile) {
  for (bool revalidate : {true, false}) {
    ModelOptions options;
    options.selftest_no_revalidate = !revalidate;
    Execution e = replay_traced(parse_normalized(R"(scenario { kernel: MAINLINE fs: NFS
      tree { name: "d" dir: true } tree { parent: 1 name: "f" }
      threads { ops { op: LOOKUP path: "d/f" } ops { op: SERVER_UNLINK path: "d/f" }
                ops { op: OPEN_CREATE path: "d/f" } ops { op: LOOKUP path: "d/f" } } })"),
                                options);
    // Revalidated, the open creates a new file; trusted, it opens the old one.
    EXPECT_EQ(e.found, !revalidate) << e.title << "\n" << e.details;
    if (!revalidate) EXPECT_EQ(e.title, "BUG: wrong result: open(..., O_CREAT) = opened");
  }
}

// The server's rename over a file a client holds open removes it: the server
// knows of no open file (only the client's own rename silly-renames one). A
// 300 s mainline,+4/7 campaign had the sequential filesystem keep the file
// as its silly name, and called the rmdir of the emptied directory wrong.
TEST(ModelServer, AServerRenameOverAnOpenFileRemovesIt) {
  const Execution e = replay_traced(parse_normalized(R"(scenario { kernel: MAINLINE fs: NFS
      tree { name: "a" dir: true } tree { parent: 1 name: "b" } tree { parent: 1 name: "c" }
      threads { ops { op: OPEN_HELD path: "a/b" } ops { op: SERVER_RENAME path: "a/c" path2: "a/b" }
                ops { op: UNLINK path: "a/b" } }
      threads { ops { op: RMDIR path: "a" } } })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
}

// No server on the other kinds: the op does nothing (-EOPNOTSUPP, which the
// sequential filesystem gives too), and the dcache stays as it was.
TEST(ModelServer, NoServerOnOtherFilesystems) {
  for (const char* fs : {"PLAIN", "CASE_INSENSITIVE"}) {
    Execution e = replay_traced(parse_normalized(std::string("scenario { kernel: MAINLINE fs: ") +
                                                 fs + R"( tree { name: "a" }
      threads { ops { op: LOOKUP path: "a" } ops { op: SERVER_RENAME path: "a" path2: "b" }
                ops { op: SERVER_UNLINK path: "a" } ops { op: LOOKUP path: "a" } } })"));
    EXPECT_FALSE(e.found) << fs << ": " << e.title << "\n" << e.details;
  }
}

// Server changes racing the client's lookups, creates, unlinks and renames:
// every interleaving within two preemptions is clean on mainline and the
// fixed series (the stale
// dentries the server leaves are no coherence finding, and no result is one
// that no order of client and server ops gives).
TEST(ModelServer, ConcurrentServerChangesAreSilent) {
  const char* scenarios[] = {
      R"(scenario { kernel: MAINLINE fs: NFS tree { name: "a" } tree { name: "d" dir: true }
         threads { ops { op: LOOKUP path: "a" } ops { op: LOOKUP path: "a" } }
         threads { ops { op: SERVER_RENAME path: "a" path2: "d/b" } }
         threads { ops { op: LOOKUP path: "d/b" } ops { op: UNLINK path: "a" } } })",
      R"(scenario { kernel: MAINLINE fs: NFS tree { name: "d" dir: true } tree { name: "e" dir: true }
         threads { ops { op: LOOKUP path: "d" } ops { op: OPEN_CREATE path: "d/x" } }
         threads { ops { op: SERVER_RENAME path: "d" path2: "e" } }
         threads { ops { op: RENAME path: "e" path2: "d" } } })",
      R"(scenario { kernel: MAINLINE fs: NFS tree { name: "a" } tree { name: "b" }
         threads { ops { op: RENAME path: "a" path2: "b" } }
         threads { ops { op: SERVER_UNLINK path: "b" } ops { op: SERVER_RENAME path: "a" path2: "b" } }
         threads { ops { op: CREATE path: "a" } ops { op: LOOKUP path: "b" } } })",
      // A dentry moved by the client's own rename while a lookup_fast holds
      // it and asks the server about its old name: d_invalidate unhashes
      // it at its new name (a real, harmless loss of a cache entry).
      R"(scenario { kernel: MAINLINE fs: NFS tree { name: "a" }
         threads { ops { op: LOOKUP path: "a" } ops { op: LOOKUP path: "a" }
                   ops { op: LOOKUP path: "b" } }
         threads { ops { op: RENAME path: "a" path2: "b" } } })",
      R"(scenario { kernel: V4_FIXED fs: NFS tree { name: "a" }
         threads { ops { op: LOOKUP path: "a" } ops { op: LOOKUP path: "a" }
                   ops { op: LOOKUP path: "b" } }
         threads { ops { op: RENAME path: "a" path2: "b" } ops { op: SERVER_RENAME path: "b" path2: "a" } } })",
  };
  int i = 0;
  for (const char* text : scenarios) {
    const std::string file =
        testing::write_temp("server-" + std::to_string(i++) + ".textproto", text);
    auto o = testing::run_dcfuzz("explore " + file + " --bound 2");
    EXPECT_EQ(o.exit_code, 0) << text << "\n" << o.out << o.err;
  }
}

// A server change while a client call of another thread is under way: nfs
// gives that call no atomicity (a LOOKUP, then a LINK), so the result oracle
// leaves the history alone. link("b", "a") walks b, looks "a" up, and the
// server's rename of a over b comes before its LINK call: the inode it
// walked has no name left (-ENOENT), which no sequential order of the two
// gives -- and which the kernel gives.
TEST(ModelServer, AServerChangeDuringACallIsNotChecked) {
  const Execution e = replay_traced(parse_normalized(R"(scenario { fs: NFS
      tree { name: "b" } tree { name: "a" }
      threads { ops { op: OPEN_HELD path: "b" } }
      threads { ops { op: LINK path: "b" path2: "a" } }
      threads { ops { op: SERVER_RENAME path: "a" path2: "b" } } }
    preemptions { step: 31 thread: 3 })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  bool linked = false;  // the LINK call was made (vfs_link took the inode's lock)
  for (const TraceEvent& ev : e.trace) linked = linked || ev.function == "vfs_link";
  EXPECT_TRUE(linked);
}

// The client's RENAME is answered by what the names have on the server now:
// the server renamed A over c after the client looked c up, so the server
// moves inode A to b/A while the client d_moves its dentry of inode c there.
// nfs's dcache is then stale until a lookup revalidates it (the directories'
// change attributes say so); the coherence check must not call that a bug.
TEST(ModelServer, ARenameAnsweredAboutAnotherInodeLeavesTheDcacheStale) {
  const Execution e = replay_traced(parse_normalized(R"(scenario { fs: NFS
      tree { name: "c" } tree { name: "A" } tree { name: "b" dir: true }
      threads { ops { op: RENAME path: "c" path2: "b/A" } }
      threads { ops { op: SERVER_RENAME path: "A" path2: "c" } } }
    preemptions { step: 32 thread: 2 })"));
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
}

}  // namespace
}  // namespace dcfuzz
