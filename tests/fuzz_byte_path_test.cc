// The mutator's byte path (mutate_bytes with fuzz/schedule_cache.h: bytes
// remembered, schedules shared, the last output mutated in place) gives, byte
// for byte, what the plain path gives: parse and normalise the input (the
// empty schedule if it does not parse), mutate a fresh copy, serialise, and
// try again while the output is too big. The caches only save work.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/model.h"
#include "fuzz/mutator.h"
#include "fuzz/schedule_cache.h"
#include "schedules/engine.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"
#include "schedules/random_walk.h"
#include "schedules/rng.h"

namespace dcfuzz {
namespace {

// Deterministic and stateless stand-in for LLVMFuzzerMutate: both paths
// must see the same numbers.
size_t bump_scalar(uint8_t* data, size_t size, size_t) {
  if (size) data[0] = uint8_t(data[0] + 5);
  return size;
}

// What mutate_bytes is defined to give, without any cache.
std::string plain_mutate(const std::string& bytes, size_t max_size, uint32_t seed,
                         const Reached& reached, const MutatorOptions& options) {
  pb::Schedule input;
  if (!input.ParseFromString(bytes)) input = pb::Schedule();
  normalize(&input);
  Mutator mutator(seed, bump_scalar, options);
  for (int attempt = 0; attempt < 4; ++attempt) {
    pb::Schedule schedule = input;
    mutator.mutate(&schedule, reached);
    std::string out = schedule.SerializeAsString();
    if (out.size() <= max_size) return out;
  }
  std::string out = input.SerializeAsString();
  return out.size() <= max_size ? out : std::string();
}

std::string cached_mutate(const std::string& bytes, size_t max_size, uint32_t seed,
                          const Reached& reached, const MutatorOptions& options) {
  std::vector<uint8_t> buffer(bytes.begin(), bytes.end());
  buffer.resize(std::max(max_size, bytes.size()));
  const size_t n =
      mutate_bytes(buffer.data(), bytes.size(), max_size, seed, reached, bump_scalar, options);
  return std::string(reinterpret_cast<const char*>(buffer.data()), n);
}

// Lineages as libFuzzer makes them: each output mutated again at once (the
// in-place path), now and then an older one (a corpus entry: the copy
// path), sometimes with its schedule still held elsewhere (the target
// running it), sometimes under a small size bound (outputs too big: the
// input parsed again), and bytes that do not parse.
TEST(FuzzBytePath, SameBytesAsParsingCopyingAndMutatingAfresh) {
  Reached reached;
  reached.steps = 120;
  reached.random_calls = 3;
  for (uint32_t t = 0; t < Limits::kThreads; ++t) reached.allocs[t] = 2 + t;
  MutatorOptions keep;
  keep.keep_scenario = true;
  int compared = 0, bounded = 0;
  for (uint32_t lineage = 0; lineage < 12; ++lineage) {
    const MutatorOptions options = lineage % 4 == 3 ? keep : MutatorOptions();
    Rng pick(lineage);
    std::vector<std::string> corpus = {lineage % 5 == 4 ? std::string("\xff\xff\x13", 3) : ""};
    std::string bytes = corpus.front();
    std::shared_ptr<const pb::Schedule> held;
    for (uint32_t round = 0; round < 150; ++round) {
      if (pick.below(6) == 0) bytes = corpus[pick.below(uint32_t(corpus.size()))];
      held =
          (pick.below(4) == 0)
              ? parse_shared_schedule(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())
              : nullptr;
      const size_t max_size = pick.below(8) == 0 ? 40 + pick.below(200) : 4096;
      const uint32_t seed = lineage * 1000 + round;
      const std::string expected = plain_mutate(bytes, max_size, seed, reached, options);
      const std::string got = cached_mutate(bytes, max_size, seed, reached, options);
      ASSERT_EQ(got, expected) << "lineage " << lineage << " round " << round;
      ++compared;
      bounded += max_size < 4096;
      if (got.empty()) continue;  // nothing fits: libFuzzer keeps the old input
      bytes = got;
      if (pick.below(5) == 0) corpus.push_back(bytes);
    }
  }
  EXPECT_EQ(compared, 12 * 150);
  EXPECT_GT(bounded, 100);
}

// The target's program cache compiles a new scenario into a program it
// dropped, with to_scenario() into the buffers of the scenario the last
// remake gave back: each execution is the one of a freshly made program.
TEST(FuzzBytePath, ARemadeProgramRunsAsAFreshOne) {
  std::unique_ptr<Program> remade;
  Scenario buffers;
  int found = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const pb::Schedule schedule = random_schedule(seed);
    auto fresh = make_dcache_program(to_scenario(schedule.scenario()));
    if (!remade) {
      remade = make_dcache_program(to_scenario(random_schedule(1000 + seed).scenario()));
    } else {
      to_scenario(schedule.scenario(), &buffers);
      remake_dcache_program(*remade, &buffers);
    }
    if (seed == 1) continue;  // `remade` ran its own scenario
    RandomWalkStrategy a(seed, 100, 8), b(seed, 100, 8);
    const Execution want = run_program(*fresh, a);
    const Execution got = run_program(*remade, b);
    EXPECT_EQ(got.found, want.found) << "seed " << seed;
    EXPECT_EQ(got.title, want.title) << "seed " << seed;
    EXPECT_EQ(got.details, want.details) << "seed " << seed;
    EXPECT_EQ(got.steps, want.steps) << "seed " << seed;
    EXPECT_EQ(got.random_calls, want.random_calls) << "seed " << seed;
    for (int t = 0; t < kMaxThreads; ++t) EXPECT_EQ(got.allocs[t], want.allocs[t]) << seed;
    EXPECT_EQ(got.recorded.SerializeAsString(), want.recorded.SerializeAsString()) << seed;
    found += want.found;
  }
  EXPECT_GT(found, 0);  // findings' texts were compared too
}

}  // namespace
}  // namespace dcfuzz
