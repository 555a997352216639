// The result oracle: is there an order of an execution's operations, each
// placed between its begin and its end, in which the sequential filesystem
// (seqfs.h) gives every result the execution got? As in the kernel, a path
// walk is not one atomic step: each component is looked up at its own point,
// the operation itself (under its parent's lock) at a later one. A search
// over the interleavings of those steps, memoised on (progress, state).
#pragma once

#include <cstddef>
#include <cstdint>

#include "oracles/seqfs.h"

namespace dcfuzz::oracle {

// One operation as it ran: the scheduling steps of its begin and end, and
// its result. An operation that did not run, or failed with -ENOMEM (an
// injected allocation fault, before any change) or on nfs with -ESTALE (the
// server changed under the client; before any change), constrains nothing.
struct OpRecord {
  bool ran = false;
  uint32_t begin = 0, end = 0;
  Result result;
};

struct History {
  OpRecord op[kMaxThreads][kMaxOps];
};

struct OrderStep {
  int8_t thread = 0, index = 0;
};

struct Verdict {
  bool ok = true;               // some order explains every result (or the search gave up)
  bool gave_up = false;         // the search went over its budget (no finding then)
  int thread = -1, index = -1;  // the operation whose result no such order explains
  // An order respecting begin/end with that result left open, and what the
  // sequential filesystem gives there.
  int open_len = 0;
  OrderStep open_order[kMaxThreads * kMaxOps];
  Result expected;
  // An order that would explain every result if the timing were ignored
  // (program order kept), if there is one.
  int needed_len = 0;
  OrderStep needed_order[kMaxThreads * kMaxOps];
};

Verdict check_history(const SeqPlan& plan, const History& history);

// "BUG: wrong result: stat(\"foo\") = -ENOENT", and the details: every
// result with its steps, the order the blamed result would have needed and
// which begin/end it contradicts. Both NUL-terminated, cut to size.
void describe_verdict(const SeqPlan& plan, const History& history, const Verdict& v, char* title,
                      size_t title_size, char* details, size_t details_size);

}  // namespace dcfuzz::oracle
