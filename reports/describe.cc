#include "reports/describe.h"

#include <algorithm>

#include "core/scenario.h"
#include "schedules/model_enums.h"
#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string node_path(const pb::Scenario& scenario, int index) {
  std::string path;
  for (int i = index; i >= 0; i = int(scenario.tree(i).parent()) - 1) {
    path = "/" + scenario.tree(i).name() + path;
  }
  return path;
}

}  // namespace

std::string describe_kernel(const pb::Scenario& scenario) {
  const Kernel variant = to_model(scenario.kernel());
  const PatchSet switches = switches_of(scenario);
  if (switches == variant_info(variant).switches) {
    return std::string(kernel_name(variant)) + " (" + variant_info(variant).summary + ")";
  }
  std::string on;
  for (int i = 0; i < kPatchCount; ++i) {
    if (switches & patch_bit(Patch(i)))
      on += std::string(on.empty() ? "" : " ") + patch_info(Patch(i)).name;
  }
  return kernel_spelling(variant, switches) + " (switches on: " + (on.empty() ? "none" : on) + ")";
}

std::string describe_op(const pb::Op& op) {
  const std::string path = quoted(op.path());
  switch (op.op()) {
    case pb::LOOKUP:
      return "stat(" + path + ")";
    case pb::CREATE:
      return "creat(" + path + ")";
    case pb::UNLINK:
      return "unlink(" + path + ")";
    case pb::MKDIR:
      return "mkdir(" + path + ")";
    case pb::RENAME:
      return "rename(" + path + ", " + quoted(op.path2()) + ")";
    case pb::OPEN_CREATE:
      return "open(" + path + ", O_CREAT)";
    case pb::FH_DECODE:
      return "open_by_handle_at(handle of " + path + ")";
    case pb::OPEN:
      return "open(" + path + ")";
    case pb::RMDIR:
      return "rmdir(" + path + ")";
    case pb::LINK:
      return "link(" + path + ", " + quoted(op.path2()) + ")";
    case pb::RENAMEAT2_EXCHANGE:
      return "renameat2(" + path + ", " + quoted(op.path2()) + ", RENAME_EXCHANGE)";
    case pb::READDIR:
      return "getdents(" + path + ")";
    case pb::OPEN_HELD:
      return "open(" + path + "), kept open";
    default:
      return op_name(to_model(op.op())) + ("(" + path + ")");
  }
}

std::string describe_thread(const pb::Thread& thread) {
  std::string out;
  for (const auto& op : thread.ops()) out += (out.empty() ? "" : "; ") + describe_op(op);
  return out.empty() ? "(nothing)" : out;
}

std::vector<std::string> describe_tree(const pb::Scenario& scenario) {
  std::vector<std::string> lines;
  for (int i = 0; i < scenario.tree_size(); ++i) {
    const auto& node = scenario.tree(i);
    std::string what = node.dir() ? "directory" : "file";
    if (node.disconnected_alias()) what += ", with a disconnected alias (decoded file handle)";
    lines.push_back(node_path(scenario, i) + (node.dir() ? "/" : "") + "  " + what);
  }
  return lines;
}

std::vector<bool> fatal_events(const Execution& execution) {
  const auto& trace = execution.trace;
  std::vector<bool> fatal(trace.size(), false);
  if (!execution.found || trace.empty()) return fatal;
  const bool hang = execution.kind == FindingKind::hung_task;
  const bool lost_wakeup = execution.kind == FindingKind::lost_wakeup;
  fatal.back() = !hang;
  if (!hang && !lost_wakeup) return fatal;
  // Where each thread that never wakes went to sleep.
  std::vector<bool> seen(kMaxThreads + 1, false);
  for (size_t i = trace.size(); i-- > 0;) {
    const size_t t = size_t(std::clamp(trace[i].thread, 0, kMaxThreads));
    if (!seen[t] && trace[i].kind == EventKind::sleep) fatal[i] = true;
    seen[t] = true;
  }
  // A lost wakeup: the end of the lookup that should have woken them.
  for (size_t i = trace.size(); lost_wakeup && i-- > 0;) {
    if (trace[i].kind == EventKind::lookup_end) {
      fatal[i] = true;
      break;
    }
  }
  if (std::find(fatal.begin(), fatal.end(), true) == fatal.end()) fatal.back() = true;
  return fatal;
}

std::vector<size_t> preemption_positions(const pb::Schedule& schedule, const Execution& execution) {
  std::vector<size_t> positions;
  const auto& trace = execution.trace;
  for (const auto& p : schedule.preemptions()) {
    auto after = std::find_if(trace.begin(), trace.end(),
                              [&](const TraceEvent& e) { return e.step > p.step(); });
    positions.push_back(size_t(after - trace.begin()));
  }
  return positions;
}

}  // namespace dcfuzz
