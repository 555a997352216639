// The system calls of the thread programs (fs/namei.c, fs/open.c,
// fs/fhandle.c): each takes and drops everything it uses.
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"

namespace dcfuzz::model {

namespace {

int last_name(const std::vector<int>& path) { return path.back(); }

dentry* walk_parent(const std::vector<int>& path) {
  dentry* parent = walk_components(path.data(), int(path.size()) - 1);
  if (!IS_ERR(parent) && !parent->d_inode->dir) {
    dput(parent);
    return ERR_PTR(-ENOTDIR);
  }
  return parent;
}

int do_stat(const PlanOp& op) {
  dentry* d = walk_components(op.path.data(), int(op.path.size()));
  if (IS_ERR(d)) return int(PTR_ERR(d));
  dput(d);
  return 0;
}

// filename_create + vfs_create / vfs_mkdir + done_path_create.
int do_create(const PlanOp& op, bool is_dir) {
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  inode* dir = parent->d_inode;
  inode_lock(dir, "filename_create");
  dentry* d = lookup_one_qstr_excl(last_name(op.path), parent, LOOKUP_CREATE | LOOKUP_EXCL);
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : fs_create(dir, d, is_dir);
  if (!IS_ERR(d)) dput(d);
  inode_unlock(dir, IS_ERR(d) ? "filename_create" : "done_path_create");
  dput(parent);
  return err;
}

int do_unlinkat(const PlanOp& op) {
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  inode* dir = parent->d_inode;
  inode_lock(dir, "do_unlinkat");
  dentry* d = lookup_one_qstr_excl(last_name(op.path), parent, 0);
  int err = 0;
  if (IS_ERR(d)) {
    err = int(PTR_ERR(d));
  } else {
    if (d->d_inode->dir) {
      err = -EISDIR;
    } else {
      fs_unlink(dir, d);
      d_delete(d);
    }
    dput(d);
  }
  inode_unlock(dir, "do_unlinkat");
  dput(parent);
  return err;
}

// do_sys_open with O_CREAT: open_last_lookups + lookup_open.
int do_open_create(const PlanOp& op) {
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  inode* dir = parent->d_inode;
  inode_lock(dir, "open_last_lookups");
  dentry* d = lookup_open(parent, last_name(op.path));
  inode_unlock(dir, "open_last_lookups");
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : 0;
  if (!IS_ERR(d)) dput(d);
  dput(parent);
  return err;
}

// open_by_handle_at: the handle names a directory of the initial tree;
// exportfs_decode_fh gets an alias of its inode (disconnected if none).
int do_fh_decode(const PlanOp& op) {
  if (op.tree_node < 0) return -ESTALE;
  inode* in = kstate().tree_inodes[size_t(op.tree_node)];
  if (!in->dir) return -ESTALE;
  dentry* d = d_obtain_alias(in);
  if (IS_ERR(d)) return int(PTR_ERR(d));
  dput(d);
  return 0;
}

}  // namespace

int sys_op(const PlanOp& op) {
  const bool needs_name = op.kind != OpKind::lookup && op.kind != OpKind::fh_decode;
  if (needs_name && op.path.empty()) return -EBUSY;  // the root itself
  switch (op.kind) {
    case OpKind::lookup:
      return do_stat(op);
    case OpKind::create:
      return do_create(op, false);
    case OpKind::mkdir:
      return do_create(op, true);
    case OpKind::unlink:
      return do_unlinkat(op);
    case OpKind::rename:
      return do_rename(op);
    case OpKind::open_create:
      return do_open_create(op);
    case OpKind::fh_decode:
      return do_fh_decode(op);
  }
  return -EINVAL;
}

}  // namespace dcfuzz::model
