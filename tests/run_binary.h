// Runs the real dcfuzz binary for end-to-end tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace dcfuzz::testing {

struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `args` is appended to the binary's path as shell words.
inline Outcome run_dcfuzz(const std::string& args) {
  // ctest runs each test in its own process, several at once: the names
  // carry the process id so that two tests never share an output file.
  static int counter = 0;
  const std::string base = ::testing::TempDir() + "dcfuzz_run_" + std::to_string(getpid()) + "_" +
                           std::to_string(++counter);
  const std::string command =
      std::string(DCFUZZ_BIN) + " " + args + " >" + base + ".out 2>" + base + ".err </dev/null";
  Outcome o;
  int status = std::system(command.c_str());
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = slurp(base + ".out");
  o.err = slurp(base + ".err");
  return o;
}

inline size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Bad usage or input: exit 2, exactly one line on stderr naming the problem.
inline void expect_bad(const std::string& args, const std::string& mentions) {
  Outcome o = run_dcfuzz(args);
  EXPECT_EQ(o.exit_code, 2) << args << "\n" << o.err;
  EXPECT_EQ(count_lines(o.err), 1u) << o.err;
  EXPECT_NE(o.err.find(mentions), std::string::npos) << o.err;
}

inline std::string source_path(const std::string& relative) {
  return std::string(DCFUZZ_SOURCE_DIR) + "/" + relative;
}

inline std::string write_temp(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + std::to_string(getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace dcfuzz::testing
