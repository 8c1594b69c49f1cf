// Transcript tests: each testdata/*.txt is a sequence of blocks
//
//   # comment
//   command args...
//   ----
//   expected output
//   <blank line>
//
// run through InteractionEnv (commands: interaction_env.cc). A block whose output differs
// fails with a line diff. SHOAL_REWRITE=1 rewrites the files with the actual output instead.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "raft/interaction_env.h"

namespace shoal::raft::testing {
namespace {

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> lines;
  std::stringstream ss(s);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  return lines;
}

// A minimal LCS line diff: "-" expected only, "+" actual only.
std::string Diff(const std::string& want, const std::string& got) {
  auto a = SplitLines(want), b = SplitLines(got);
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += "  " + a[i++] + "\n";
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "+ " + b[j++] + "\n";
    } else {
      out += "- " + a[i++] + "\n";
    }
  }
  return out;
}

std::vector<std::string> TranscriptFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(SHOAL_RAFT_TESTDATA_DIR)) {
    if (e.path().extension() == ".txt") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class Transcript : public ::testing::TestWithParam<std::string> {};

TEST_P(Transcript, MatchesExpectedOutput) {
  const std::string path = std::string(SHOAL_RAFT_TESTDATA_DIR) + "/" + GetParam();
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream buf;
  buf << in.rdbuf();
  std::vector<std::string> lines = SplitLines(buf.str());
  const char* rewrite_env = std::getenv("SHOAL_REWRITE");
  const bool rewrite = rewrite_env != nullptr && std::string(rewrite_env) == "1";

  InteractionEnv env;
  std::string rewritten;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      rewritten += line + "\n";
      ++i;
      continue;
    }
    const size_t cmd_line = i + 1;
    Command cmd = ParseCommand(line);
    ASSERT_TRUE(i + 1 < lines.size() && lines[i + 1] == "----")
        << path << ":" << cmd_line << ": expected ---- after the command";
    i += 2;
    std::string want;
    while (i < lines.size() && !lines[i].empty()) want += lines[i++] + "\n";
    std::string got = env.Handle(cmd);
    rewritten += line + "\n----\n" + got;
    if (!rewrite && got != want) {
      ADD_FAILURE() << path << ":" << cmd_line << ": output of `" << line
                    << "` differs (- expected, + actual):\n"
                    << Diff(want, got);
      return;  // later blocks depend on this one
    }
  }
  if (rewrite) {
    std::ofstream out(path, std::ios::trunc);
    out << rewritten;
  }
}

INSTANTIATE_TEST_SUITE_P(Raft, Transcript, ::testing::ValuesIn(TranscriptFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 4);
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace shoal::raft::testing
