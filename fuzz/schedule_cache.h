// Schedules by their bytes: parsing and normalising a schedule costs about as
// much as mutating it, and the same bytes come back -- a mutation's output is
// what the target runs next, the input just run is what libFuzzer's
// mutation-depth loop mutates next, and corpus entries are mutated and
// crossed over again and again. So the bytes the mutator wrote and the inputs
// parsed here a moment ago are not parsed again. Exact: a schedule is only
// remembered normalised, and parsing its bytes and normalising gives it back
// (normalize() is idempotent). One cache per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "schedule.pb.h"

namespace dcfuzz {

// A schedule on an arena of its own, which the pointer owns: the fuzz loop
// copies, parses and drops a schedule of many small messages per execution,
// and on the heap each of them was an allocation and a free (a tenth of a
// campaign's CPU, with the mutator's copies).
std::shared_ptr<pb::Schedule> new_schedule();
std::shared_ptr<pb::Schedule> copy_schedule(const pb::Schedule& from);

// Parses a binary schedule and normalises it; false if it does not parse.
bool parse_binary_schedule(const uint8_t* data, size_t size, pb::Schedule* out);

// The same without a copy: null if the bytes do not parse. Bytes parsed or
// written here a moment ago (a mutation's output, the input just run) are
// not parsed again; the schedule is then shared with the cache.
std::shared_ptr<const pb::Schedule> parse_shared_schedule(const uint8_t* data, size_t size);

// parse_shared_schedule, with the (normalised) empty schedule for bytes that
// do not parse: what the mutator and crossover start from.
std::shared_ptr<const pb::Schedule> parse_or_empty(const uint8_t* data, size_t size);

// The schedule write_bounded() wrote as these bytes, taken out of the cache
// to be changed in place, when nothing else holds it; null otherwise (bytes
// not written here lately, or a schedule still shared).
std::shared_ptr<pb::Schedule> take_written(const uint8_t* data, size_t size);

// Serialises a normalised `schedule` into `out` and remembers it by those
// bytes; returns their size, or 0 (nothing written) if over `max_size`.
size_t write_bounded(std::shared_ptr<const pb::Schedule> schedule, uint8_t* out, size_t max_size);

}  // namespace dcfuzz
