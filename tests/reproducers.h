// The shipped reproducers (corpus/regressions/), for tests parameterised
// over them.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace dcfuzz::testing {

inline constexpr const char* kLostWakeup = "BUG: lost wakeup in __d_move";
inline constexpr const char* kUnlockBalance = "WARNING: bad unlock balance detected!";

struct Reproducer {
  const char* file;  // in corpus/regressions/
  const char* title;
  bool move_bug;  // found where __d_move wakes the wrong dentry, else where d_add_ci is broken
};

inline constexpr Reproducer kReproducers[] = {
    {"wrong-waiter-alias-splice.textproto", kLostWakeup, true},
    {"add-ci-not-in-lookup.textproto", kUnlockBalance, false},
    {"add-ci-alloc-parallel-enomem.textproto", kUnlockBalance, false},
    {"add-ci-d-alloc-enomem.textproto", kUnlockBalance, false},
};

// Names the parameter in test listings (the default prints its bytes).
inline void PrintTo(const Reproducer& r, std::ostream* os) { *os << r.file; }

// "wrong-waiter-alias-splice.textproto" -> "wrong_waiter_alias_splice".
inline std::string reproducer_test_name(const ::testing::TestParamInfo<Reproducer>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.find('.'));
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

}  // namespace dcfuzz::testing
