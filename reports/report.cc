// The text report. Laid out like the kernel's own splats: the title line
// first, then the facts a reader needs to judge it, then how to replay it.
#include "reports/report.h"

#include <cstdio>
#include <sstream>

#include "core/scenario.h"
#include "reports/describe.h"
#include "reports/kernel_trace.h"
#include "schedules/model_enums.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

std::string table_row(const char* mark, const std::string& step, const std::string& task,
                      const std::string& function, const std::string& what,
                      const std::string& object) {
  char line[160];
  std::snprintf(line, sizeof line, "%-3s %5s  %-4s %-26s %-24s ", mark, step.c_str(), task.c_str(),
                function.c_str(), what.c_str());
  std::string row = line + object;
  while (!row.empty() && row.back() == ' ') row.pop_back();
  return row + "\n";
}

void write_scenario(std::ostream& out, const pb::Scenario& scenario) {
  out << "kernel:     " << describe_kernel(scenario)
      << (scenario.preempt_rt() ? ", PREEMPT_RT" : "") << "\n"
      << "filesystem: " << fs_name(to_model(scenario.fs())) << "\n"
      << "initial tree:" << (scenario.tree_size() ? "\n" : " only the root\n");
  for (const auto& line : describe_tree(scenario)) out << "  " << line << "\n";
  out << "threads:\n";
  for (int t = 0; t < scenario.threads_size(); ++t) {
    out << "  T" << t + 1 << ": " << describe_thread(scenario.threads(t)) << "\n";
  }
}

void write_details(std::ostream& out, const Execution& execution) {
  if (execution.details.empty()) return;
  out << "\nstate when it fired:\n";
  std::istringstream lines(execution.details);
  for (std::string line; std::getline(lines, line);)
    out << (line.empty() ? "" : "  ") << line << "\n";
}

void write_kernel_form(std::ostream& out, const pb::Schedule& schedule,
                       const Execution& execution) {
  const std::string kernel = format_kernel_report(schedule, execution);
  if (kernel.empty()) return;
  out << "\nas the kernel would print it (call traces innermost first):\n"
      << kFrameMarkerNote << "\n\n"
      << kernel;
}

void write_interleaving(std::ostream& out, const pb::Schedule& schedule,
                        const Execution& execution) {
  const auto& trace = execution.trace;
  out << "\ninterleaving: " << execution.steps << " scheduling steps, "
      << schedule.preemptions_size() << " preemption(s), " << schedule.faults_size()
      << " injected fault(s)";
  if (trace.empty()) {
    out << "; no model events recorded\n";
    return;
  }
  out << "; \">>>\" marks the fatal event(s)\n"
      << table_row("", "step", "task", "function", "event", "object");
  const std::vector<bool> fatal = fatal_events(execution);
  const std::vector<size_t> turns = preemption_positions(schedule, execution);
  for (size_t i = 0; i <= trace.size(); ++i) {
    for (int p = 0; p < schedule.preemptions_size(); ++p) {
      if (turns[size_t(p)] != i) continue;
      out << "    ----- preemption at step " << schedule.preemptions(p).step() << ": T"
          << schedule.preemptions(p).thread() << " runs -----\n";
    }
    if (i == trace.size()) break;
    const TraceEvent& e = trace[i];
    out << table_row(fatal[i] ? ">>>" : "", std::to_string(e.step),
                     "T" + std::to_string(e.thread + 1), e.function, e.what, e.object);
  }
}

void write_replay(std::ostream& out, const pb::Schedule& schedule) {
  out << "\nschedule (save it as " << kReproducerFile << "):\n"
      << to_text(schedule) << "\n"
      << "replay:\n"
      << "  dcfuzz replay " << kReproducerFile << "\n"
      << "  (a campaign saves it as OUT/<bucket>/" << kReproducerFile << ", beside " << kReportFile
      << ", " << kMailFile << " and " << kSwimlaneFile << ")\n";
}

}  // namespace

std::string format_report(const pb::Schedule& schedule, const Execution& execution) {
  std::ostringstream out;
  out << (execution.found ? execution.title : std::string("no finding")) << "\n\n";
  write_scenario(out, schedule.scenario());
  write_details(out, execution);
  write_kernel_form(out, schedule, execution);
  write_interleaving(out, schedule, execution);
  write_replay(out, schedule);
  return out.str();
}

std::string format_interleaving(const pb::Schedule& schedule, const Execution& execution) {
  std::ostringstream out;
  write_interleaving(out, schedule, execution);
  return out.str();
}

std::string bucket_name(const std::string& title) {
  std::string name;
  for (char c : title) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (ok) {
      name += c;
    } else if (!name.empty() && name.back() != '-') {
      name += '-';
    }
  }
  if (name.size() > 80) name.resize(80);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name.empty() ? "finding" : name;
}

}  // namespace dcfuzz
