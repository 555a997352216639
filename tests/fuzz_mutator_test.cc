// The schedule-aware mutator and crossover: outputs always parse and are
// normalised, every kind of mutation is reachable and changes the schedule,
// and the same seed gives the same output.
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <set>

#include "fuzz/mutator.h"
#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

using google::protobuf::util::MessageDifferencer;

// Deterministic stand-in for LLVMFuzzerMutate (no libFuzzer driver in tests).
size_t bump_scalar(uint8_t* data, size_t size, size_t) {
  if (size) data[0] = uint8_t(data[0] + 3);
  return size;
}

pb::Schedule rich_schedule() {
  pb::Schedule s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
    scenario { kernel: V4 fs: CASE_INSENSITIVE
      tree { name: "d" dir: true disconnected_alias: true }
      tree { parent: 1 name: "foo" }
      threads { ops { op: LOOKUP path: "d/foo" } ops { op: CREATE path: "b" } }
      threads { ops { op: RENAME path: "d/foo" path2: "a" } }
    }
    preemptions { step: 3 thread: 2 }
    preemptions { step: 9 thread: 1 }
    choices { call: 1 value: 2 }
    faults { thread: 1 nth: 2 })",
                                                            &s));
  normalize(&s);
  return s;
}

pb::Schedule normalized(pb::Schedule s) {
  normalize(&s);
  return s;
}

TEST(FuzzMutator, EveryKindIsReachableAndChangesTheSchedule) {
  const pb::Schedule input = rich_schedule();
  for (int k = 0; k < kMutationKinds; ++k) {
    const auto kind = Mutation(k);
    bool changed = false;
    for (uint32_t seed = 1; seed <= 64 && !changed; ++seed) {
      pb::Schedule s = input;
      Mutator mutator(seed, bump_scalar);
      if (!mutator.apply(kind, &s, 100)) continue;
      changed = !MessageDifferencer::Equals(normalized(s), input);
    }
    EXPECT_TRUE(changed) << mutation_name(kind);
  }
}

TEST(FuzzMutator, KindsThatDoNotApplyLeaveTheScheduleAlone) {
  pb::Schedule empty;
  normalize(&empty);  // one thread, no ops, no tree, no interleaving
  const pb::Schedule before = empty;
  Mutator mutator(7, bump_scalar);
  for (auto kind : {Mutation::drop_preemption, Mutation::move_preemption, Mutation::drop_op,
                    Mutation::drop_thread, Mutation::drop_fault, Mutation::change_fault,
                    Mutation::drop_node, Mutation::change_node, Mutation::change_op}) {
    EXPECT_FALSE(mutator.apply(kind, &empty, 10)) << mutation_name(kind);
    EXPECT_TRUE(MessageDifferencer::Equals(empty, before)) << mutation_name(kind);
  }
}

// Grows schedules from nothing by repeated mutation: every output parses, is
// already normalised, and fits; the structure grows (threads, ops, tree,
// preemptions, faults all appear) and case-variant names show up.
TEST(FuzzMutator, OutputsParseAndAreNormalised) {
  std::set<std::string> names;
  int max_threads = 0, max_ops = 0, max_tree = 0, max_preemptions = 0, max_faults = 0;
  std::set<int> filesystems;
  for (uint32_t lineage = 0; lineage < 20; ++lineage) {
    std::string bytes;
    for (uint32_t round = 0; round < 200; ++round) {
      std::vector<uint8_t> buffer(bytes.begin(), bytes.end());
      buffer.resize(4096);
      size_t n = mutate_bytes(buffer.data(), bytes.size(), buffer.size(), lineage * 1000 + round,
                              200, bump_scalar);
      ASSERT_GT(n, 0u);
      bytes.assign(reinterpret_cast<char*>(buffer.data()), n);
      pb::Schedule s;
      ASSERT_TRUE(s.ParseFromString(bytes));
      ASSERT_TRUE(MessageDifferencer::Equals(normalized(s), s)) << s.DebugString();
      max_threads = std::max(max_threads, s.scenario().threads_size());
      int ops = 0;
      for (const auto& t : s.scenario().threads()) {
        ops += t.ops_size();
        for (const auto& op : t.ops()) names.insert(op.path().substr(op.path().rfind('/') + 1));
      }
      max_ops = std::max(max_ops, ops);
      max_tree = std::max(max_tree, s.scenario().tree_size());
      max_preemptions = std::max(max_preemptions, s.preemptions_size());
      max_faults = std::max(max_faults, s.faults_size());
      filesystems.insert(s.scenario().fs());
    }
  }
  EXPECT_EQ(max_threads, Limits::kThreads);
  EXPECT_GE(max_ops, 4);
  EXPECT_GE(max_tree, 3);
  EXPECT_GE(max_preemptions, 3);
  EXPECT_GE(max_faults, 1);
  EXPECT_EQ(filesystems.size(), 3u);
  EXPECT_TRUE(names.count("foo") && names.count("Foo") && names.count("FOO"));
}

// Mutations are applied one after another before the result is normalised:
// each must cope with what the previous ones left (a reparented node, a
// dropped thread that preemptions still name).
TEST(FuzzMutator, ChainsOfMutationsWithoutNormalisingInBetween) {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    pb::Schedule s = rich_schedule();
    Mutator mutator(seed, bump_scalar);
    Rng pick(seed);
    for (int i = 0; i < 40; ++i) mutator.apply(Mutation(pick.below(kMutationKinds)), &s, 100);
    normalize(&s);
    ASSERT_GE(s.scenario().threads_size(), 1);
  }
}

TEST(FuzzMutator, SameSeedSameOutput) {
  const std::string input = rich_schedule().SerializeAsString();
  auto run = [&](uint32_t seed) {
    std::vector<uint8_t> buffer(input.begin(), input.end());
    buffer.resize(4096);
    size_t n = mutate_bytes(buffer.data(), input.size(), buffer.size(), seed, 50, bump_scalar);
    return std::string(reinterpret_cast<char*>(buffer.data()), n);
  };
  std::set<std::string> outputs;
  for (uint32_t seed = 0; seed < 32; ++seed) {
    EXPECT_EQ(run(seed), run(seed));
    outputs.insert(run(seed));
  }
  EXPECT_GT(outputs.size(), 16u);  // and different seeds mostly differ
}

TEST(FuzzMutator, UnparseableInputMutatesFromTheEmptySchedule) {
  std::vector<uint8_t> buffer = {0xff, 0xff, 0xff, 0x13};
  buffer.resize(4096);
  size_t n = mutate_bytes(buffer.data(), 4, buffer.size(), 3, 0, bump_scalar);
  pb::Schedule s;
  ASSERT_TRUE(s.ParseFromArray(buffer.data(), int(n)));
  EXPECT_GE(s.scenario().threads_size(), 1);
}

TEST(FuzzMutator, OutputRespectsMaxSize) {
  const std::string input = rich_schedule().SerializeAsString();
  std::vector<uint8_t> buffer(input.begin(), input.end());
  size_t n = mutate_bytes(buffer.data(), input.size(), input.size() / 2, 5, 50, bump_scalar);
  EXPECT_LE(n, input.size() / 2);
}

TEST(FuzzCrossover, ChildrenMixBothParentsAndParse) {
  const pb::Schedule a = rich_schedule();
  pb::Schedule b;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
    scenario { fs: NFS tree { name: "x" dir: true }
      threads { ops { op: MKDIR path: "x/bar" } } }
    preemptions { step: 20 thread: 1 })",
                                                            &b));
  normalize(&b);
  const std::string sa = a.SerializeAsString(), sb = b.SerializeAsString();
  bool took_thread = false, took_interleaving = false, took_tree = false;
  for (uint32_t seed = 0; seed < 64; ++seed) {
    std::vector<uint8_t> out(4096);
    size_t n = crossover_bytes(reinterpret_cast<const uint8_t*>(sa.data()), sa.size(),
                               reinterpret_cast<const uint8_t*>(sb.data()), sb.size(), out.data(),
                               out.size(), seed, bump_scalar);
    std::vector<uint8_t> again(4096);
    ASSERT_EQ(n, crossover_bytes(reinterpret_cast<const uint8_t*>(sa.data()), sa.size(),
                                 reinterpret_cast<const uint8_t*>(sb.data()), sb.size(),
                                 again.data(), again.size(), seed, bump_scalar));
    EXPECT_EQ(0, memcmp(out.data(), again.data(), n));
    pb::Schedule child;
    ASSERT_TRUE(child.ParseFromArray(out.data(), int(n)));
    ASSERT_TRUE(MessageDifferencer::Equals(normalized(child), child));
    for (const auto& t : child.scenario().threads()) {
      took_thread |= t.ops_size() == 1 && t.ops(0).op() == pb::MKDIR;
    }
    for (const auto& p : child.preemptions()) took_interleaving |= p.step() == 20;
    took_tree |= child.scenario().fs() == pb::NFS;
  }
  EXPECT_TRUE(took_thread);
  EXPECT_TRUE(took_interleaving);
  EXPECT_TRUE(took_tree);
}

// --keep-scenario: mutations and crossover change the interleaving (some of
// them do), never the scenario.
TEST(FuzzMutator, KeepScenarioNeverChangesTheScenario) {
  const pb::Schedule input = rich_schedule();
  const std::string bytes = input.SerializeAsString();
  MutatorOptions keep;
  keep.keep_scenario = true;
  bool interleaving_changed = false;
  for (uint32_t seed = 0; seed < 200; ++seed) {
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    size_t size = data.size();
    data.resize(4096);
    for (int round = 0; round < 4; ++round) {  // mutants of mutants
      size = mutate_bytes(data.data(), size, data.size(), seed * 4 + uint32_t(round), 100,
                          bump_scalar, keep);
      pb::Schedule out;
      ASSERT_TRUE(out.ParseFromArray(data.data(), int(size)));
      ASSERT_TRUE(MessageDifferencer::Equals(out.scenario(), input.scenario()))
          << "seed " << seed << " round " << round;
      interleaving_changed |= !MessageDifferencer::Equals(out, input);
    }
  }
  EXPECT_TRUE(interleaving_changed);
  // Scenario-changing kinds do not apply at all.
  for (int k = 0; k < kMutationKinds; ++k) {
    pb::Schedule s = input;
    Mutator mutator(7, bump_scalar, keep);
    if (changes_scenario(Mutation(k))) {
      EXPECT_FALSE(mutator.apply(Mutation(k), &s, 100)) << mutation_name(Mutation(k));
      EXPECT_TRUE(MessageDifferencer::Equals(s, input)) << mutation_name(Mutation(k));
    }
  }
}

TEST(FuzzCrossover, KeepScenarioTakesOnlyTheOtherInterleaving) {
  const pb::Schedule a = rich_schedule();
  pb::Schedule b;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
    scenario { fs: NFS tree { name: "x" dir: true }
      threads { ops { op: MKDIR path: "x/bar" } ops { op: LOOKUP path: "x" } } }
    preemptions { step: 20 thread: 1 } faults { thread: 1 nth: 3 })",
                                                            &b));
  normalize(&b);
  const std::string sa = a.SerializeAsString(), sb = b.SerializeAsString();
  MutatorOptions keep;
  keep.keep_scenario = true;
  bool took_interleaving = false;
  for (uint32_t seed = 0; seed < 64; ++seed) {
    std::vector<uint8_t> out(4096);
    size_t n = crossover_bytes(reinterpret_cast<const uint8_t*>(sa.data()), sa.size(),
                               reinterpret_cast<const uint8_t*>(sb.data()), sb.size(), out.data(),
                               out.size(), seed, bump_scalar, keep);
    pb::Schedule child;
    ASSERT_TRUE(child.ParseFromArray(out.data(), int(n)));
    ASSERT_TRUE(MessageDifferencer::Equals(child.scenario(), a.scenario())) << "seed " << seed;
    for (const auto& p : child.preemptions()) took_interleaving |= p.step() == 20;
  }
  EXPECT_TRUE(took_interleaving);
}

}  // namespace
}  // namespace dcfuzz

namespace dcfuzz {
namespace {

// scatter-preemptions is a random walk's interleaving: the old preemptions
// go, new ones fall inside the execution at about one step in ten.
TEST(FuzzMutator, ScatterPreemptionsLooksLikeARandomWalk) {
  const pb::Schedule input = rich_schedule();
  int preemptions = 0;
  for (uint32_t seed = 1; seed <= 100; ++seed) {
    pb::Schedule s = input;
    Mutator mutator(seed, bump_scalar);
    ASSERT_TRUE(mutator.apply(Mutation::scatter_preemptions, &s, 200));
    EXPECT_TRUE(MessageDifferencer::Equals(s.scenario(), input.scenario()));
    for (const auto& p : s.preemptions()) {
      EXPECT_LT(p.step(), 200u);
      EXPECT_GE(p.thread(), 1u);
      EXPECT_LE(p.thread(), 2u);
    }
    preemptions += s.preemptions_size();
  }
  // 100 x 200 steps at 1/10: 2000 expected.
  EXPECT_GT(preemptions, 1500);
  EXPECT_LT(preemptions, 2500);
  pb::Schedule alone;
  alone.mutable_scenario()->add_threads();
  Mutator mutator(1, bump_scalar);
  EXPECT_FALSE(mutator.apply(Mutation::scatter_preemptions, &alone, 200));  // one thread
}

// random-scenario draws a whole scenario; the campaign's kernel stays.
TEST(FuzzMutator, RandomScenarioKeepsTheKernel) {
  std::set<std::string> scenarios;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    pb::Schedule s = rich_schedule();
    s.mutable_scenario()->set_kernel(pb::V4_FIXED);
    Mutator mutator(seed, bump_scalar);
    ASSERT_TRUE(mutator.apply(Mutation::random_scenario, &s, 100));
    EXPECT_EQ(s.scenario().kernel(), pb::V4_FIXED);
    // the input's go; one is drawn for each thread (test below)
    EXPECT_EQ(s.faults_size(), s.scenario().threads_size());
    scenarios.insert(s.scenario().SerializeAsString());
  }
  EXPECT_GT(scenarios.size(), 15u);
}

// add-fault and change-choice place most new faults and choices where the
// input's execution allocated and chose (Reached); without that knowledge,
// blindly. T2 made 3 allocations and the execution 5 random calls.
TEST(FuzzMutator, FaultsAndChoicesGoWhereTheExecutionReached) {
  pb::Schedule input = rich_schedule();
  input.clear_faults();
  input.clear_choices();
  Reached reached;
  reached.steps = 100;
  reached.allocs[1] = 3;
  reached.random_calls = 5;
  const Reached blind{100};
  auto count = [&](Mutation kind, const Reached& r) {
    int hits = 0;
    for (uint32_t seed = 1; seed <= 200; ++seed) {
      pb::Schedule s = input;
      Mutator mutator(seed, bump_scalar);
      if (!mutator.apply(kind, &s, r)) continue;
      if (kind == Mutation::add_fault) {
        EXPECT_EQ(s.faults_size(), 1);
        hits += s.faults(0).thread() == 2 && s.faults(0).nth() <= 3;
      } else if (s.choices_size() == 1) {
        hits += s.choices(0).call() < 5;
      }
    }
    return hits;
  };
  EXPECT_GT(count(Mutation::add_fault, reached), 140);  // 3/4 + 1/4 of the blind 1/4
  EXPECT_LT(count(Mutation::add_fault, blind), 90);
  EXPECT_GT(count(Mutation::change_choice, reached), 120);  // 3/4 and 1/4 of 5/100
  EXPECT_LT(count(Mutation::change_choice, blind), 30);
}

// random-scenario draws what a random walk would leave to chance: choices
// at the first random calls, and in every thread one fault early on.
TEST(FuzzMutator, RandomScenarioDrawsARandomWalksChoicesAndFaults) {
  int with_choices = 0;
  std::set<uint32_t> nths;
  for (uint32_t seed = 1; seed <= 100; ++seed) {
    pb::Schedule s = rich_schedule();
    Mutator mutator(seed, bump_scalar);
    ASSERT_TRUE(mutator.apply(Mutation::random_scenario, &s, 100));
    normalize(&s);
    with_choices += s.choices_size() > 0;
    std::set<uint32_t> threads;
    for (const auto& f : s.faults()) {
      EXPECT_GE(f.nth(), 1u);
      EXPECT_LE(f.nth(), 3u);
      threads.insert(f.thread());
      nths.insert(f.nth());
    }
    EXPECT_EQ(threads.size(), size_t(s.scenario().threads_size()));  // one in each thread
    EXPECT_EQ(s.faults_size(), s.scenario().threads_size());
    for (const auto& c : s.choices()) EXPECT_LT(c.call(), 16u);
  }
  EXPECT_EQ(nths.size(), 3u);
  EXPECT_GT(with_choices, 70);
}

}  // namespace
}  // namespace dcfuzz
