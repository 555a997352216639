#include "reports/report.h"

#include <cstdio>
#include <sstream>

#include "core/scenario.h"
#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {

std::string format_report(const pb::Schedule& schedule, const Execution& execution) {
  std::ostringstream out;
  const auto& scenario = schedule.scenario();
  out << (execution.found ? execution.title : std::string("no finding")) << "\n\n";
  out << "kernel: " << kernel_name(Kernel(int(scenario.kernel())))
      << "   filesystem: " << fs_name(FsKind(int(scenario.fs()))) << "\n";
  out << "steps: " << execution.steps << "\n\n";
  if (!execution.details.empty()) out << execution.details << "\n";
  out << "interleaving:\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %5s  %-4s %-24s %-22s %s\n", "step", "task", "function",
                "event", "object");
  out << line;
  for (const auto& e : execution.trace) {
    std::snprintf(line, sizeof line, "  %5u  T%-3d %-24s %-22s %s\n", e.step, e.thread + 1,
                  e.function.c_str(), e.what.c_str(), e.object.c_str());
    out << line;
  }
  out << "\nschedule:\n" << to_text(schedule) << "\n";
  out << "replay: save the schedule above as crash.textproto, then\n"
      << "  dcfuzz replay crash.textproto\n";
  return out.str();
}

std::string format_swimlane_html(const pb::Schedule& schedule, const Execution& execution) {
  (void)schedule;
  std::ostringstream out;
  out << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>dcfuzz</title></head><body>"
      << "<h1>" << (execution.found ? execution.title : "no finding") << "</h1></body></html>\n";
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
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name.empty() ? "finding" : name.substr(0, 80);
}

}  // namespace dcfuzz
