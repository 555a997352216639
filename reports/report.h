// Reports: a finding (or a clean run) as text a kernel developer can read and
// paste into a mail, and as a picture of the interleaving. Deterministic:
// same schedule, same report, byte for byte.
#pragma once

#include <string>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

// `schedule` is the canonical schedule of `execution` (canonical_schedule()).
// First line: the title (the bucket) or "no finding".
std::string format_report(const pb::Schedule& schedule, const Execution& execution);

// A self-contained HTML page with an SVG swimlane: one lane per thread, the
// model events in step order, the fatal events marked.
std::string format_swimlane_html(const pb::Schedule& schedule, const Execution& execution);

// A directory name for a bucket title: lower case, [a-z0-9_-] only.
std::string bucket_name(const std::string& title);

}  // namespace dcfuzz
