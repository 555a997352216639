// dcfuzz replay FILE: run a schedule once and print its report (or, with
// --mail -, the mail).
#include <iostream>

#include "fuzz/commands.h"
#include "reports/report.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {

int cmd_replay(const Args& args) {
  pb::Schedule schedule = load_schedule_arg(args);
  if (args.has("html")) check_output_file(args.get("html"), "--html");
  const bool mail_to_stdout = args.has("mail") && args.get("mail") == "-";
  if (args.has("mail") && !mail_to_stdout) check_output_file(args.get("mail"), "--mail");
  Execution execution = run_schedule_traced(schedule);
  pb::Schedule canonical = canonical_schedule(schedule, execution);
  std::cout << (mail_to_stdout ? format_mail(canonical, execution)
                               : format_report(canonical, execution));
  std::string error;
  if (args.has("html") &&
      !write_file_atomic(args.get("html"), format_swimlane_html(canonical, execution), &error)) {
    throw UsageError{error};
  }
  if (args.has("mail") && !mail_to_stdout &&
      !write_file_atomic(args.get("mail"), format_mail(canonical, execution), &error)) {
    throw UsageError{error};
  }
  return execution.found ? 1 : 0;
}

}  // namespace dcfuzz
