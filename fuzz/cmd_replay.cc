// dcfuzz replay FILE: run a schedule once and print its report.
#include <iostream>

#include "fuzz/commands.h"
#include "reports/report.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {

int cmd_replay(const Args& args) {
  pb::Schedule schedule = load_schedule_arg(args);
  if (args.has("html")) check_output_file(args.get("html"), "--html");
  Execution execution = run_schedule_traced(schedule);
  pb::Schedule canonical = canonical_schedule(schedule, execution);
  std::cout << format_report(canonical, execution);
  if (args.has("html")) {
    std::string error;
    if (!write_file_atomic(args.get("html"), format_swimlane_html(canonical, execution), &error)) {
      throw UsageError{error};
    }
  }
  return execution.found ? 1 : 0;
}

}  // namespace dcfuzz
