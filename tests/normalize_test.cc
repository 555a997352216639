// Normalisation folds any parsed schedule onto a valid, canonical one.
#include "schedules/normalize.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "schedules/model_enums.h"
#include "schedules/rng.h"
#include "schedules/schedule_io.h"
#include "tests/schedule_text.h"

namespace dcfuzz {
namespace {

TEST(Normalize, EmptyScheduleGetsOneThread) {
  pb::Schedule s;
  normalize(&s);
  EXPECT_EQ(s.scenario().threads_size(), 1);
}

// The op kinds' numbers may have gaps (numbers kept for other ops): every
// value the proto knows is in the table and stays; the others fold onto one.
TEST(Normalize, OpKindsAreTheProtosValues) {
  int known = 0;
  for (int v = 0; v < pb::OpKind_ARRAYSIZE + 3; ++v) {
    const bool valid = pb::OpKind_IsValid(v);
    known += valid;
    EXPECT_EQ(known_op_kind(uint32_t(v)) == pb::OpKind(v), valid) << v;
    EXPECT_TRUE(pb::OpKind_IsValid(known_op_kind(uint32_t(v)))) << v;
  }
  EXPECT_EQ(known, kOpKinds);
  for (int i = 0; i < kOpKinds; ++i) EXPECT_EQ(op_kind_index(op_kind_at(uint32_t(i))), uint32_t(i));
}

TEST(Normalize, FoldsValuesIntoRange) {
  pb::Schedule s = testing::parse_text(R"(
    scenario { kernel: 7 fs: 5
      threads { ops { op: 99 path: "//a//b/c/d/e" path2: "x" } ops { op: 15 path: "a" } }
      threads { }
    }
    preemptions { step: 5 thread: 7 }
    preemptions { step: 5 thread: 1 }
    preemptions { step: 2 thread: 0 }
    choices { call: 3 value: 0 }
    faults { thread: 5 nth: 0 })");
  normalize(&s);
  EXPECT_EQ(s.scenario().kernel(), pb::Kernel(7 % 5));
  EXPECT_EQ(s.scenario().fs(), pb::Filesystem(5 % 3));
  const auto& op = s.scenario().threads(0).ops(0);
  EXPECT_EQ(op.op(), op_kind_at(99 % kOpKinds));  // a row of the table, never a gap
  EXPECT_EQ(s.scenario().threads(0).ops(1).op(), pb::SERVER_UNLINK);  // a value it has stays
  EXPECT_EQ(op.path(), "a/b/c");
  ASSERT_EQ(s.preemptions_size(), 2);
  EXPECT_EQ(s.preemptions(0).step(), 2u);
  EXPECT_EQ(s.preemptions(0).thread(), 2u);  // 0 is the last thread
  EXPECT_EQ(s.preemptions(1).thread(), 1u);  // 7 -> T1 of 2; first listed wins
  EXPECT_EQ(s.choices_size(), 0);            // value 0 is the default
  ASSERT_EQ(s.faults_size(), 1);
  EXPECT_EQ(s.faults(0).thread(), 5u % 3);
  EXPECT_EQ(s.faults(0).nth(), 1u);
}

TEST(Normalize, TreeParentsAreEarlierDirectoriesAndNamesUnique) {
  pb::Schedule s = testing::parse_text(R"(
    scenario { fs: CASE_INSENSITIVE
      tree { name: "d" dir: true disconnected_alias: true }
      tree { parent: 1 name: "f" }
      tree { parent: 2 name: "g" }
      tree { parent: 1 name: "F" }
      tree { name: "x" disconnected_alias: true }
    })");
  normalize(&s);
  const auto& tree = s.scenario().tree();
  ASSERT_EQ(tree.size(), 3);  // g's parent is a file; F collides with f
  EXPECT_EQ(tree[1].name(), "f");
  EXPECT_EQ(tree[1].parent(), 1u);
  EXPECT_TRUE(tree[0].disconnected_alias());
  EXPECT_EQ(tree[2].name(), "x");
  EXPECT_FALSE(tree[2].disconnected_alias());  // files have no disconnected alias
}

TEST(Normalize, NamesUseTheSmallAlphabet) {
  EXPECT_EQ(normalize_name(""), "a");
  EXPECT_EQ(normalize_name("foo"), "foo");
  EXPECT_EQ(normalize_name("averylongname"), "averylon");
  for (char c : normalize_name(std::string("..\x01\xff/", 5))) {
    EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  }
}

// A path as normalize() makes it, spelled out: its first kPathDepth
// non-empty '/'-separated names, each through normalize_name, "a" for none.
std::string path_by_the_rule(const std::string& raw) {
  std::string out;
  int depth = 0;
  for (size_t begin = 0; begin <= raw.size() && depth < Limits::kPathDepth;) {
    size_t end = std::min(raw.find('/', begin), raw.size());
    if (end > begin) {
      out += (out.empty() ? "" : "/") + normalize_name(raw.substr(begin, end - begin));
      ++depth;
    }
    begin = end + 1;
  }
  return out.empty() ? "a" : out;
}

// normalize() leaves names and paths that are already normal as they are
// (without rewriting them) and rewrites the others: either way, by the rule.
TEST(Normalize, NamesAndPathsFollowTheRuleWhetherNormalOrNot) {
  const char kChars[] = {'a', 'B', '0', '_', '-', '/', '/', '.', ' ', '\xff'};
  Rng rng(11);
  int unchanged = 0, rewritten = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string raw(rng.below(30), 'a');
    for (char& c : raw) c = kChars[rng.below(sizeof kChars)];
    pb::Schedule s;
    s.mutable_scenario()->add_tree()->set_name(raw);
    auto* op = s.mutable_scenario()->add_threads()->add_ops();
    op->set_op(pb::RENAME);
    op->set_path(raw);
    op->set_path2(raw);
    normalize(&s);
    ASSERT_EQ(s.scenario().tree(0).name(), normalize_name(raw)) << raw;
    const std::string want = path_by_the_rule(raw);
    ASSERT_EQ(s.scenario().threads(0).ops(0).path(), want) << raw;
    ASSERT_EQ(s.scenario().threads(0).ops(0).path2(), want) << raw;
    (want == raw ? unchanged : rewritten)++;
  }
  EXPECT_GT(unchanged, 500);
  EXPECT_GT(rewritten, 1000);
}

TEST(Normalize, IsIdempotentOnRandomBytes) {
  Rng rng(7);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng.below(64), '\0');
    for (char& c : bytes) c = char(rng.below(256));
    pb::Schedule s;
    if (!s.ParseFromString(bytes)) continue;
    ++parsed;
    normalize(&s);
    pb::Schedule again = s;
    normalize(&again);
    ASSERT_EQ(again.SerializeAsString(), s.SerializeAsString());
    ASSERT_GE(s.scenario().threads_size(), 1);
  }
  EXPECT_GT(parsed, 100);
}

TEST(DescribeCaps, NamesEveryLimitNormalizeCuts) {
  pb::Schedule s = testing::parse_text(R"(
    scenario {
      tree { name: "averyveryverylongname" }
      threads { ops { op: RENAME path: "a" path2: "a/b/c/d/e" } }
    })");
  for (int i = 0; i < 9; ++i) s.mutable_scenario()->add_tree()->set_name("n" + std::to_string(i));
  for (int i = 0; i < 5; ++i) s.mutable_scenario()->add_threads();
  for (int i = 0; i < 7; ++i) s.mutable_scenario()->mutable_threads(1)->add_ops();
  for (uint32_t i = 0; i < 70; ++i) {
    s.add_preemptions()->set_step(i);
    s.add_preemptions()->set_step(i);  // duplicates are not caps
    auto* c = s.add_choices();
    c->set_call(i);
    c->set_value(1);
  }
  for (uint32_t i = 0; i < 9; ++i) s.add_faults()->set_nth(i + 1);
  EXPECT_EQ(format_caps(describe_caps(s)),
            "6 threads, capped to 4; 7 operations in a thread, capped to 6; "
            "10 tree nodes, capped to 8; 5 components in a path, capped to 3; "
            "21 characters in a name, capped to 8; 70 preemptions, capped to 64; "
            "70 choices, capped to 64; 9 faults, capped to 8");
}

TEST(DescribeCaps, FoldedAndDuplicateValuesAreNotCaps) {
  // UNLINK takes no path2: it goes whatever its depth.
  pb::Schedule s = testing::parse_text(R"(
    scenario { kernel: 77 threads { ops { op: 2 path: "a//b/c/" path2: "x/y/z/w" } } })");
  for (uint32_t i = 0; i < 100; ++i) {
    s.add_preemptions()->set_step(7);
    s.add_choices()->set_call(i);                    // value 0: the default, dropped
    s.add_faults()->set_thread(i % 2 == 0 ? 0 : 2);  // thread 2 of 1 folds onto 0
  }
  EXPECT_EQ(format_caps(describe_caps(s)), "");
  pb::Schedule normalized = s;
  normalize(&normalized);
  EXPECT_EQ(normalized.preemptions_size(), 1);
  EXPECT_EQ(normalized.faults_size(), 1);
}

TEST(ScheduleIo, TextAndBinaryRoundTrip) {
  pb::Schedule s = testing::parse_text(R"(scenario { kernel: V4 threads { ops { path: "a" } } }
                            preemptions { step: 3 thread: 1 })");
  pb::Schedule from_text, from_binary;
  std::string error;
  ASSERT_TRUE(parse_schedule(to_text(s), &from_text, &error)) << error;
  ASSERT_TRUE(parse_schedule(to_binary(s), &from_binary, &error)) << error;
  EXPECT_EQ(from_text.SerializeAsString(), s.SerializeAsString());
  EXPECT_EQ(from_binary.SerializeAsString(), s.SerializeAsString());
}

}  // namespace
}  // namespace dcfuzz
