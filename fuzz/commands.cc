#include "fuzz/commands.h"

#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"fuzz", "[--kernel V] [--time S] [--jobs N] [--out DIR] [CORPUS...]",
       "run a fuzz campaign; each bug found gets OUT/<bucket>/ with a report and its schedule",
       cmd_fuzz},
      {"replay", "FILE", "run a schedule once, exactly, and print its report", cmd_replay},
      {"minimize", "FILE [-o OUT]",
       "smallest schedule with FILE's bug (same title); writes NAME.min.textproto beside FILE, "
       "or -o OUT (- for stdout)",
       cmd_minimize},
      {"explore", "FILE [--bound K | --full] [--max-executions N]",
       "Relacy's context-bound search (bound 0, 1, ..., K in turn: a finding has the fewest "
       "preemptions) or its full search over FILE's scenario, keeping FILE's faults; a finding "
       "is reported with a schedule that replays it",
       cmd_explore},
  };
  return table;
}

pb::Schedule load_schedule_arg(const Args& args) {
  if (args.positional.size() != 1) {
    throw UsageError{"'" + args.command + "' wants exactly one schedule FILE"};
  }
  pb::Schedule schedule;
  std::string error;
  if (!load_schedule(args.positional[0], &schedule, &error)) throw UsageError{error};
  if (args.has("kernel")) {
    pb::Kernel kernel;
    if (!kernel_from_name(args.get("kernel"), &kernel)) {
      throw UsageError{"unknown kernel variant '" + args.get("kernel") + "' (one of " +
                       kernel_names() + ")"};
    }
    schedule.mutable_scenario()->set_kernel(kernel);
  }
  return schedule;
}

}  // namespace dcfuzz
