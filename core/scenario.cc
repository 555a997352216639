#include "core/scenario.h"

namespace dcfuzz {

Patches patches_for(Kernel kernel) {
  Patches p;
  if (kernel == Kernel::mainline) return p;
  p.wait_var_event = true;
  p.add_ci_drops_lock = true;
  p.lookup_shared = true;
  p.move_wakes_dentry = kernel == Kernel::v4 || kernel == Kernel::v4_fix_add_ci;
  p.add_ci_early_return_unlocked = kernel == Kernel::v4 || kernel == Kernel::v4_fix_move;
  return p;
}

const char* kernel_name(Kernel kernel) {
  switch (kernel) {
    case Kernel::mainline:
      return "mainline";
    case Kernel::v4:
      return "v4";
    case Kernel::v4_fixed:
      return "v4-fixed";
    case Kernel::v4_fix_move:
      return "v4-fix-move";
    case Kernel::v4_fix_add_ci:
      return "v4-fix-add-ci";
  }
  return "?";
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
  }
  return "?";
}

}  // namespace dcfuzz
