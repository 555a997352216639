// dcfuzz kernels: the named variants and the patch switches (core/patches.def).
#include <cstdio>
#include <string>

#include "core/scenario.h"
#include "fuzz/commands.h"

namespace dcfuzz {

namespace {

void print_row(const char* name, const char* summary, PatchSet switches) {
  std::string on;
  for (int i = 0; i < kPatchCount; ++i) {
    if (switches & patch_bit(Patch(i))) on += std::string(" ") + patch_info(Patch(i)).name;
  }
  std::printf("  %-14s %s\n  %-14s switches:%s\n", name, summary, "",
              on.empty() ? " none" : on.c_str());
}

}  // namespace

int cmd_kernels(const Args& args) {
  if (!args.positional.empty()) throw UsageError{"'kernels' takes no arguments"};
  std::printf("kernel variants (--kernel VARIANT[,+SWITCH|,-SWITCH]...):\n");
  for (int v = 0; v < kVariantCount; ++v) {
    const VariantInfo& variant = variant_info(Kernel(v));
    print_row(variant.name, variant.summary, variant.switches);
  }
  std::printf(
      "\ncomposed kernels (--kernel NAME[,+SWITCH|,-SWITCH]...; schedules record the variant "
      "and the switches):\n");
  for (int c = 0; c < kComposedCount; ++c) {
    const ComposedInfo& composed = composed_info(c);
    print_row(composed.name, composed.summary, composed.switches);
  }
  std::printf("\npatch switches:\n");
  for (int i = 0; i < kPatchCount; ++i) {
    const PatchInfo& p = patch_info(Patch(i));
    std::string notes;
    if (!p.modelled) notes += " [not modelled yet]";
    if (p.needs != Patch::none) notes += std::string(" [needs ") + patch_info(p.needs).name + "]";
    std::printf("  %-11s %s%s\n", p.name, p.help, notes.c_str());
  }
  std::printf("\ne.g. --kernel v4-fixed,-7/7 (v4-fixed without 7/7), --kernel mainline,+2/7\n");
  return 0;
}

}  // namespace dcfuzz
