// Reports: a finding (or a clean run) as text a kernel developer can read and
// paste into a mail, and as a picture of the interleaving. Deterministic:
// same schedule, same report, byte for byte (no addresses, no timestamps).
#pragma once

#include <string>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

// The files of one finding, as a campaign writes them: OUT/<bucket_name>/...
inline constexpr const char* kReportFile = "report.txt";
inline constexpr const char* kReproducerFile = "schedule.textproto";
inline constexpr const char* kSwimlaneFile = "interleaving.html";
inline constexpr const char* kMailFile = "mail.txt";

// `schedule` is the canonical schedule of `execution` (canonical_schedule()),
// which should have been run with RunOptions::trace for the interleaving.
// First line: the title (the bucket) or "no finding". Then the kernel
// variant, the initial tree, each thread's program, the detector's account
// of the final state, the interleaving as a table (fatal events marked), the
// schedule in text format and the command that replays it.
std::string format_report(const pb::Schedule& schedule, const Execution& execution);

// The interleaving table alone (the report's "interleaving:" section).
std::string format_interleaving(const pb::Schedule& schedule, const Execution& execution);

// A plain-text mail in the shape syzbot uses, for the series' author: the
// subject ("[dcfuzz] <title> (<variant>)"), the patches the variant applies,
// what happens in kernel terms, the call traces (kernel form), the
// interleaving, the reproducer and the command that replays it. No
// addresses, no dates: the same schedule gives the same bytes.
std::string format_mail(const pb::Schedule& schedule, const Execution& execution);

// A self-contained HTML page with an SVG swimlane: one lane per thread, the
// model events in step order, preemptions drawn across the lanes, the fatal
// events marked; every event has a hover title.
std::string format_swimlane_html(const pb::Schedule& schedule, const Execution& execution);

// A directory name for a bucket title: lower case, [a-z0-9_-] only, at most
// 80 characters. Same title, same name.
std::string bucket_name(const std::string& title);

}  // namespace dcfuzz
