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

TEST(OracleSeqfs, RmdirRemovesAnEmptyDirectoryWhichIsThenDead) {
  auto r = run(FsKind::plain, tree(),
               {op(OpKind::rmdir, "d"), op(OpKind::rmdir, "f"), op(OpKind::rmdir, "nope"),
                op(OpKind::unlink, "d/foo"), op(OpKind::rmdir, "d"), op(OpKind::lookup, "d")});
  EXPECT_EQ(r[0].err, -ENOTEMPTY);
  EXPECT_EQ(r[1].err, -ENOTDIR);
  EXPECT_EQ(r[2].err, -ENOENT);
  EXPECT_EQ(r[4].err, 0);
  EXPECT_EQ(r[5].err, -ENOENT);
  // A walk that reached e before it died creates nothing in it (IS_DEADDIR).
  Scenario s;
  s.tree = tree();
  s.threads = {{op(OpKind::create, "e/x"), op(OpKind::mkdir, "e/y"), op(OpKind::open_create, "e/z"),
                op(OpKind::lookup, "e/w")},
               {op(OpKind::rmdir, "e")}};
  SeqPlan plan = compile(s);
  for (int i = 0; i < 4; ++i) {
    State state = plan.initial;
    Cursor c;
    Result res;
    ASSERT_FALSE(advance(plan, &state, 0, i, &c, &res));  // the walk reaches e
    ASSERT_EQ(apply(plan, &state, 1, 0).err, 0);          // rmdir("e")
    while (!advance(plan, &state, 0, i, &c, &res)) {
    }
    EXPECT_EQ(res.err, -ENOENT) << i;
  }
}

TEST(OracleSeqfs, LinkNamesTheInodeTwice) {
  auto r = run(FsKind::plain, tree(),
               {op(OpKind::link, "d/foo", "e/bar"), op(OpKind::lookup, "e/bar"),
                op(OpKind::unlink, "d/foo"), op(OpKind::lookup, "e/bar"),
                op(OpKind::rename, "e/bar", "e/bar"), op(OpKind::link, "e/bar", "f")});
  EXPECT_EQ(r[0].err, 0);
  EXPECT_EQ(r[1].slot, kTreeSlot0 + 1);  // the same inode
  EXPECT_EQ(r[2].err, 0);
  EXPECT_EQ(r[3].slot, kTreeSlot0 + 1);  // still there under its other name
  EXPECT_EQ(r[5].err, -EEXIST);
  auto refused = run(FsKind::plain, tree(),
                     {op(OpKind::link, "d", "e/d"), op(OpKind::link, "nope", "e/x"),
                      op(OpKind::link, "f", "nope/x"), op(OpKind::link, "f", "f/x"),
                      op(OpKind::link, "f", "d/foo"), op(OpKind::link, "f", "e/f")});
  EXPECT_EQ(refused[0].err, -EPERM);
  EXPECT_EQ(refused[1].err, -ENOENT);
  EXPECT_EQ(refused[2].err, -ENOENT);
  EXPECT_EQ(refused[3].err, -ENOTDIR);
  EXPECT_EQ(refused[4].err, -EEXIST);
  EXPECT_EQ(refused[5].err, 0);
  // Renaming one name over another of the same inode does nothing.
  auto same = run(FsKind::plain, tree(),
                  {op(OpKind::link, "f", "g"), op(OpKind::rename, "f", "g"),
                   op(OpKind::lookup, "f"), op(OpKind::rename, "g", "e"), op(OpKind::rmdir, "g")});
  EXPECT_EQ(same[1].err, 0);
  EXPECT_EQ(same[2].slot, kTreeSlot0 + 3);
  EXPECT_EQ(same[3].err, -EISDIR);
  EXPECT_EQ(same[4].err, -ENOTDIR);
}

// nfs looks a link's new name up only when it is cached: then -EEXIST
// comes first, else vfs_link's -EPERM (the server's -EEXIST comes last).
TEST(OracleSeqfs, NfsLinkOverANameMayAlsoBeEEXIST) {
  auto r = run(FsKind::nfs, tree(), {op(OpKind::link, "d", "e"), op(OpKind::link, "f", "e")});
  EXPECT_EQ(r[0].err, -EPERM);
  EXPECT_EQ(r[0].alt, -EEXIST);
  EXPECT_EQ(r[1].err, -EEXIST);
  EXPECT_EQ(r[1].alt, 0);
  auto plain = run(FsKind::plain, tree(), {op(OpKind::link, "d", "e")});
  EXPECT_EQ(plain[0].err, -EEXIST);
  EXPECT_EQ(plain[0].alt, 0);
}

TEST(OracleSeqfs, LinkToANameUnlinkedSinceTheWalkIsENOENT) {
  Scenario s;
  s.tree = tree();
  s.threads = {{op(OpKind::link, "f", "e/g")}, {op(OpKind::unlink, "f")}};
  SeqPlan plan = compile(s);
  State state = plan.initial;
  Cursor c;
  Result res;
  ASSERT_FALSE(advance(plan, &state, 0, 0, &c, &res));  // f looked up
  ASSERT_EQ(apply(plan, &state, 1, 0).err, 0);
  while (!advance(plan, &state, 0, 0, &c, &res)) {
  }
  EXPECT_EQ(res.err, -ENOENT);  // i_nlink == 0
}

TEST(OracleSeqfs, ExchangeSwapsTwoExistingNames) {
  auto r =
      run(FsKind::plain, tree(),
          {op(OpKind::rename_exchange, "f", "d"), op(OpKind::lookup, "f"), op(OpKind::lookup, "d"),
           op(OpKind::lookup, "f/foo"), op(OpKind::rename_exchange, "f", "nope"),
           op(OpKind::rename_exchange, "f", "f/foo")});
  EXPECT_EQ(r[0].err, 0);  // a file and a directory
  EXPECT_EQ(r[1].slot, kTreeSlot0 + 0);
  EXPECT_EQ(r[2].slot, kTreeSlot0 + 3);
  EXPECT_EQ(r[3].slot, kTreeSlot0 + 1);
  EXPECT_EQ(r[4].err, -ENOENT);
  EXPECT_EQ(r[5].err, -EINVAL);  // the source is an ancestor of the target
  auto up = run(FsKind::plain, tree(),
                {op(OpKind::rename_exchange, "d/foo", "d"), op(OpKind::rename_exchange, "d", "d"),
                 op(OpKind::rename, "e", "d/foo")});
  EXPECT_EQ(up[0].err, -EINVAL);  // the target an ancestor of the source: not -ENOTEMPTY
  EXPECT_EQ(up[1].err, 0);
  EXPECT_EQ(up[2].err, -ENOTDIR);
  auto nfs = run(FsKind::nfs, tree(), {op(OpKind::rename_exchange, "f", "d")});
  EXPECT_EQ(nfs[0].err, -EINVAL);  // nfs_rename refuses the flag
}

TEST(OracleSeqfs, CaseInsensitiveExchangeKeepsEachNamesSpelling) {
  Scenario s;
  s.fs = FsKind::case_insensitive;
  s.tree = {node(-1, "Foo", false), node(-1, "x", false)};
  s.threads = {{op(OpKind::rename_exchange, "X", "FOO")}};
  SeqPlan plan = compile(s);
  State state = plan.initial;
  ASSERT_EQ(apply(plan, &state, 0, 0).err, 0);
  EXPECT_EQ(path_in(plan, state, kTreeSlot0 + 1), "/Foo");
  EXPECT_EQ(path_in(plan, state, kTreeSlot0 + 0), "/x");
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
