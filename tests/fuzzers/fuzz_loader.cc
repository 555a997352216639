// fuzz_loader: libFuzzer over the schedule loader alone -- parse_schedule,
// normalize, describe_caps, to_text/to_binary -- built with ASan and UBSan,
// without Relacy or the model. Any bytes may come in; a broken property
// aborts with its name and the input in text form:
//   - parsing never crashes, and a parse error is one line;
//   - a normalised schedule is within Limits and normalising it again
//     changes nothing;
//   - it round-trips through binary and through text to an equal message;
//   - describe_caps names exactly the limits at which normalize cut;
//   - the same for bytes parsed as the fuzz campaign parses them (binary,
//     unknown fields allowed), and normalize drops those fields.
// ctest runs it for a bounded time over corpus/seeds and corpus/regressions.
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

const pb::Schedule* g_raw = nullptr;  // the input being checked, for the failure message

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_loader: property broken: %s\ninput (parsed, not normalised):\n%s\n",
               property, g_raw ? to_text(*g_raw).c_str() : "");
  std::abort();
}

bool equal(const pb::Schedule& a, const pb::Schedule& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > Limits::kNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    if (end > begin) parts.push_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

bool valid_path(const std::string& path) {
  const auto parts = components(path);
  if (parts.empty() || parts.size() > size_t(Limits::kPathDepth)) return false;
  std::string joined;
  for (const auto& part : parts) {
    if (!valid_name(part)) return false;
    joined += (joined.empty() ? "" : "/") + part;
  }
  return joined == path;  // no empty components, no leading or trailing '/'
}

std::string fold_case(std::string s) {
  for (char& c : s) c = char((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return s;
}

void check_tree(const pb::Scenario& scenario) {
  check(scenario.tree_size() <= Limits::kTreeNodes, "tree within Limits::kTreeNodes");
  std::set<std::pair<uint32_t, std::string>> names;
  for (int i = 0; i < scenario.tree_size(); ++i) {
    const auto& node = scenario.tree(i);
    check(valid_name(node.name()), "tree names valid");
    check(node.parent() <= uint32_t(i), "tree parents earlier");
    check(node.parent() == 0 || scenario.tree(int(node.parent()) - 1).dir(),
          "tree parents are directories");
    check(node.dir() || !node.disconnected_alias(), "disconnected aliases only of directories");
    const std::string key =
        scenario.fs() == pb::CASE_INSENSITIVE ? fold_case(node.name()) : node.name();
    check(names.emplace(node.parent(), key).second, "tree names unique in a directory");
  }
}

void check_threads(const pb::Scenario& scenario) {
  check(scenario.threads_size() >= 1 && scenario.threads_size() <= Limits::kThreads,
        "threads within 1..Limits::kThreads");
  for (const auto& thread : scenario.threads()) {
    check(thread.ops_size() <= Limits::kOpsPerThread, "ops within Limits::kOpsPerThread");
    for (const auto& op : thread.ops()) {
      check(pb::OpKind_IsValid(op.op()), "op kinds valid");
      check(valid_path(op.path()), "paths valid");
      check(takes_path2(op.op()) ? valid_path(op.path2()) : op.path2().empty(),
            "path2 valid for the ops with two paths, empty otherwise");
    }
  }
}

void check_within_limits(const pb::Schedule& s) {
  const auto& scenario = s.scenario();
  check(pb::Kernel_IsValid(scenario.kernel()), "kernel valid");
  check(pb::Filesystem_IsValid(scenario.fs()), "filesystem valid");
  check_tree(scenario);
  check_threads(scenario);
  const uint32_t threads = uint32_t(scenario.threads_size());
  check(s.preemptions_size() <= Limits::kPreemptions, "preemptions within Limits");
  for (int i = 0; i < s.preemptions_size(); ++i) {
    const auto& p = s.preemptions(i);
    check(p.thread() >= 1 && p.thread() <= threads, "preemption threads in 1..threads");
    check(i == 0 || s.preemptions(i - 1).step() < p.step(), "preemption steps increasing");
  }
  check(s.choices_size() <= Limits::kChoices, "choices within Limits");
  for (int i = 0; i < s.choices_size(); ++i) {
    check(s.choices(i).value() != 0, "choices not default");
    check(i == 0 || s.choices(i - 1).call() < s.choices(i).call(), "choice calls increasing");
  }
  check(s.faults_size() <= Limits::kFaults, "faults within Limits");
  for (int i = 0; i < s.faults_size(); ++i) {
    const auto& f = s.faults(i);
    check(f.thread() <= threads && f.nth() >= 1, "fault thread and nth in range");
    check(i == 0 || std::make_pair(s.faults(i - 1).thread(), s.faults(i - 1).nth()) <
                        std::make_pair(f.thread(), f.nth()),
          "faults increasing");
  }
}

// Whether normalize cut something at each limit, judged from its input and
// output alone, against what describe_caps said before.
void check_caps(const pb::Schedule& raw, const pb::Schedule& s) {
  std::map<std::string, size_t> said;
  for (const auto& cap : describe_caps(raw)) {
    check(cap.found > cap.limit, "a cap is above its limit");
    check(said.emplace(cap.what, cap.found).second, "each cap named once");
  }
  auto cut = [&](const char* what, bool was_cut) {
    check(said.count(what) == size_t(was_cut), what);
  };
  const auto& in = raw.scenario();
  const auto& out = s.scenario();
  cut("threads", in.threads_size() > out.threads_size());
  cut("tree nodes", in.tree_size() > Limits::kTreeNodes);
  bool ops = false, depth = false, name = false;
  for (int i = 0; i < std::min(in.tree_size(), Limits::kTreeNodes); ++i) {
    name |= in.tree(i).name().size() > Limits::kNameLength;
  }
  auto compare_path = [&](const std::string& before, const std::string& after) {
    const auto a = components(before), b = components(after);
    depth |= a.size() > b.size();
    for (size_t k = 0; k < b.size() && k < a.size(); ++k) name |= a[k].size() > b[k].size();
  };
  for (int t = 0; t < std::min(in.threads_size(), out.threads_size()); ++t) {
    ops |= in.threads(t).ops_size() > out.threads(t).ops_size();
    for (int k = 0; k < out.threads(t).ops_size(); ++k) {
      const auto& before = in.threads(t).ops(k);
      const auto& after = out.threads(t).ops(k);
      compare_path(before.path(), after.path());
      if (takes_path2(after.op())) compare_path(before.path2(), after.path2());
    }
  }
  cut("operations in a thread", ops);
  cut("components in a path", depth);
  cut("characters in a name", name);

  // Lists: cut iff an entry of the input (after the value folding) is gone.
  std::set<uint32_t> steps, calls;
  for (const auto& p : s.preemptions()) steps.insert(p.step());
  for (const auto& c : s.choices()) calls.insert(c.call());
  std::set<std::pair<uint32_t, uint32_t>> faults;
  for (const auto& f : s.faults()) faults.emplace(f.thread(), f.nth());
  bool lost_step = false, lost_call = false, lost_fault = false;
  for (const auto& p : raw.preemptions()) lost_step |= !steps.count(p.step());
  for (const auto& c : raw.choices()) lost_call |= c.value() != 0 && !calls.count(c.call());
  const uint32_t threads = uint32_t(out.threads_size());
  for (const auto& f : raw.faults()) {
    lost_fault |= !faults.count({f.thread() % (threads + 1), std::max(1u, f.nth())});
  }
  cut("preemptions", lost_step);
  cut("choices", lost_call);
  cut("faults", lost_fault);
}

void check_round_trips(const pb::Schedule& s) {
  pb::Schedule again = s;
  normalize(&again);
  check(equal(again, s), "normalize is idempotent");
  std::string error;
  pb::Schedule from_binary, from_text;
  check(parse_schedule(to_binary(s), &from_binary, &error), "binary form parses");
  check(equal(from_binary, s), "binary round trip equal");
  check(parse_schedule(to_text(s), &from_text, &error), "text form parses");
  check(equal(from_text, s), "text round trip equal");
}

void check_normalized(const pb::Schedule& raw) {
  g_raw = &raw;
  pb::Schedule s = raw;
  normalize(&s);
  check(!has_unknown_fields(s), "normalize drops unknown fields");
  check_within_limits(s);
  check_caps(raw, s);
  check_round_trips(s);
  g_raw = nullptr;
}

}  // namespace
}  // namespace dcfuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dcfuzz;
  // The files' path: text or binary, unknown fields refused.
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  pb::Schedule raw;
  std::string error;
  if (parse_schedule(bytes, &raw, &error)) {
    check_normalized(raw);
  } else {
    check(!error.empty() && error.find('\n') == std::string::npos, "a parse error is one line");
  }
  // The fuzz campaign's path (fuzz/schedule_cache.cc): binary, unknown fields kept
  // until normalize drops them.
  pb::Schedule any;
  if (any.ParseFromArray(data, int(size))) check_normalized(any);
  return 0;
}
