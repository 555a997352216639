// The passes of the minimizer (minimize_passes.h).
#include "schedules/minimize_passes.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/scenario.h"
#include "schedules/model_enums.h"
#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

template <typename Field, typename Pred>
void erase_if(Field* field, Pred pred) {
  field->erase(std::remove_if(field->begin(), field->end(), pred), field->end());
}

std::string describe_op(const pb::Op& op) {
  std::string text = op_name(to_model(op.op())) + std::string(" ") + op.path();
  return takes_path2(op.op()) ? text + " -> " + op.path2() : text;
}

std::string describe_preemption(const pb::Preemption& p) {
  return "step " + std::to_string(p.step()) + " -> T" + std::to_string(p.thread());
}

// drop-thread: thread i goes, with its preemptions and faults; later threads
// move down one number.
void drop_thread(const pb::Schedule& s, uint32_t, Candidates* out) {
  const int n = s.scenario().threads_size();
  for (int i = n - 1; i >= 0 && n > 1; --i) {
    pb::Schedule c = s;
    auto* threads = c.mutable_scenario()->mutable_threads();
    threads->erase(threads->begin() + i);
    const uint32_t gone = uint32_t(i + 1);
    erase_if(c.mutable_preemptions(), [&](const pb::Preemption& p) { return p.thread() == gone; });
    for (auto& p : *c.mutable_preemptions()) p.set_thread(p.thread() - (p.thread() > gone));
    erase_if(c.mutable_faults(), [&](const pb::Fault& f) { return f.thread() == gone; });
    for (auto& f : *c.mutable_faults()) f.set_thread(f.thread() - (f.thread() > gone));
    out->push_back({"T" + std::to_string(i + 1), std::move(c)});
  }
}

// drop-operation: one operation of a thread that has more than one (a
// thread's last operation goes with drop-thread).
void drop_operation(const pb::Schedule& s, uint32_t, Candidates* out) {
  const auto& threads = s.scenario().threads();
  for (int t = 0; t < threads.size(); ++t) {
    const int ops = threads.Get(t).ops_size();
    for (int k = ops - 1; k >= 0 && ops > 1; --k) {
      pb::Schedule c = s;
      auto* list = c.mutable_scenario()->mutable_threads(t)->mutable_ops();
      list->erase(list->begin() + k);
      out->push_back({"T" + std::to_string(t + 1) + " op " + std::to_string(k + 1) + " (" +
                          describe_op(threads.Get(t).ops(k)) + ")",
                      std::move(c)});
    }
  }
}

template <typename Field, typename Describe>
void drop_each(const pb::Schedule& s, const Field& (pb::Schedule::*field)() const,
               Field* (pb::Schedule::*mutable_field)(), Describe describe, Candidates* out) {
  const Field& items = (s.*field)();
  for (int k = items.size() - 1; k >= 0; --k) {
    pb::Schedule c = s;
    Field* list = (c.*mutable_field)();
    list->erase(list->begin() + k);
    out->push_back({describe(items.Get(k)), std::move(c)});
  }
}

void drop_fault(const pb::Schedule& s, uint32_t, Candidates* out) {
  drop_each(
      s, &pb::Schedule::faults, &pb::Schedule::mutable_faults,
      [](const pb::Fault& f) {
        return "allocation " + std::to_string(f.nth()) +
               (f.thread() ? " of T" + std::to_string(f.thread()) : " (global)");
      },
      out);
}

void drop_preemption(const pb::Schedule& s, uint32_t, Candidates* out) {
  drop_each(s, &pb::Schedule::preemptions, &pb::Schedule::mutable_preemptions, describe_preemption,
            out);
}

void drop_choice(const pb::Schedule& s, uint32_t, Candidates* out) {
  drop_each(
      s, &pb::Schedule::choices, &pb::Schedule::mutable_choices,
      [](const pb::Choice& ch) {
        return "call " + std::to_string(ch.call()) + " = " + std::to_string(ch.value());
      },
      out);
}

// move-preemption-earlier: as early as possible (just after the previous
// preemption), half-way there, or one step earlier.
void move_preemption_earlier(const pb::Schedule& s, uint32_t, Candidates* out) {
  const auto& list = s.preemptions();
  for (int k = 0; k < list.size(); ++k) {
    const uint32_t step = list.Get(k).step();
    const uint32_t first = k == 0 ? 0 : list.Get(k - 1).step() + 1;
    std::vector<uint32_t> targets = {first, first + (step - first) / 2, step - 1};
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (uint32_t target : targets) {
      if (target < first || target >= step) continue;
      pb::Schedule c = s;
      c.mutable_preemptions(k)->set_step(target);
      out->push_back(
          {describe_preemption(list.Get(k)) + " to step " + std::to_string(target), std::move(c)});
    }
  }
}

// The interleaving of a scenario made smaller is often off by the steps that
// went with it. These candidates redo it: no preemption at all, then a single
// preemption at each step of the current execution, to each thread.
void with_new_timing(const Candidate& simpler, uint32_t steps, Candidates* out) {
  pb::Schedule base = simpler.schedule;
  base.clear_preemptions();
  out->push_back({simpler.description + ", no preemption", base});
  for (uint32_t step = 0; step < steps; ++step) {
    for (int t = 1; t <= base.scenario().threads_size(); ++t) {
      pb::Schedule c = base;
      auto* p = c.add_preemptions();
      p->set_step(step);
      p->set_thread(uint32_t(t));
      out->push_back({simpler.description + ", " + describe_preemption(*p), std::move(c)});
    }
  }
}

template <void (*Pass)(const pb::Schedule&, uint32_t, Candidates*)>
void retimed(const pb::Schedule& s, uint32_t steps, Candidates* out) {
  Candidates simpler;
  Pass(s, steps, &simpler);
  for (const auto& candidate : simpler) with_new_timing(candidate, steps, out);
}

// shrink-tree: drop a node with its subtree (later nodes renumbered), or
// clear a directory's disconnected alias.
void shrink_tree(const pb::Schedule& s, uint32_t, Candidates* out) {
  const auto& tree = s.scenario().tree();
  for (int k = tree.size() - 1; k >= 0; --k) {
    pb::Schedule c = s;
    auto* nodes = c.mutable_scenario()->mutable_tree();
    std::vector<bool> gone(tree.size() + 1, false);  // by parent number (k + 1)
    google::protobuf::RepeatedPtrField<pb::Node> kept;
    std::vector<uint32_t> renumber(tree.size() + 1, 0);
    for (int i = 0; i < tree.size(); ++i) {
      const auto& node = tree.Get(i);
      gone[i + 1] = i == k || (node.parent() > 0 && gone[node.parent()]);
      if (gone[i + 1]) continue;
      renumber[i + 1] = uint32_t(kept.size() + 1);
      pb::Node copy = node;
      copy.set_parent(renumber[node.parent()]);
      *kept.Add() = copy;
    }
    nodes->Swap(&kept);
    out->push_back({"drop " + tree.Get(k).name(), std::move(c)});
  }
  for (int k = 0; k < tree.size(); ++k) {
    if (!tree.Get(k).disconnected_alias()) continue;
    pb::Schedule c = s;
    c.mutable_scenario()->mutable_tree(k)->set_disconnected_alias(false);
    out->push_back({"no disconnected alias of " + tree.Get(k).name(), std::move(c)});
  }
}

// simplify-names: rename every spelling of a name (all its case variants,
// keeping which letters are capitals) to a shorter or more common one.
std::string fold_case(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <typename F>
void for_each_name(pb::Scenario* sc, F f) {
  auto components = [&](const std::string& path) {
    std::string out, part;
    for (size_t begin = 0; begin <= path.size();) {
      size_t end = std::min(path.find('/', begin), path.size());
      part = path.substr(begin, end - begin);
      f(part);
      out += (begin ? "/" : "") + part;
      begin = end + 1;
    }
    return out;
  };
  for (auto& node : *sc->mutable_tree()) {
    std::string name = node.name();
    f(name);
    node.set_name(name);
  }
  for (auto& thread : *sc->mutable_threads()) {
    for (auto& op : *thread.mutable_ops()) {
      op.set_path(components(op.path()));
      if (!op.path2().empty()) op.set_path2(components(op.path2()));
    }
  }
}

std::string with_case_of(const std::string& spelling, std::string target) {
  for (size_t i = 0; i < target.size() && i < spelling.size(); ++i) {
    if (std::isupper(static_cast<unsigned char>(spelling[i]))) {
      target[i] = char(std::toupper(static_cast<unsigned char>(target[i])));
    }
  }
  return target;
}

// Shorter first; at one length, the letters people use in examples.
std::vector<std::string> simpler_names(const std::string& key) {
  std::vector<std::string> out;
  for (const char* letter : {"a", "b", "c", "d", "e", "x", "y", "z"}) out.push_back(letter);
  for (size_t length = 2; length < key.size(); ++length) out.push_back(key.substr(0, length));
  if (key.size() > 1) {
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const std::string& n) { return n.size() >= key.size(); }),
              out.end());
  } else {
    out.erase(
        std::remove_if(out.begin(), out.end(), [&](const std::string& n) { return n >= key; }),
        out.end());
  }
  return out;
}

void simplify_names(const pb::Schedule& s, uint32_t, Candidates* out) {
  std::map<std::string, std::set<std::string>> groups;  // folded -> spellings
  pb::Scenario copy = s.scenario();
  for_each_name(&copy, [&](std::string& name) { groups[fold_case(name)].insert(name); });
  for (const auto& [key, spellings] : groups) {
    for (const std::string& target : simpler_names(key)) {
      if (groups.count(target)) continue;  // would merge two names
      std::map<std::string, std::string> rename;
      std::set<std::string> renamed;
      for (const auto& spelling : spellings) {
        rename[spelling] = with_case_of(spelling, target);
        renamed.insert(rename[spelling]);
      }
      if (renamed.size() != spellings.size()) continue;  // would merge two spellings
      pb::Schedule c = s;
      for_each_name(c.mutable_scenario(), [&](std::string& name) {
        auto it = rename.find(name);
        if (it != rename.end()) name = it->second;
      });
      out->push_back({*spellings.begin() + " -> " + rename[*spellings.begin()], std::move(c)});
    }
  }
}

// Each patch switch that is on, turned off (with what needs it), the kernel
// then named after the variant it is fewest switches from: a reproducer
// that needs only 2/7 reads "mainline,+2/7".
void drop_switch(const pb::Schedule& s, uint32_t, Candidates* out) {
  const PatchSet on = switches_of(s.scenario());
  for (int i = 0; i < kPatchCount; ++i) {
    const Patch p = Patch(i);
    if (!(on & patch_bit(p))) continue;
    const PatchSet set = fold_switches(on & ~patch_bit(p));
    pb::Kernel variant = s.scenario().kernel();
    auto distance = [set](pb::Kernel k) {
      return __builtin_popcount(variant_info(to_model(k)).switches ^ set);
    };
    for (const auto& k : kKernelTable) {
      if (distance(k.pb) < distance(variant)) variant = k.pb;
    }
    Candidate c{std::string("switch ") + patch_info(p).name + " off", s};
    set_kernel(c.schedule.mutable_scenario(), variant, set);
    out->push_back(std::move(c));
  }
}

}  // namespace

const std::vector<MinimizePass>& minimize_passes() {
  static const std::vector<MinimizePass> passes = {
      {"drop-thread", drop_thread},
      {"drop-operation", drop_operation},
      {"drop-fault", drop_fault},
      {"drop-preemption", drop_preemption},
      {"move-preemption-earlier", move_preemption_earlier},
      {"drop-choice", drop_choice},
      {"shrink-tree", shrink_tree},
      {"simplify-names", simplify_names},
      {"drop-switch", drop_switch},
      {"drop-thread-retimed", retimed<drop_thread>},
      {"drop-operation-retimed", retimed<drop_operation>},
  };
  return passes;
}

}  // namespace dcfuzz
