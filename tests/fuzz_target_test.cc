// The fuzz target: runs what run_schedule() runs (with the campaign's
// kernel), hands findings over instead of crashing, ignores what does not parse.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "fuzz/mutator.h"
#include "fuzz/target.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

size_t bump_scalar(uint8_t* data, size_t size, size_t) {
  if (size) data[0] = uint8_t(data[0] + 1);
  return size;
}

TEST(FuzzTarget, UnparseableInputIsRejected) {
  set_target(TargetOptions{});
  const uint8_t garbage[] = {0xff, 0xff, 0xff, 0x13};
  EXPECT_EQ(run_target_input(garbage, sizeof garbage), -1);
}

// Mutants of a seed, run twice by the target (the second time from its
// program cache) and once by run_schedule: the same executions.
TEST(FuzzTarget, SameExecutionsAsRunSchedule) {
  std::vector<Execution> seen;
  TargetOptions options;
  options.kernel = pb::V4;
  options.on_finding = [&](const pb::Schedule&, const Execution& e) { seen.push_back(e); };
  set_target(options);
  pb::Schedule seed;
  std::string error;
  ASSERT_TRUE(load_schedule(testing::source_path("corpus/seeds/case-insensitive.textproto"), &seed,
                            &error));
  std::string bytes = seed.SerializeAsString();
  int findings = 0;
  for (uint32_t i = 0; i < 1000; ++i) {
    std::vector<uint8_t> buffer(bytes.begin(), bytes.end());
    buffer.resize(4096);
    buffer.resize(mutate_bytes(buffer.data(), bytes.size(), buffer.size(), i, 100, bump_scalar));
    pb::Schedule schedule;
    ASSERT_TRUE(target_schedule(buffer.data(), buffer.size(), &schedule));
    EXPECT_EQ(schedule.scenario().kernel(), pb::V4);
    const Execution expected = run_schedule(schedule);
    for (int round = 0; round < 2; ++round) {
      seen.clear();
      ASSERT_EQ(run_target_input(buffer.data(), buffer.size()), 0);
      ASSERT_EQ(seen.size(), expected.found ? 1u : 0u);
      if (expected.found) {
        EXPECT_EQ(seen[0].title, expected.title);
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(seen[0].recorded,
                                                                       expected.recorded));
      }
    }
    findings += expected.found;
    if (i % 3 == 0) bytes.assign(buffer.begin(), buffer.end());  // walk away from the seed
  }
  EXPECT_GT(findings, 0);
}

// A campaign worker's warm-up: its samples run through the target (each
// counted, findings handed over), new scenarios on the target's kernel with
// faults, the same for the same seed and other ones for another.
TEST(FuzzTarget, WarmupRunsItsSamplesThroughTheTarget) {
  std::atomic<uint64_t> executions{0};
  int findings = 0;
  TargetOptions options;
  options.kernel = pb::V4;
  options.executions = &executions;
  options.on_finding = [&](const pb::Schedule&, const Execution&) { ++findings; };
  set_target(options);
  const std::vector<std::string> inputs = run_warmup(7, 60);
  ASSERT_EQ(inputs.size(), 60u);
  EXPECT_EQ(executions.load(), 60u);
  EXPECT_GT(findings, 0);  // v4's bugs are shallow: some samples find them
  int with_faults = 0, with_preemptions = 0;
  std::set<std::string> scenarios;
  for (const auto& input : inputs) {
    pb::Schedule schedule;
    std::string error;
    ASSERT_TRUE(parse_schedule(input, &schedule, &error)) << error;
    EXPECT_EQ(schedule.scenario().kernel(), pb::V4);
    with_faults += schedule.faults_size() > 0;
    with_preemptions += schedule.preemptions_size() > 0;
    scenarios.insert(schedule.scenario().SerializeAsString());
  }
  EXPECT_GT(with_faults, 30);
  EXPECT_GT(with_preemptions, 30);
  EXPECT_GT(scenarios.size(), 50u);
  const int first_findings = findings;
  EXPECT_EQ(run_warmup(7, 60), inputs);
  EXPECT_EQ(findings, 2 * first_findings);
  EXPECT_EQ(executions.load(), 120u);
  const std::vector<std::string> other = run_warmup(8, 60);
  EXPECT_NE(other, inputs);
  EXPECT_EQ(run_warmup(7, 10), std::vector<std::string>(inputs.begin(), inputs.begin() + 10));
  // A campaign that keeps its scenarios has no warm-up.
  options.keep_scenario = true;
  set_target(options);
  EXPECT_TRUE(run_warmup(7, 60).empty());
  EXPECT_EQ(executions.load(), 190u);
  set_target(TargetOptions{});
}

}  // namespace
}  // namespace dcfuzz
