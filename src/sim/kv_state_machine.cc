#include "sim/kv_state_machine.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace shoal::sim {
namespace {

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = s.find(' ', i);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string KvCommand::Encode() const {
  switch (kind) {
    case OpKind::kRead:
      return fmt::format("{} {} r {}", client, request, key);
    case OpKind::kWrite:
      return fmt::format("{} {} w {} {}", client, request, key, value);
    case OpKind::kCas:
      return fmt::format("{} {} c {} {} {}", client, request, key, expected, value);
  }
  return "";
}

std::optional<KvCommand> KvCommand::Decode(std::string_view data) {
  std::vector<std::string_view> w = Words(data);
  if (w.size() < 4) return std::nullopt;
  auto client = ParseU64(w[0]);
  auto request = ParseU64(w[1]);
  if (!client || !request) return std::nullopt;
  KvCommand cmd;
  cmd.client = *client;
  cmd.request = *request;
  cmd.key = w[3];
  if (w[2] == "r" && w.size() == 4) {
    cmd.kind = OpKind::kRead;
  } else if (w[2] == "w" && w.size() == 5) {
    cmd.kind = OpKind::kWrite;
    cmd.value = w[4];
  } else if (w[2] == "c" && w.size() == 6) {
    cmd.kind = OpKind::kCas;
    cmd.expected = w[4];
    cmd.value = w[5];
  } else {
    return std::nullopt;
  }
  return cmd;
}

KvResult KvStateMachine::Apply(const KvCommand& cmd) {
  KvResult res;
  uint64_t& last = last_request_[cmd.client];
  if (cmd.request <= last) {
    res.duplicate = true;
    return res;
  }
  last = cmd.request;
  switch (cmd.kind) {
    case OpKind::kRead:
      res.read = Get(cmd.key);
      break;
    case OpKind::kWrite:
      registers_[cmd.key] = cmd.value;
      break;
    case OpKind::kCas: {
      auto it = registers_.find(cmd.key);
      if (it != registers_.end() && it->second == cmd.expected) {
        it->second = cmd.value;
        res.swapped = true;
      }
      break;
    }
  }
  return res;
}

std::optional<std::string> KvStateMachine::Get(const std::string& key) const {
  auto it = registers_.find(key);
  if (it == registers_.end()) return std::nullopt;
  return it->second;
}

std::string KvStateMachine::Encode() const {
  std::string out;
  for (const auto& [key, value] : registers_) out += fmt::format("k {} {}\n", key, value);
  for (const auto& [client, request] : last_request_) {
    out += fmt::format("s {} {}\n", client, request);
  }
  return out;
}

std::optional<KvStateMachine> KvStateMachine::Decode(std::string_view data) {
  KvStateMachine sm;
  while (!data.empty()) {
    size_t end = data.find('\n');
    if (end == std::string_view::npos) return std::nullopt;  // every line ends with '\n'
    std::vector<std::string_view> w = Words(data.substr(0, end));
    data.remove_prefix(end + 1);
    if (w.size() != 3) return std::nullopt;
    if (w[0] == "k") {
      sm.registers_.emplace(w[1], w[2]);
    } else if (w[0] == "s") {
      auto client = ParseU64(w[1]);
      auto request = ParseU64(w[2]);
      if (!client || !request) return std::nullopt;
      sm.last_request_[*client] = *request;
    } else {
      return std::nullopt;
    }
  }
  return sm;
}

}  // namespace shoal::sim
