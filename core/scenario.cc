#include "core/scenario.h"

#include <string>
#include <vector>

namespace dcfuzz {

namespace {

constexpr PatchInfo kPatchTable[] = {
#define DCFUZZ_PATCH(id, name, needs, modelled, help) {name, Patch::needs, modelled, help},
#include "core/patches.def"
};

#define DCFUZZ_ON(id) patch_bit(Patch::id)
constexpr VariantInfo kVariantTable[] = {
#define DCFUZZ_VARIANT(id, name, summary, switches) {name, summary, switches},
#include "core/patches.def"
};
constexpr ComposedInfo kComposedTable[] = {
#define DCFUZZ_COMPOSED(name, base, summary, switches) {name, Kernel::base, summary, switches},
#include "core/patches.def"
};
#undef DCFUZZ_ON

constexpr bool needs_come_first() {
  for (int i = 0; i < kPatchCount; ++i) {
    if (kPatchTable[i].needs != Patch::none && int(kPatchTable[i].needs) >= i) return false;
  }
  return true;
}
static_assert(needs_come_first(), "patches.def: a switch comes after the one it needs");

constexpr bool row_is_foldable(PatchSet switches) {
  for (int i = 0; i < kPatchCount; ++i) {
    const PatchInfo& p = kPatchTable[i];
    if (!(switches & patch_bit(Patch(i)))) continue;
    if (!p.modelled) return false;
    if (p.needs != Patch::none && !(switches & patch_bit(p.needs))) return false;
  }
  return true;
}
constexpr bool rows_are_foldable() {
  for (const VariantInfo& v : kVariantTable) {
    if (!row_is_foldable(v.switches)) return false;
  }
  for (const ComposedInfo& c : kComposedTable) {
    if (!row_is_foldable(c.switches)) return false;
  }
  return true;
}
static_assert(rows_are_foldable(),
              "patches.def: a variant turns on an unmodelled switch or "
              "a switch without the one it needs");

bool find_patch(const std::string& name, Patch* out) {
  for (int i = 0; i < kPatchCount; ++i) {
    if (name == kPatchTable[i].name) {
      *out = Patch(i);
      return true;
    }
  }
  return false;
}

std::string variant_names() {
  std::string names;
  for (const VariantInfo& v : kVariantTable)
    names += (names.empty() ? "" : ", ") + std::string(v.name);
  for (const ComposedInfo& c : kComposedTable) names += ", " + std::string(c.name);
  return names;
}

int popcount(PatchSet set) {
  int n = 0;
  for (; set; set &= set - 1) ++n;
  return n;
}

}  // namespace

const PatchInfo& patch_info(Patch p) { return kPatchTable[int(p)]; }

const VariantInfo& variant_info(Kernel kernel) { return kVariantTable[int(kernel)]; }

const ComposedInfo& composed_info(int index) { return kComposedTable[index]; }

Patches patches_for(PatchSet switches) {
  auto on = [switches](Patch p) { return (switches & patch_bit(p)) != 0; };
  Patches p;
  p.wait_var_event = on(Patch::wait_var_event);
  p.move_wakes_dentry = on(Patch::wait_var_event) && !on(Patch::fix_move);
  p.lookup_shared = on(Patch::lookup_shared);
  p.splice_hashed = on(Patch::splice_in_lookup);
  p.add_ci_drops_lock = on(Patch::add_ci_drops_lock);
  p.add_ci_early_return_unlocked = on(Patch::add_ci_drops_lock) && !on(Patch::fix_add_ci);
  p.lift = on(Patch::lift);
  // "lift" brings nfs's 4/7 and 5/7 users along: the RFC converts
  // nfs_prime_dcache to d_alloc_noblock (13/53) and nfs_rename to d_duplicate
  // (15/53) before it lifts the lookups (51/53, 52/53). Without them a readdir
  // would wait on a lifted lookup's in-lookup name under the shared lock, and
  // an unlocked lookup could add a name in lookup beside nfs_rename's copy.
  p.alloc_noblock = on(Patch::alloc_noblock) || p.lift;
  p.duplicate = on(Patch::duplicate) || p.lift;
  return p;
}

const char* kernel_name(Kernel kernel) { return variant_info(kernel).name; }

PatchSet fold_switches(PatchSet switches) {
  PatchSet out = 0;
  for (int i = 0; i < kPatchCount; ++i) {  // a switch's needs come earlier: one pass
    const PatchInfo& p = kPatchTable[i];
    if (!(switches & patch_bit(Patch(i))) || !p.modelled) continue;
    if (p.needs != Patch::none && !(out & patch_bit(p.needs))) continue;
    out |= patch_bit(Patch(i));
  }
  return out;
}

std::string kernel_spelling(Kernel variant, PatchSet switches, PatchSet free) {
  std::string out = kernel_name(variant);
  PatchSet row = variant_info(variant).switches;
  for (const ComposedInfo& c : kComposedTable) {
    if (c.base == variant && popcount(c.switches ^ switches) < popcount(row ^ switches)) {
      out = c.name;
      row = c.switches;
    }
  }
  for (int i = 0; i < kPatchCount; ++i) {
    const PatchSet bit = patch_bit(Patch(i));
    if ((row ^ switches) & bit)
      out.append(switches & bit ? ",+" : ",-").append(kPatchTable[i].name);
  }
  for (int i = 0; i < kPatchCount; ++i) {
    if (free & patch_bit(Patch(i))) out.append(",~").append(kPatchTable[i].name);
  }
  return out;
}

PatchSet toggle_switch(PatchSet switches, Patch p) {
  if (switches & patch_bit(p)) return fold_switches(switches & ~patch_bit(p));
  for (; p != Patch::none; p = kPatchTable[int(p)].needs) switches |= patch_bit(p);
  return fold_switches(switches);
}

PatchSet modelled_switches() {
  PatchSet out = 0;
  for (int i = 0; i < kPatchCount; ++i) {
    if (kPatchTable[i].modelled) out |= patch_bit(Patch(i));
  }
  return out;
}

bool parse_kernel(const std::string& text, Kernel* variant, PatchSet* switches, PatchSet* free,
                  std::string* error) {
  std::vector<std::string> items;
  for (size_t start = 0;;) {
    const size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  int found = -1;
  PatchSet set = 0;
  for (int i = 0; i < kVariantCount; ++i) {
    if (items[0] == kVariantTable[i].name) found = i, set = kVariantTable[i].switches;
  }
  for (const ComposedInfo& c : kComposedTable) {
    if (items[0] == c.name) found = int(c.base), set = c.switches;
  }
  if (found < 0) {
    *error = "unknown kernel variant '" + items[0] + "' (one of " + variant_names() + ")";
    return false;
  }
  const std::string where = "kernel '" + text + "': ";
  PatchSet freed = 0;
  PatchSet named = 0;
  for (size_t k = 1; k < items.size(); ++k) {
    const std::string& item = items[k];
    const char sign = item.empty() ? 0 : item[0];
    if (sign != '+' && sign != '-' && (sign != '~' || !free)) {
      *error = where + "'" + item + "' is not " +
               (free ? "+SWITCH, -SWITCH or ~SWITCH" : "+SWITCH or -SWITCH") +
               " (see 'dcfuzz kernels')";
      return false;
    }
    Patch p;
    if (!find_patch(item.substr(1), &p)) {
      *error = where + "unknown switch '" + item.substr(1) + "' (see 'dcfuzz kernels')";
      return false;
    }
    const PatchInfo& info = kPatchTable[int(p)];
    if (named & patch_bit(p)) {
      *error = where + "switch " + info.name + " named twice";
      return false;
    }
    named |= patch_bit(p);
    if (sign != '-' && !info.modelled) {
      *error = where + "switch " + info.name + " (" + info.help + ") is not modelled yet";
      return false;
    }
    if (sign == '+') set |= patch_bit(p);
    if (sign == '-') set &= ~patch_bit(p);
    if (sign == '~') freed |= patch_bit(p);
  }
  for (int i = 0; i < kPatchCount; ++i) {
    const PatchInfo& p = kPatchTable[i];
    if (((set | freed) & patch_bit(Patch(i))) && p.needs != Patch::none &&
        !((set | freed) & patch_bit(p.needs))) {
      *error = where + "switch " + p.name + " needs " + patch_info(p.needs).name;
      return false;
    }
  }
  *variant = Kernel(found);
  *switches = set;
  if (free) *free = freed;
  return true;
}

const char* fs_name(FsKind fs) {
  switch (fs) {
    case FsKind::plain:
      return "plain";
    case FsKind::nfs:
      return "nfs";
    case FsKind::case_insensitive:
      return "case-insensitive";
  }
  return "?";
}

const char* op_name(OpKind op) {
  switch (op) {
    case OpKind::lookup:
      return "lookup";
    case OpKind::create:
      return "create";
    case OpKind::unlink:
      return "unlink";
    case OpKind::mkdir:
      return "mkdir";
    case OpKind::rename:
      return "rename";
    case OpKind::open_create:
      return "open_create";
    case OpKind::fh_decode:
      return "fh_decode";
    case OpKind::open:
      return "open";
    case OpKind::rmdir:
      return "rmdir";
    case OpKind::link:
      return "link";
    case OpKind::rename_exchange:
      return "rename_exchange";
    case OpKind::readdir:
      return "readdir";
    case OpKind::open_held:
      return "open_held";
    case OpKind::server_rename:
      return "server_rename";
    case OpKind::server_unlink:
      return "server_unlink";
  }
  return "?";
}

}  // namespace dcfuzz
