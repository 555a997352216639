#include "fuzz/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

// "dir/name" -> "dir", "name" -> ".", "/name" -> "/"
std::string parent_of(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const size_t slash = trimmed.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : trimmed.substr(0, slash);
}

// The directory `path` would be created in exists and can be written.
void check_parent(const std::string& path, const std::string& option) {
  const std::string parent = parent_of(path);
  struct stat st;
  if (stat(parent.c_str(), &st) != 0) {
    throw UsageError{option + " " + path + ": directory " + parent + " does not exist"};
  }
  if (!S_ISDIR(st.st_mode)) {
    throw UsageError{option + " " + path + ": " + parent + " is not a directory"};
  }
  if (access(parent.c_str(), W_OK) != 0) {
    throw UsageError{option + " " + path + ": cannot write in " + parent + ": " +
                     std::strerror(errno)};
  }
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"fuzz",
       "[--strategy fuzz|random-walk|pct|pos] [--kernel V] [--preempt-rt] [--time S] "
       "[--max-executions N] [--jobs N] [--out DIR] [--keep-scenario] [--stop-on-finding] "
       "[CORPUS...]",
       "run a fuzz campaign from the schedules in CORPUS (default: the shipped seeds, built in), "
       "or a campaign of another strategy on random scenarios; each bug found gets "
       "OUT/<bucket>/ with a report and its schedule",
       cmd_fuzz},
      {"replay", "FILE [--html OUT.html] [--mail OUT.txt | --mail -]",
       "run a schedule once, exactly, and print its report", cmd_replay},
      {"minimize", "FILE [-o OUT]",
       "smallest schedule with FILE's bug (same title); writes NAME.min.textproto beside FILE, "
       "or -o OUT (- for stdout)",
       cmd_minimize},
      {"explore", "FILE [--bound K | --full] [--max-executions N]",
       "Relacy's context-bound search (bound 0, 1, ..., K in turn: a finding has the fewest "
       "preemptions) or its full search over FILE's scenario, keeping FILE's faults; a finding "
       "is reported with a schedule that replays it",
       cmd_explore},
      {"kernels", "", "list the kernel variants and the patch switches --kernel composes them from",
       cmd_kernels},
  };
  return table;
}

pb::Schedule load_schedule_arg(const Args& args) {
  if (args.positional.size() != 1) {
    throw UsageError{"'" + args.command + "' wants exactly one schedule FILE"};
  }
  if (args.positional[0].empty()) throw UsageError{"the schedule FILE name is empty"};
  pb::Schedule schedule;
  std::string error, note;
  if (!load_schedule(args.positional[0], &schedule, &error, &note)) throw UsageError{error};
  if (args.has("kernel")) {
    pb::Kernel kernel;
    PatchSet switches = 0;
    std::string kernel_error;
    if (!parse_kernel(args.get("kernel"), &kernel, &switches, nullptr, &kernel_error)) {
      throw UsageError{kernel_error};
    }
    set_kernel(schedule.mutable_scenario(), kernel, switches);
  }
  if (args.has("preempt_rt")) schedule.mutable_scenario()->set_preempt_rt(true);
  if (!note.empty()) std::cerr << "dcfuzz: note: " << note << std::endl;
  return schedule;
}

void check_output_file(const std::string& path, const std::string& option) {
  if (path.empty()) throw UsageError{option + " wants a file name"};
  if (path.back() == '/') throw UsageError{option + " " + path + " names a directory, not a file"};
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw UsageError{option + " " + path + " is a directory, not a file"};
    // write_file_atomic renames over it: a device or FIFO would be replaced.
    if (!S_ISREG(st.st_mode)) throw UsageError{option + " " + path + " is not a regular file"};
  }
  check_parent(path, option);
}

void check_output_dir(const std::string& path, const std::string& option) {
  if (path.empty()) throw UsageError{option + " wants a directory"};
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw UsageError{option + " " + path + " is not a directory"};
    if (access(path.c_str(), W_OK) != 0) {
      throw UsageError{option + " " + path + ": cannot write in it: " + std::strerror(errno)};
    }
    return;
  }
  check_parent(path, option);
}

void check_corpus_dir(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    throw UsageError{"corpus directory '" + path + "': " + std::strerror(errno)};
  }
  if (!S_ISDIR(st.st_mode)) {
    throw UsageError{"corpus '" + path + "' is a file, not a directory of schedules"};
  }
}

}  // namespace dcfuzz
