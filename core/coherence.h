// The oracles of issue 12 in the model: the dcache against the disk
// (coherence.cc, at every scheduling decision and at the end), and the
// results of the system calls against a sequential filesystem (at the end of
// an execution with no other finding; oracles/linearize.h). The hooks below
// note who last changed what, for the reports.
#pragma once

#include "core/dcache.h"

namespace dcfuzz::model {

// The running operation, for a dentry that it instantiated, made negative,
// hashed or moved, and for a directory whose contents it changed on disk.
void note_dentry_change(dentry* d);
void note_disk_change(inode* dir);
// The oracles' identity of an inode the running operation creates.
int created_slot();

// Every hashed dentry of a quiescent directory (of every directory if
// `at_end`) names what the disk has, and no directory has two aliases.
void check_coherence(bool at_end);
// The operations' results, against the sequential filesystem.
void check_results();

}  // namespace dcfuzz::model
