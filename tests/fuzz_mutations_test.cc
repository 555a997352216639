// The table of mutation kinds: every kind has its own name, the spelling
// tests and stats use, and a weight Mutator::mutate can draw with.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "fuzz/mutations.h"

namespace dcfuzz {
namespace {

TEST(FuzzMutations, EveryKindHasItsOwnNameAndAWeight) {
  std::set<std::string> names;
  for (int k = 0; k < kMutationKinds; ++k) {
    const MutationKind& row = mutation_kind(Mutation(k));
    const std::string name = row.name;
    EXPECT_TRUE(names.insert(name).second) << "two kinds named " << name;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-"), std::string::npos) << name;
    EXPECT_EQ(name, mutation_name(Mutation(k)));
    EXPECT_EQ(row.changes_scenario, changes_scenario(Mutation(k))) << name;
    EXPECT_GE(row.one_in, 1u) << name;
  }
  EXPECT_EQ(names.size(), size_t(kMutationKinds));
}

}  // namespace
}  // namespace dcfuzz
