// The sequential filesystem (oracles/seqfs.h) on hand-written scenarios: the
// results fs/namei.c gives, in its order of checks, on each kind.
#include <gtest/gtest.h>

#include <cerrno>

#include "oracles/seqfs.h"

namespace dcfuzz::oracle {
namespace {

TreeNode node(int parent, const char* name, bool dir) { return TreeNode{parent, name, dir, false}; }

// One thread running `ops` in order on `tree`; the results.
std::vector<Result> run(FsKind fs, std::vector<TreeNode> tree, std::vector<Op> ops) {
  Scenario s;
  s.fs = fs;
  s.tree = std::move(tree);
  s.threads.push_back(std::move(ops));
  SeqPlan plan = compile(s);
  EXPECT_TRUE(plan.usable);
  State state = plan.initial;
  std::vector<Result> out;
  for (int i = 0; i < int(plan.threads[0].size()); ++i) out.push_back(apply(plan, &state, 0, i));
  return out;
}

Op op(OpKind kind, const char* path, const char* path2 = "") { return Op{kind, path, path2}; }

// Tree: d/ (node 0), d/foo (node 1), e/ (node 2), f (node 3, a file).
std::vector<TreeNode> tree() {
  return {node(-1, "d", true), node(0, "foo", false), node(-1, "e", true), node(-1, "f", false)};
}

TEST(OracleSeqfs, StatFindsInodesAndErrors) {
  auto r = run(FsKind::plain, tree(),
               {op(OpKind::lookup, "d/foo"), op(OpKind::lookup, "d/bar"), op(OpKind::lookup, "f/x"),
                op(OpKind::lookup, "x/y"), op(OpKind::lookup, "d")});
  EXPECT_EQ(r[0].err, 0);
  EXPECT_EQ(r[0].slot, kTreeSlot0 + 1);
  EXPECT_EQ(r[1].err, -ENOENT);
  EXPECT_EQ(r[2].err, -ENOTDIR);
  EXPECT_EQ(r[3].err, -ENOENT);
  EXPECT_EQ(r[4].slot, kTreeSlot0 + 0);
}

TEST(OracleSeqfs, CreateMkdirUnlink) {
  auto r = run(
      FsKind::plain, tree(),
      {op(OpKind::create, "d/foo"), op(OpKind::mkdir, "d/sub"), op(OpKind::create, "d/sub/x"),
       op(OpKind::lookup, "d/sub/x"), op(OpKind::unlink, "d/sub"), op(OpKind::unlink, "d/foo")});
  EXPECT_EQ(r[0].err, -EEXIST);
  EXPECT_EQ(r[1].err, 0);
  EXPECT_EQ(r[2].err, 0);
  EXPECT_EQ(r[3].slot, op_slot(0, 2));  // the inode op 2 created
  EXPECT_EQ(r[4].err, -EISDIR);
  EXPECT_EQ(r[5].err, 0);
  auto again = run(FsKind::plain, tree(),
                   {op(OpKind::unlink, "d/foo"), op(OpKind::unlink, "d/foo"),
                    op(OpKind::create, "f/x"), op(OpKind::mkdir, "e")});
  EXPECT_EQ(again[1].err, -ENOENT);
  EXPECT_EQ(again[2].err, -ENOTDIR);
  EXPECT_EQ(again[3].err, -EEXIST);
}

TEST(OracleSeqfs, OpenCreateOpensCreatesOrRefusesADirectory) {
  auto r = run(FsKind::plain, tree(),
               {op(OpKind::open_create, "d/foo"), op(OpKind::open_create, "d/new"),
                op(OpKind::open_create, "d/new"), op(OpKind::open_create, "d")});
  EXPECT_EQ(r[0].slot, kTreeSlot0 + 1);
  EXPECT_EQ(r[1].slot, op_slot(0, 1));
  EXPECT_EQ(r[2].slot, op_slot(0, 1));
  EXPECT_EQ(r[3].err, -EISDIR);
}

TEST(OracleSeqfs, RenameChecksInTheKernelsOrder) {
  auto r = run(FsKind::plain, tree(),
               {op(OpKind::rename, "d", "d/x"),         // source an ancestor of the target
                op(OpKind::rename, "d/foo", "d"),       // target an ancestor of the source
                op(OpKind::rename, "f", "e"),           // file over directory
                op(OpKind::rename, "e", "f"),           // directory over file
                op(OpKind::rename, "e", "d"),           // over a non-empty directory
                op(OpKind::rename, "f/x", "nope/y")});  // old parent first
  EXPECT_EQ(r[0].err, -EINVAL);
  EXPECT_EQ(r[1].err, -ENOTEMPTY);
  EXPECT_EQ(r[2].err, -EISDIR);
  EXPECT_EQ(r[3].err, -ENOTDIR);
  EXPECT_EQ(r[4].err, -ENOTEMPTY);
  EXPECT_EQ(r[5].err, -ENOTDIR);
  auto moved = run(FsKind::plain, tree(),
                   {op(OpKind::rename, "d/foo", "e/bar"), op(OpKind::lookup, "e/bar"),
                    op(OpKind::lookup, "d/foo"), op(OpKind::rename, "d/foo", "e/x"),
                    op(OpKind::rename, "e/bar", "e/bar"), op(OpKind::rename, "d", "e")});
  EXPECT_EQ(moved[0].err, 0);
  EXPECT_EQ(moved[1].slot, kTreeSlot0 + 1);
  EXPECT_EQ(moved[2].err, -ENOENT);
  EXPECT_EQ(moved[3].err, -ENOENT);
  EXPECT_EQ(moved[4].err, 0);
  EXPECT_EQ(moved[5].err, -ENOTEMPTY);  // e holds bar now
}

TEST(OracleSeqfs, CaseInsensitiveMatchesAnyCaseAndKeepsTheDisksSpelling) {
  std::vector<TreeNode> t = {node(-1, "Foo", false), node(-1, "x", false), node(-1, "D", true)};
  auto r = run(
      FsKind::case_insensitive, t,
      {op(OpKind::lookup, "FOO"), op(OpKind::create, "foo"), op(OpKind::rename, "x", "FOO"),
       op(OpKind::lookup, "foo"), op(OpKind::rename, "fOO", "FoO"), op(OpKind::mkdir, "d/sub")});
  EXPECT_EQ(r[0].slot, kTreeSlot0 + 0);
  EXPECT_EQ(r[1].err, -EEXIST);
  EXPECT_EQ(r[2].err, 0);
  EXPECT_EQ(r[3].slot, kTreeSlot0 + 1);  // x, now under Foo's name
  EXPECT_EQ(r[4].err, 0);                // the same entry: nothing to do
  EXPECT_EQ(r[5].err, 0);
  // The same scenario on a plain filesystem: names differ by case.
  auto p = run(FsKind::plain, t, {op(OpKind::lookup, "FOO"), op(OpKind::create, "foo")});
  EXPECT_EQ(p[0].err, -ENOENT);
  EXPECT_EQ(p[1].err, 0);
}

TEST(OracleSeqfs, CaseInsensitiveRenameKeepsTheTargetsSpelling) {
  Scenario s;
  s.fs = FsKind::case_insensitive;
  s.tree = {node(-1, "Foo", false), node(-1, "x", false)};
  s.threads = {{op(OpKind::rename, "x", "FOO")}};
  SeqPlan plan = compile(s);
  State state = plan.initial;
  ASSERT_EQ(apply(plan, &state, 0, 0).err, 0);
  EXPECT_EQ(path_in(plan, state, kTreeSlot0 + 1), "/Foo");
  EXPECT_EQ(path_in(plan, state, kTreeSlot0 + 0), "");
}

TEST(OracleSeqfs, FileHandlesOfInitialDirectoriesOnly) {
  auto r = run(FsKind::nfs, tree(),
               {op(OpKind::fh_decode, "d"), op(OpKind::fh_decode, "f"), op(OpKind::fh_decode, "zz"),
                op(OpKind::rename, "d", "dd"), op(OpKind::fh_decode, "d")});
  EXPECT_EQ(r[0].err, 0);
  EXPECT_EQ(r[1].err, -ESTALE);
  EXPECT_EQ(r[2].err, -ESTALE);
  EXPECT_EQ(r[4].err, 0);  // the handle names the inode, wherever it is
}

TEST(OracleSeqfs, BeyondTheLimitsThereIsNoPlan) {
  Scenario s;
  s.threads.assign(5, {op(OpKind::lookup, "a")});
  EXPECT_FALSE(compile(s).usable);
  s.threads.assign(1, {op(OpKind::lookup, "a/b/c/d/e/f/g/h/i")});
  EXPECT_FALSE(compile(s).usable);
}

}  // namespace
}  // namespace dcfuzz::oracle
