#include "fuzz/coverage.h"

#include <cstdint>

namespace dcfuzz {
namespace {

// libFuzzer finds this array through the linker's __start_/__stop_ symbols of
// the section; `used` keeps it when nothing else refers to it by name.
__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t g_counters[kInterleavingCounters];

// note_schedule_ran's counter, in the same section.
__attribute__((used, section("__libfuzzer_extra_counters"))) uint8_t g_ran[1];

// Hashes the text, not the pointer: features must mean the same in every
// process of a campaign (libFuzzer merges them across jobs).
uint32_t hash_text(const char* text, uint32_t h) {
  for (; text && *text; ++text) h = (h ^ uint8_t(*text)) * 16777619u;
  return h;
}

uint32_t mix(uint32_t a, uint32_t b) {
  uint64_t x = (uint64_t(a) << 32 | b) * 0x9E3779B97F4A7C15ull;
  return uint32_t(x >> 32);
}

}  // namespace

uint8_t* interleaving_counters() { return g_counters; }

void note_schedule_ran() { g_ran[0] = 1; }

void InterleavingCoverage::begin() {
  if (++generation_ == 0) {  // wrapped: old entries would look current
    for (auto& s : slots_) s.generation = 0;
    generation_ = 1;
  }
}

InterleavingCoverage::Last* InterleavingCoverage::slot_for(uint32_t object) {
  size_t i = mix(object, 0x5bd1e995u) % kSlots;
  for (size_t probe = 0; probe < kSlots; ++probe, i = (i + 1) % kSlots) {
    Last& s = slots_[i];
    if (s.generation != generation_) {
      s = Last{object, generation_, 0, -1};
      return &s;
    }
    if (s.object == object) return &s;
  }
  return nullptr;  // more objects than slots: stop recording pairs
}

uint32_t InterleavingCoverage::signature_of(const Event& event) {
  const auto f = reinterpret_cast<uintptr_t>(event.function);
  const auto w = reinterpret_cast<uintptr_t>(event.what);
  Signature& s = signatures_[mix(uint32_t(f ^ (f >> 32)), uint32_t(w ^ (w >> 32))) % kSignatures];
  if (!s.valid || s.function != event.function || s.what != event.what) {
    s = Signature{event.function, event.what,
                  hash_text(event.what, hash_text(event.function, 2166136261u)), true};
  }
  return s.hash;
}

void InterleavingCoverage::on_event(const Event& event) {
  const uint32_t signature = signature_of(event);
  Last* last = slot_for(event.object);
  if (!last) return;
  // Only hand-offs between threads: what one thread does in a row is in the
  // edge coverage of core/ already. With the first mutator (bench/campaign.sh,
  // 80 campaigns each from an empty corpus) every pair counted, same thread
  // included, did not beat no counters, and hand-offs only did (27% fewer
  // executions to the wrong waiter). With the current mutator the counters
  // no longer help (docs/benchmarks.md, "Interleaving counters"); they stay on by default.
  if (last->thread >= 0 && last->thread != event.thread) {
    uint8_t& counter = g_counters[mix(last->signature, signature) % kInterleavingCounters];
    if (counter != 255) ++counter;
  }
  last->signature = signature;
  last->thread = event.thread;
}

}  // namespace dcfuzz
