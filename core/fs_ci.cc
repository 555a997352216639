// A case-insensitive filesystem (xfs ascii-ci-like): a case-only match goes
// through d_add_ci with the on-disk spelling. No case-folding d_hash, so
// "foo" and "Foo" are different names to the dcache.
#include "core/fs.h"

namespace dcfuzz::model {

dentry* ci_lookup(inode* dir, dentry* d, unsigned flags) {
  CALL_FRAME();
  if (DirEntry* e = disk_find(dir, d->d_name)) return d_splice_alias(e->inode, d);
  DirEntry* e = disk_find_ci(dir, d->d_name);
  if (!e) return nullptr;  // xfs_vn_ci_lookup caches no negative dentry
  // v4 7/7: xfs_vn_ci_lookup tells d_add_ci how the parent is held (6/7's flag)
  return d_add_ci(d, e->inode, e->name, (flags & LOOKUP_SHARED) != 0);
}

}  // namespace dcfuzz::model
