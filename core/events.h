// Event names and finding titles that code outside the model looks for
// (core/ has no Relacy in this header, so the engine, reports and benchmarks
// can include it).
#pragma once

namespace dcfuzz {

// The title of a bad unlock balance, from the model's lock checks and from
// Relacy's own (an unlock of a mutex not owned).
inline constexpr const char kBadUnlockBalanceTitle[] = "WARNING: bad unlock balance detected!";

// Traced by each early return of d_add_ci that leaves the parent's i_rwsem
// unlocked (v4 7/7), on that i_rwsem: which of the three returns was taken.
inline constexpr const char kAddCiReturnParallelError[] = "return: parallel ENOMEM";
inline constexpr const char kAddCiReturnNotInLookup[] = "return: not in lookup";
inline constexpr const char kAddCiReturnAllocError[] = "return: d_alloc ENOMEM";

}  // namespace dcfuzz
