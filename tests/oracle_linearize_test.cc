// The result oracle (oracles/linearize.h) on hand-written histories: results
// some order explains pass, others are blamed on the right operation with the
// order they would have needed.
#include <gtest/gtest.h>

#include <cerrno>

#include "oracles/linearize.h"

namespace dcfuzz::oracle {
namespace {

Op op(OpKind kind, const char* path, const char* path2 = "") { return Op{kind, path, path2}; }

struct Case {
  Scenario scenario;
  History history;
  SeqPlan plan;

  Case(FsKind fs, std::vector<TreeNode> tree, std::vector<std::vector<Op>> threads) {
    scenario.fs = fs;
    scenario.tree = std::move(tree);
    scenario.threads = std::move(threads);
    plan = compile(scenario);
  }
  // Operation (t, i) ran from step begin to step end and returned err (slot).
  void ran(int t, int i, uint32_t begin, uint32_t end, int err, int slot = kNoSlot) {
    history.op[t][i] = OpRecord{true, begin, end, Result{err, slot}};
  }
  Verdict check() const { return check_history(plan, history); }
  std::string title(const Verdict& v, std::string* details = nullptr) const {
    char t[160], d[4096];
    describe_verdict(plan, history, v, t, sizeof t, d, sizeof d);
    if (details) *details = d;
    return t;
  }
};

const std::vector<TreeNode> kFoo = {TreeNode{-1, "foo", false, false}};

TEST(OracleLinearize, SequentialResultsPass) {
  Case c(FsKind::plain, {}, {{op(OpKind::create, "foo")}, {op(OpKind::lookup, "foo")}});
  c.ran(0, 0, 1, 5, 0, op_slot(0, 0));
  c.ran(1, 0, 6, 9, 0, op_slot(0, 0));
  EXPECT_TRUE(c.check().ok);
}

TEST(OracleLinearize, OverlappingOperationsMayGoEitherWay) {
  Case c(FsKind::plain, {}, {{op(OpKind::create, "foo")}, {op(OpKind::lookup, "foo")}});
  c.ran(0, 0, 1, 10, 0, op_slot(0, 0));
  c.ran(1, 0, 5, 8, -ENOENT);
  EXPECT_TRUE(c.check().ok);
  c.ran(1, 0, 5, 8, 0, op_slot(0, 0));
  EXPECT_TRUE(c.check().ok);
}

TEST(OracleLinearize, AStatAfterTheCreateThatMissesIsBlamed) {
  Case c(FsKind::plain, {}, {{op(OpKind::create, "foo")}, {op(OpKind::lookup, "foo")}});
  c.ran(0, 0, 1, 5, 0, op_slot(0, 0));
  c.ran(1, 0, 6, 9, -ENOENT);
  Verdict v = c.check();
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.thread, 1);
  EXPECT_EQ(v.index, 0);
  EXPECT_EQ(v.expected.slot, op_slot(0, 0));
  std::string details;
  EXPECT_EQ(c.title(v, &details), "BUG: wrong result: stat(...) = -ENOENT");
  EXPECT_NE(details.find("The results need the order T2 stat(\"foo\"), T1 creat(\"foo\"), but T1 "
                         "creat(\"foo\") ended (step 5) before T2 stat(\"foo\") began (step 6)"),
            std::string::npos)
      << details;
  EXPECT_NE(details.find("gives T2 stat(\"foo\") = 0 (the inode T1 creat(\"foo\") created)"),
            std::string::npos)
      << details;
}

TEST(OracleLinearize, ResultsNoOrderGivesSaySo) {
  Case c(FsKind::plain, {}, {{op(OpKind::create, "foo")}, {op(OpKind::create, "foo")}});
  c.ran(0, 0, 1, 10, 0, op_slot(0, 0));
  c.ran(1, 0, 2, 9, 0, op_slot(1, 0));
  Verdict v = c.check();
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(v.needed_len, 0);
  std::string details;
  EXPECT_EQ(c.title(v, &details), "BUG: wrong result: creat(...) = 0");
  EXPECT_NE(details.find("even ignoring when each ran"), std::string::npos) << details;
}

TEST(OracleLinearize, AStaleInodeIsAWrongResult) {
  Case c(FsKind::plain, kFoo, {{op(OpKind::rename, "foo", "bar")}, {op(OpKind::lookup, "bar")}});
  c.ran(0, 0, 1, 3, 0);
  c.ran(1, 0, 4, 6, 0, kTreeSlot0);
  EXPECT_TRUE(c.check().ok);
  c.ran(1, 0, 4, 6, -ENOENT);
  EXPECT_FALSE(c.check().ok);
}

TEST(OracleLinearize, AllocationFaultsConstrainNothing) {
  Case c(FsKind::plain, {}, {{op(OpKind::create, "foo")}, {op(OpKind::lookup, "foo")}});
  c.ran(0, 0, 1, 5, -ENOMEM);
  c.ran(1, 0, 6, 9, -ENOENT);
  EXPECT_TRUE(c.check().ok);
  c.ran(1, 0, 6, 9, 0, op_slot(0, 0));  // the create that failed made nothing
  EXPECT_FALSE(c.check().ok);
}

TEST(OracleLinearize, OpenCreateCreatedOrOpened) {
  Case c(FsKind::plain, {}, {{op(OpKind::open_create, "foo")}, {op(OpKind::open_create, "foo")}});
  c.ran(0, 0, 1, 10, 0, op_slot(0, 0));
  c.ran(1, 0, 2, 9, 0, op_slot(0, 0));
  EXPECT_TRUE(c.check().ok);
  c.ran(1, 0, 2, 9, 0, op_slot(1, 0));  // both created
  Verdict v = c.check();
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(c.title(v), "BUG: wrong result: open(..., O_CREAT) = created");
}

TEST(OracleLinearize, FullyConcurrentProgramsAreCheap) {
  // 4 threads of 6 operations on two names, all at once: 24!/(6!^4) orders
  // without the memo.
  std::vector<std::vector<Op>> threads(4);
  for (auto& t : threads)
    for (int i = 0; i < 6; ++i)
      t.push_back(i % 3 == 0   ? op(OpKind::open_create, "a")
                  : i % 3 == 1 ? op(OpKind::rename, "a", "b")
                               : op(OpKind::lookup, "b"));
  Case c(FsKind::plain, {}, threads);
  // Results that fit T1 running alone, then the others finding nothing.
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 6; ++i) {
      int err = 0, slot = kNoSlot;
      if (i % 3 == 0) slot = op_slot(t, i);
      if (i % 3 == 2) slot = op_slot(t, i - 2);
      c.ran(t, i, 1, 100, err, slot);
    }
  Verdict v = c.check();
  EXPECT_TRUE(v.ok);
  EXPECT_FALSE(v.gave_up);
  c.ran(3, 5, 1, 100, -EEXIST);  // a stat cannot say that
  v = c.check();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.thread, 3);
  EXPECT_EQ(v.index, 5);
}

// The kernel's path walk is not atomic: a stat of "a/b" may find "a" before
// a rename moves it away and "b" in it after a create made it there.
TEST(OracleLinearize, APathWalkSeesEachComponentAtItsOwnTime) {
  Case c(
      FsKind::plain, {TreeNode{-1, "a", true, false}},
      {{op(OpKind::lookup, "a/b")}, {op(OpKind::rename, "a", "z")}, {op(OpKind::create, "z/b")}});
  c.ran(1, 0, 2, 5, 0);
  c.ran(2, 0, 6, 9, 0, op_slot(2, 0));
  c.ran(0, 0, 1, 100, 0, op_slot(2, 0));
  EXPECT_TRUE(c.check().ok);
  // But not "a" after the rename.
  c.ran(0, 0, 6, 100, 0, op_slot(2, 0));
  EXPECT_FALSE(c.check().ok);
}

TEST(OracleLinearize, CaseInsensitiveNamesAreOneName) {
  Case c(FsKind::case_insensitive, kFoo,
         {{op(OpKind::unlink, "FOO")}, {op(OpKind::lookup, "Foo")}});
  c.ran(0, 0, 1, 3, 0);
  c.ran(1, 0, 4, 6, 0, kTreeSlot0);
  Verdict v = c.check();
  ASSERT_FALSE(v.ok);
  EXPECT_EQ(c.title(v), "BUG: wrong result: stat(...) = 0");
}

}  // namespace
}  // namespace dcfuzz::oracle
