// A ramfs-like filesystem: ->lookup finds the name on disk and splices.
#include "core/fs.h"

namespace dcfuzz::model {

dentry* plain_lookup(inode* dir, dentry* d, unsigned flags) {
  CALL_FRAME();
  DirEntry* e = disk_find(dir, d->d_name);
  return d_splice_alias(e ? e->inode : nullptr, d);
}

}  // namespace dcfuzz::model
