// A ramfs-like filesystem: ->lookup finds the name on disk and splices.
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/plan.h"

namespace dcfuzz::model {

dentry* plain_lookup(inode* dir, dentry* d, unsigned flags) {
  CALL_FRAME();
  DirEntry* e = disk_find(dir, d->d_name);
  inode* in = e ? e->inode : nullptr;
  switch (kstate().plan->options.selftest_fs_bug) {
    case FsSelftestBug::lookup_instantiates:  // an old-style ->lookup, broken on in-lookup dentries
      if (in) d_instantiate(d, in);
      return nullptr;
    case FsSelftestBug::lookup_splices_twice:
      if (dentry* res = d_splice_alias(in, d)) return res;
      return d_splice_alias(in, d);
    default:
      return d_splice_alias(in, d);
  }
}

}  // namespace dcfuzz::model
