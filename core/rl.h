// core-internal: the one header that brings in Relacy, for core .cc files
// only. Relacy #defines new, delete, malloc, free and assert, so every
// standard header the model uses comes first, here.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace dcfuzz::model {
// The kernel's numbers, which Relacy's pthread emulation takes over (below).
inline constexpr int kLinuxEINVAL = EINVAL;
inline constexpr int kLinuxEBUSY = EBUSY;
}  // namespace dcfuzz::model

// Relacy comes last; off for clang-format, which would sort it among the above.
// clang-format off
#include <relacy/relacy.hpp>
// clang-format on

// Relacy #defines EINVAL and EBUSY as its own small numbers (1 and 3); the
// model's system calls return the kernel's, as the result oracle reads them.
#undef EINVAL
#undef EBUSY
#define EINVAL (::dcfuzz::model::kLinuxEINVAL)
#define EBUSY (::dcfuzz::model::kLinuxEBUSY)

namespace dcfuzz::model {

// A word of memory the model synchronises through. Every access is a
// scheduling decision (a possible preemption) and orders memory (seq_cst, so
// a load always reads the latest store: no memory-model choices to schedule).
class SyncWord {
 public:
  unsigned load() { return word_.load(rl::mo_seq_cst, $); }
  void store(unsigned v) { word_.store(v, rl::mo_seq_cst, $); }
  unsigned fetch_add(unsigned v) { return word_.fetch_add(v, rl::mo_seq_cst, $); }
  bool cmpxchg(unsigned& expected, unsigned desired) {
    return word_.compare_exchange_strong(expected, desired, rl::mo_seq_cst, $);
  }

 private:
  rl::generic_atomic<unsigned, true> word_;  // strong init: no decision at construction
};

}  // namespace dcfuzz::model
