// An nfs-like filesystem: a rename target or an exclusive create is not
// looked up at all (nfs_lookup returns NULL at once), leaving the dentry
// negative, unhashed, and in lookup if it came from d_alloc_parallel.
#include "core/fs.h"

namespace dcfuzz::model {

dentry* nfs_lookup(inode* dir, dentry* d, unsigned flags) {
  CALL_FRAME();
  if (flags & (LOOKUP_RENAME_TARGET | LOOKUP_EXCL)) return nullptr;
  return plain_lookup(dir, d, flags);
}

}  // namespace dcfuzz::model
