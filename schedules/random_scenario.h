// Random scenarios, for the model's false-positive tests and the fuzzer's
// seeds: small trees whose names collide (some only in case), disconnected
// aliases, and 2..4 threads of 1..3 operations over those names.
#pragma once

#include <cstdint>

#include "schedule.pb.h"

namespace dcfuzz {

// A normalised schedule: a random scenario (any kernel, any filesystem) and
// no interleaving decisions, which the strategy running it makes.
pb::Schedule random_schedule(uint64_t seed);

// The same, into *out (cleared first; an arena's schedule keeps its buffers).
void random_schedule(uint64_t seed, pb::Schedule* out);

}  // namespace dcfuzz
