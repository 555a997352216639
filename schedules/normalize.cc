#include "schedules/normalize.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "schedules/model_enums.h"
#include "schedules/replay.h"

namespace dcfuzz {
namespace {

std::string fold_case(std::string s) {
  for (char& c : s) c = char((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return s;
}

// Calls f(begin, end) for each non-empty '/'-separated component of `path`,
// in order, for as long as f returns true.
template <typename F>
void for_each_component(const std::string& path, F f) {
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    if (end > begin && !f(begin, end)) return;
    begin = end + 1;
  }
}

bool name_char(unsigned char u) {
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '-';
}

// Whether normalize_name(name) == name: most names, an input normalised
// before or one a mutation kept, need no new string.
bool is_normal_name(const std::string& name) {
  if (name.empty() || name.size() > Limits::kNameLength) return false;
  for (char c : name)
    if (!name_char(static_cast<unsigned char>(c))) return false;
  return true;
}

// Whether normalize_path(path) == path: non-empty names between single
// slashes, no slash first or last, at most kPathDepth of them.
bool is_normal_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  int depth = 1;
  size_t length = 0;
  for (char c : path) {
    if (c == '/') {
      if (length == 0 || ++depth > Limits::kPathDepth) return false;
      length = 0;
    } else if (!name_char(static_cast<unsigned char>(c)) || ++length > Limits::kNameLength) {
      return false;
    }
  }
  return true;
}

std::string normalize_path(const std::string& raw) {
  std::string out;
  int depth = 0;
  for_each_component(raw, [&](size_t begin, size_t end) {
    if (!out.empty()) out += '/';
    out += normalize_name(raw.substr(begin, end - begin));
    return ++depth < Limits::kPathDepth;
  });
  return out.empty() ? "a" : out;
}

// Parents must be earlier directories; names unique per directory (ignoring
// case on a case-insensitive filesystem). Dropped nodes take their subtree.
// In place: a kept node moves down to the next kept position, the dropped
// ones end up behind and go.
void normalize_tree(pb::Scenario* scenario) {
  auto* tree = scenario->mutable_tree();
  if (tree->size() > Limits::kTreeNodes) {
    tree->DeleteSubrange(Limits::kTreeNodes, tree->size() - Limits::kTreeNodes);
  }
  const bool ci = scenario->fs() == pb::CASE_INSENSITIVE;
  int new_index[Limits::kTreeNodes];                      // old index -> kept index, or -1
  std::pair<int, std::string> names[Limits::kTreeNodes];  // (parent, name) of kept nodes
  int kept = 0;
  for (int i = 0; i < tree->size(); ++i) {
    new_index[i] = -1;
    pb::Node* node = tree->Mutable(i);
    if (!is_normal_name(node->name())) node->set_name(normalize_name(node->name()));
    int parent = int(node->parent() % uint32_t(i + 1));  // 0: root, k: node k-1
    int kept_parent = 0;
    if (parent > 0) {
      int old = parent - 1;
      if (new_index[old] < 0 || !tree->Get(new_index[old]).dir()) continue;
      kept_parent = new_index[old] + 1;
    }
    node->set_parent(uint32_t(kept_parent));
    if (!node->dir()) node->set_disconnected_alias(false);
    std::pair<int, std::string> name{kept_parent, ci ? fold_case(node->name()) : node->name()};
    if (std::find(names, names + kept, name) != names + kept) continue;
    names[kept] = std::move(name);
    new_index[i] = kept;
    if (kept != i) tree->SwapElements(kept, i);
    ++kept;
  }
  if (kept < tree->size()) tree->DeleteSubrange(kept, tree->size() - kept);
}

void normalize_threads(pb::Scenario* scenario) {
  auto* threads = scenario->mutable_threads();
  if (threads->size() > Limits::kThreads) {
    threads->DeleteSubrange(Limits::kThreads, threads->size() - Limits::kThreads);
  }
  if (threads->empty()) threads->Add();
  for (auto& thread : *threads) {
    auto* ops = thread.mutable_ops();
    if (ops->size() > Limits::kOpsPerThread) {
      ops->DeleteSubrange(Limits::kOpsPerThread, ops->size() - Limits::kOpsPerThread);
    }
    for (auto& op : *ops) {
      op.set_op(known_op_kind(uint32_t(op.op())));
      if (!is_normal_path(op.path())) op.set_path(normalize_path(op.path()));
      if (takes_path2(op.op())) {
        if (!is_normal_path(op.path2())) op.set_path2(normalize_path(op.path2()));
      } else {
        op.clear_path2();
      }
    }
  }
}

// Sorts by key, keeps the first entry of each key, truncates. Keys already
// strictly increasing (every schedule normalised before) need neither: a
// stable sort of messages moves each of them through a buffer.
template <typename Field, typename Key>
void sort_unique(Field* field, int limit, Key key) {
  const bool canonical =
      std::adjacent_find(field->begin(), field->end(), [&](const auto& a, const auto& b) {
        return !(key(a) < key(b));
      }) == field->end();
  if (!canonical) {
    std::stable_sort(field->begin(), field->end(),
                     [&](const auto& a, const auto& b) { return key(a) < key(b); });
    auto last = std::unique(field->begin(), field->end(),
                            [&](const auto& a, const auto& b) { return key(a) == key(b); });
    field->erase(last, field->end());
  }
  if (field->size() > limit) field->DeleteSubrange(limit, field->size() - limit);
}

void normalize_interleaving(pb::Schedule* schedule) {
  const int threads = schedule->scenario().threads_size();
  for (auto& p : *schedule->mutable_preemptions()) {
    p.set_thread(uint32_t(thread_of(p.thread(), threads) + 1));
  }
  sort_unique(schedule->mutable_preemptions(), Limits::kPreemptions,
              [](const pb::Preemption& p) { return p.step(); });
  auto* choices = schedule->mutable_choices();
  choices->erase(std::remove_if(choices->begin(), choices->end(),
                                [](const pb::Choice& c) { return c.value() == 0; }),
                 choices->end());
  sort_unique(choices, Limits::kChoices, [](const pb::Choice& c) { return c.call(); });
  for (auto& f : *schedule->mutable_faults()) {
    f.set_thread(f.thread() % uint32_t(threads + 1));
    f.set_nth(std::max(1u, f.nth()));
  }
  sort_unique(schedule->mutable_faults(), Limits::kFaults,
              [](const pb::Fault& f) { return std::make_pair(f.thread(), f.nth()); });
}

// What Message::DiscardUnknownFields() does, for the messages of
// schedule.proto, without its walk by reflection (which took most of
// normalize()'s time), and with each type's reflection looked up once, not
// for every message (GetReflection() goes through the descriptor tables'
// initialisation check: a third of normalize() in a campaign, perf).
// A message type added to schedule.proto needs a line here.
template <typename Message>
void clear_unknown(Message* m) {
  static const google::protobuf::Reflection* const reflection = Message::GetReflection();
  if (!reflection->GetUnknownFields(*m).empty()) reflection->MutableUnknownFields(m)->Clear();
}

void discard_unknown_fields(pb::Schedule* schedule) {
  clear_unknown(schedule);
  if (schedule->has_scenario()) {
    auto* scenario = schedule->mutable_scenario();
    clear_unknown(scenario);
    for (auto& node : *scenario->mutable_tree()) clear_unknown(&node);
    for (auto& thread : *scenario->mutable_threads()) {
      clear_unknown(&thread);
      for (auto& op : *thread.mutable_ops()) clear_unknown(&op);
    }
  }
  for (auto& p : *schedule->mutable_preemptions()) clear_unknown(&p);
  for (auto& c : *schedule->mutable_choices()) clear_unknown(&c);
  for (auto& f : *schedule->mutable_faults()) clear_unknown(&f);
}

// Non-empty '/'-separated components of a path: its depth, and the longest.
void measure_path(const std::string& path, size_t* depth, size_t* longest) {
  size_t components = 0;
  for_each_component(path, [&](size_t begin, size_t end) {
    // Components beyond the depth limit are cut whole; their length does not count.
    if (++components <= size_t(Limits::kPathDepth)) *longest = std::max(*longest, end - begin);
    return true;
  });
  *depth = std::max(*depth, components);
}

template <typename Key>
size_t count_distinct(std::vector<Key> keys) {
  std::sort(keys.begin(), keys.end());
  return size_t(std::unique(keys.begin(), keys.end()) - keys.begin());
}

void add_cap(std::vector<Cap>* caps, const char* what, size_t found, int limit) {
  if (found > size_t(limit)) caps->push_back(Cap{what, found, size_t(limit)});
}

}  // namespace

std::vector<Cap> describe_caps(const pb::Schedule& raw) {
  std::vector<Cap> caps;
  const auto& scenario = raw.scenario();
  const int kept_threads = std::min(scenario.threads_size(), Limits::kThreads);
  size_t ops = 0, depth = 0, name = 0;
  for (int i = 0; i < std::min(scenario.tree_size(), Limits::kTreeNodes); ++i) {
    name = std::max(name, scenario.tree(i).name().size());
  }
  for (int t = 0; t < kept_threads; ++t) {
    const auto& thread = scenario.threads(t);
    ops = std::max(ops, size_t(thread.ops_size()));
    for (int i = 0; i < std::min(thread.ops_size(), Limits::kOpsPerThread); ++i) {
      const auto& op = thread.ops(i);
      measure_path(op.path(), &depth, &name);
      if (takes_path2(known_op_kind(uint32_t(op.op())))) {
        measure_path(op.path2(), &depth, &name);
      }
    }
  }
  add_cap(&caps, "threads", size_t(scenario.threads_size()), Limits::kThreads);
  add_cap(&caps, "operations in a thread", ops, Limits::kOpsPerThread);
  add_cap(&caps, "tree nodes", size_t(scenario.tree_size()), Limits::kTreeNodes);
  add_cap(&caps, "components in a path", depth, Limits::kPathDepth);
  add_cap(&caps, "characters in a name", name, int(Limits::kNameLength));

  std::vector<uint32_t> steps, calls;
  for (const auto& p : raw.preemptions()) steps.push_back(p.step());
  for (const auto& c : raw.choices()) {
    if (c.value() != 0) calls.push_back(c.call());
  }
  const uint32_t threads = uint32_t(std::max(kept_threads, 1));
  std::vector<std::pair<uint32_t, uint32_t>> faults;
  for (const auto& f : raw.faults()) {
    faults.emplace_back(f.thread() % (threads + 1), std::max(1u, f.nth()));
  }
  add_cap(&caps, "preemptions", count_distinct(std::move(steps)), Limits::kPreemptions);
  add_cap(&caps, "choices", count_distinct(std::move(calls)), Limits::kChoices);
  add_cap(&caps, "faults", count_distinct(std::move(faults)), Limits::kFaults);
  return caps;
}

std::string format_caps(const std::vector<Cap>& caps) {
  std::string text;
  for (const auto& cap : caps) {
    if (!text.empty()) text += "; ";
    text += std::to_string(cap.found) + " " + cap.what + ", capped to " + std::to_string(cap.limit);
  }
  return text;
}

std::string normalize_name(const std::string& raw) {
  std::string name = raw.substr(0, Limits::kNameLength);
  if (name.empty()) name = "a";
  for (char& c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!name_char(u)) c = char('a' + u % 26);
  }
  return name;
}

void normalize(pb::Schedule* schedule) {
  auto* scenario = schedule->mutable_scenario();
  scenario->set_kernel(pb::Kernel(uint32_t(scenario->kernel()) % kKernels));
  set_kernel(scenario, scenario->kernel(), switches_of(*scenario));
  scenario->set_fs(pb::Filesystem(uint32_t(scenario->fs()) % kFilesystems));
  normalize_tree(scenario);
  normalize_threads(scenario);
  normalize_interleaving(schedule);
  discard_unknown_fields(schedule);
}

Scenario to_scenario(const pb::Scenario& in) {
  Scenario out;
  to_scenario(in, &out);
  return out;
}

void to_scenario(const pb::Scenario& in, Scenario* out) {
  out->kernel = to_model(in.kernel());
  out->switches = switches_of(in);
  out->fs = to_model(in.fs());
  out->preempt_rt = in.preempt_rt();
  out->tree.resize(size_t(in.tree_size()));
  for (size_t i = 0; i < out->tree.size(); ++i) {
    const pb::Node& node = in.tree(int(i));
    TreeNode& to = out->tree[i];
    to.parent = int(node.parent()) - 1;
    to.name.assign(node.name());
    to.dir = node.dir();
    to.disconnected_alias = node.disconnected_alias();
  }
  out->threads.resize(size_t(in.threads_size()));
  for (size_t t = 0; t < out->threads.size(); ++t) {
    const pb::Thread& thread = in.threads(int(t));
    std::vector<Op>& ops = out->threads[t];
    ops.resize(size_t(thread.ops_size()));
    for (size_t k = 0; k < ops.size(); ++k) {
      const pb::Op& op = thread.ops(int(k));
      ops[k].kind = to_model(op.op());
      ops[k].path.assign(op.path());
      ops[k].path2.assign(op.path2());
    }
  }
}

std::string describe_dropped_switches(const pb::Scenario& raw) {
  if (!raw.has_switches()) return "";
  const PatchSet kept = switches_of(raw);
  std::string text;
  for (const std::string& name : raw.switches().on()) {
    std::string why = "unknown";
    for (int i = 0; i < kPatchCount; ++i) {
      const PatchInfo& p = patch_info(Patch(i));
      if (name != p.name) continue;
      why = kept & patch_bit(Patch(i)) ? ""
            : !p.modelled              ? "not modelled yet"
                                       : std::string("needs ") + patch_info(p.needs).name;
    }
    if (why.empty()) continue;
    if (!text.empty()) text += "; ";
    std::string shown = name.substr(0, 16);  // printable, short: it goes on one line
    for (char& c : shown) c = c >= 0x20 && c < 0x7f ? c : '?';
    text += "switch '" + shown + "' " + why + ", dropped";
  }
  return text;
}

PatchSet switches_of(const pb::Scenario& scenario) {
  const Kernel variant = to_model(pb::Kernel(uint32_t(scenario.kernel()) % kKernels));
  if (!scenario.has_switches()) return variant_info(variant).switches;
  PatchSet set = 0;
  for (const std::string& name : scenario.switches().on()) {
    for (int i = 0; i < kPatchCount; ++i) {
      if (name == patch_info(Patch(i)).name) set |= patch_bit(Patch(i));
    }
  }
  return fold_switches(set);
}

void set_kernel(pb::Scenario* scenario, pb::Kernel variant, PatchSet switches) {
  switches = fold_switches(switches);
  scenario->set_kernel(variant);
  if (switches == variant_info(to_model(variant)).switches) {
    scenario->clear_switches();
    return;
  }
  pb::Switches* out = scenario->mutable_switches();
  out->Clear();
  for (int i = 0; i < kPatchCount; ++i) {
    if (switches & patch_bit(Patch(i))) out->add_on(patch_info(Patch(i)).name);
  }
}

void set_kernel(pb::Scenario* scenario, pb::Kernel variant) {
  set_kernel(scenario, variant, variant_info(to_model(variant)).switches);
}

std::string kernel_spelling(const pb::Scenario& scenario) {
  return kernel_spelling(to_model(pb::Kernel(uint32_t(scenario.kernel()) % kKernels)),
                         switches_of(scenario));
}

bool parse_kernel(const std::string& text, pb::Kernel* variant, PatchSet* switches, PatchSet* free,
                  std::string* error) {
  Kernel model = Kernel::v4;
  if (!parse_kernel(text, &model, switches, free, error)) return false;
  *variant = kKernelTable[int(model)].pb;
  return true;
}

}  // namespace dcfuzz
