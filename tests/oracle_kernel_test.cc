// The sequential filesystem against Linux itself: random scenarios' operations
// run one at a time on a real directory of this machine and on the
// sequential model, every result compared. A mismatch is a model bug.
//
// Plain (the nfs kind answers the same: its disk is the server's) on a fresh
// directory under the test's temporary directory; case-insensitive on an xfs
// made with `mkfs.xfs -n version=ci` (ascii-ci, the model's kind), mounted on
// a loop device in a private mount namespace, where the machine allows that
// (else skipped, saying why). open_by_handle_at is left out: the model
// decodes handles of initial directories only. rmdir, link and renameat2
// with RENAME_EXCHANGE run as themselves.
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

#include "oracles/seqfs.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"

namespace dcfuzz::oracle {
namespace {

constexpr int kScenarios = 1000;

int remove_one(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }
void remove_tree(const std::string& dir) {
  nftw(dir.c_str(), remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

// One scenario on a real directory `root`: the initial tree made from the
// plan's, then the operations; inodes known by st_ino.
class RealRun {
 public:
  RealRun(const SeqPlan& plan, std::string root) : plan_(plan), root_(std::move(root)) {}
  ~RealRun() {
    for (int fd : held_) close(fd);
  }

  // Makes the initial tree; false (and why) if the directory refuses it.
  bool make_tree(std::string* why) {
    slot_of_[ino(root_)] = kRootSlot;
    const State& s = plan_.initial;
    for (uint16_t order = 1; order <= s.clock; ++order) {
      for (int i = 0; i < kSlots; ++i) {
        const Slot& x = s.slot[i];
        if (!x.used || x.parent == kNoSlot || x.order != order) continue;
        std::string path = root_ + path_in(plan_, s, i);
        int rc = x.dir ? mkdir(path.c_str(), 0755) : mknod(path.c_str(), S_IFREG | 0644, 0);
        if (rc != 0) {
          *why = "making " + path_in(plan_, s, i) + ": " + strerror(errno);
          return false;
        }
        slot_of_[ino(path)] = i;
      }
    }
    return true;
  }

  Result run(int thread, int index) {
    const SeqOp& op = plan_.threads[size_t(thread)][size_t(index)];
    const std::string p = path(op.path, op.n);
    const int self = op_slot(thread, index);
    switch (op.kind) {
      case OpKind::lookup: {
        struct stat st;
        if (lstat(p.c_str(), &st) != 0) return Result{-errno, kNoSlot};
        return Result{0, slot(st.st_ino)};
      }
      case OpKind::create:
        return made(mknod(p.c_str(), S_IFREG | 0644, 0), p, self);
      case OpKind::mkdir:
        return made(mkdir(p.c_str(), 0755), p, self);
      case OpKind::unlink:
        return Result{unlink(p.c_str()) == 0 ? 0 : -errno, kNoSlot};
      case OpKind::rename:
        return Result{rename(p.c_str(), path(op.path2, op.n2).c_str()) == 0 ? 0 : -errno, kNoSlot};
      case OpKind::open_create: {
        struct stat before;
        const bool existed = lstat(p.c_str(), &before) == 0;
        int fd = open(p.c_str(), O_CREAT | O_RDONLY, 0644);
        if (fd < 0) return Result{-errno, kNoSlot};
        struct stat st;
        fstat(fd, &st);
        close(fd);
        if (!existed) slot_of_[st.st_ino] = self;
        return Result{0, slot(st.st_ino)};
      }
      case OpKind::fh_decode:
        break;
      // getdents on a real directory (the listing is not compared)
      case OpKind::readdir: {
        DIR* dir = opendir(p.c_str());
        if (!dir) return Result{-errno, kNoSlot};
        errno = 0;
        while (readdir(dir)) {
        }
        const int err = errno;
        struct stat st;
        fstat(dirfd(dir), &st);
        closedir(dir);
        if (err) return Result{-err, kNoSlot};
        return Result{0, slot(st.st_ino)};
      }
      case OpKind::open: {  // open(path, O_RDONLY): directories open too
        int fd = open(p.c_str(), O_RDONLY);
        if (fd < 0) return Result{-errno, kNoSlot};
        struct stat st;
        fstat(fd, &st);
        close(fd);
        return Result{0, slot(st.st_ino)};
      }
      // the fd stays open until the scenario ends (a local
      // filesystem removes an open file on rename or unlink; nfs's silly
      // rename is not run here: Linux has no nfs server in this test)
      case OpKind::open_held: {
        int fd = open(p.c_str(), O_RDONLY);
        if (fd < 0) return Result{-errno, kNoSlot};
        struct stat st;
        fstat(fd, &st);
        held_.push_back(fd);
        return Result{0, slot(st.st_ino)};
      }
      // rmdir, link (a second name of an inode the map knows) and renameat2's exchange
      case OpKind::rmdir:
        return Result{rmdir(p.c_str()) == 0 ? 0 : -errno, kNoSlot};
      case OpKind::link:
        return Result{link(p.c_str(), path(op.path2, op.n2).c_str()) == 0 ? 0 : -errno, kNoSlot};
      case OpKind::rename_exchange: {
        const std::string p2 = path(op.path2, op.n2);
        int rc = renameat2(AT_FDCWD, p.c_str(), AT_FDCWD, p2.c_str(), RENAME_EXCHANGE);
        return Result{rc == 0 ? 0 : -errno, kNoSlot};
      }
    }
    return Result{};
  }

 private:
  std::string path(const int16_t* names, int n) const {
    std::string out = root_;
    for (int i = 0; i < n; ++i) out += "/" + plan_.names[size_t(names[i])];
    return out;
  }
  static ino_t ino(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  }
  int slot(ino_t ino) const {
    auto it = slot_of_.find(ino);
    return it == slot_of_.end() ? -2 : it->second;  // -2: an inode the model never made
  }
  Result made(int rc, const std::string& p, int self) {
    if (rc != 0) return Result{-errno, kNoSlot};
    slot_of_[ino(p)] = self;  // an unlinked inode's number may come back: the newest wins
    return Result{0, self};
  }

  const SeqPlan& plan_;
  std::string root_;
  std::map<ino_t, int> slot_of_;
  std::vector<int> held_;  // open_held's fds
};

std::string describe(const SeqPlan& plan, const SeqOp& op, const Result& r, int self) {
  if (r.slot == -2) return "0 (an inode the model does not know)";
  return result_text(plan, op, r, self);
}

struct Totals {
  int scenarios = 0, ops = 0, mismatches = 0;
  std::map<std::string, int> results;  // by errno name, "0" for success
  std::string first;
};

// Scenario `seed` (its filesystem forced to `fs`) in a random sequential
// order, on a fresh directory under `base`.
void run_scenario(uint64_t seed, FsKind fs, const std::string& base, Totals* totals) {
  pb::Schedule schedule = random_schedule(seed);
  schedule.mutable_scenario()->set_fs(fs == FsKind::plain ? pb::PLAIN : pb::CASE_INSENSITIVE);
  normalize(&schedule);
  const Scenario scenario = to_scenario(schedule.scenario());
  const SeqPlan plan = compile(scenario);
  ASSERT_TRUE(plan.usable);
  const std::string root = base + "/s" + std::to_string(seed);
  ASSERT_EQ(mkdir(root.c_str(), 0755), 0) << root << ": " << strerror(errno);
  RealRun real(plan, root);
  std::string why;
  ASSERT_TRUE(real.make_tree(&why)) << "seed " << seed << ": " << why;
  State model = plan.initial;
  std::mt19937_64 rng(seed);
  std::vector<int> next(plan.threads.size(), 0);
  std::string done;
  for (;;) {
    std::vector<int> ready;
    for (size_t t = 0; t < next.size(); ++t)
      if (next[t] < int(plan.threads[t].size())) ready.push_back(int(t));
    if (ready.empty()) break;
    const int t = ready[rng() % ready.size()], i = next[size_t(t)]++;
    const SeqOp& op = plan.threads[size_t(t)][size_t(i)];
    const Result want = apply(plan, &model, t, i);
    if (op.kind == OpKind::fh_decode) continue;
    const Result got = real.run(t, i);
    ++totals->ops;
    ++totals->results[errno_name(got.err)];
    done += "  T" + std::to_string(t + 1) + " " + op.call + " = " +
            describe(plan, op, got, op_slot(t, i)) + "\n";
    if (got.err == want.err && (got.err != 0 || got.slot == want.slot)) continue;
    if (++totals->mismatches == 1) {
      totals->first = "seed " + std::to_string(seed) + ": the model gives " +
                      describe(plan, op, want, op_slot(t, i)) + " for the last of\n" + done;
    }
    break;
  }
  ++totals->scenarios;
  remove_tree(root);
}

void run_all(FsKind fs, const std::string& base) {
  Totals totals;
  for (uint64_t seed = 1; seed <= kScenarios && !::testing::Test::HasFatalFailure(); ++seed)
    run_scenario(seed, fs, base, &totals);
  EXPECT_EQ(totals.mismatches, 0) << totals.first;
  EXPECT_EQ(totals.scenarios, kScenarios);
  std::printf("%d scenarios, %d operations compared with Linux, %d mismatches; results:",
              totals.scenarios, totals.ops, totals.mismatches);
  for (const auto& [name, count] : totals.results) std::printf(" %s %d", name.c_str(), count);
  std::printf("\n");
  // Every check of the model was taken somewhere.
  for (const char* name :
       {"0", "-ENOENT", "-ENOTDIR", "-EISDIR", "-EEXIST", "-ENOTEMPTY", "-EINVAL", "-EPERM"})
    EXPECT_GT(totals.results[name], 0) << name;
}

std::string make_temp_dir() {
  std::string tmpl = ::testing::TempDir() + "/dcfuzz-seqfs-XXXXXX";
  return mkdtemp(tmpl.data()) ? tmpl : std::string();
}

TEST(OracleKernel, PlainModelAgreesWithLinux) {
  const std::string base = make_temp_dir();
  ASSERT_FALSE(base.empty()) << strerror(errno);
  run_all(FsKind::plain, base);
  remove_tree(base);
}

// Mounts a fresh ascii-ci xfs on `mnt` in a private mount namespace (gone
// with this process); "" or why not.
std::string mount_xfs_ci(const std::string& work, const std::string& mnt) {
  if (geteuid() != 0) return "not root";
  if (std::system("command -v mkfs.xfs >/dev/null 2>&1") != 0) return "no mkfs.xfs (xfsprogs)";
  if (unshare(CLONE_NEWNS) != 0) return std::string("unshare(CLONE_NEWNS): ") + strerror(errno);
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return std::string("making / private: ") + strerror(errno);
  const std::string image = work + "/xfs-ci.img";
  int fd = open(image.c_str(), O_CREAT | O_RDWR, 0600);
  if (fd < 0 || ftruncate(fd, 320 << 20) != 0) return "making " + image + ": " + strerror(errno);
  close(fd);
  if (std::system(("mkfs.xfs -q -f -n version=ci " + image + " >/dev/null 2>&1").c_str()) != 0)
    return "mkfs.xfs -n version=ci failed";
  if (mkdir(mnt.c_str(), 0755) != 0) return "mkdir " + mnt + ": " + strerror(errno);
  if (std::system(("mount -o loop " + image + " " + mnt + " >/dev/null 2>&1").c_str()) != 0)
    return "cannot mount an ascii-ci xfs on a loop device (no loop devices, or xfs without "
           "CONFIG_XFS_SUPPORT_ASCII_CI)";
  return "";
}

TEST(OracleKernel, CaseInsensitiveModelAgreesWithXfsAsciiCi) {
  const std::string work = make_temp_dir();
  ASSERT_FALSE(work.empty()) << strerror(errno);
  const std::string mnt = work + "/mnt";
  const std::string why = mount_xfs_ci(work, mnt);
  if (!why.empty()) {
    remove_tree(work);
    GTEST_SKIP() << "no case-insensitive filesystem to compare with: " << why;
  }
  run_all(FsKind::case_insensitive, mnt);
  umount2(mnt.c_str(), 0);
  remove_tree(work);
}

}  // namespace
}  // namespace dcfuzz::oracle
