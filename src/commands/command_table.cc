#include "commands/command_table.h"

#include <array>
#include <utility>

#include "base/strings.h"

namespace shoal {

CommandTable::CommandTable(std::span<const std::span<const CommandSpec>> families) {
  for (std::span<const CommandSpec> family : families) {
    for (const CommandSpec& spec : family) {
      by_name_.emplace(spec.name, &spec);
      all_.push_back(&spec);
    }
  }
}

const CommandTable& CommandTable::Get() {
  static const CommandTable table([] {
    static const std::array<std::span<const CommandSpec>, 16> families = {
        StringFamily(),     HashFamily(),          KeysFamily(),         ServerFamily(),
        ConnectionFamily(), IntrospectionFamily(), MultiFamily(),        SetFamily(),
        ListFamily(),       ZSetFamily(),          ZSetMultiKeyFamily(), ZSetBlockingFamily(),
        BitmapFamily(),     HllFamily(),           GeoFamily(),          BitFieldFamily()};
    return std::span<const std::span<const CommandSpec>>(families);
  }());
  return table;
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[32];
  if (name.size() > sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); i++) {
    char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  auto it = by_name_.find(std::string_view(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<size_t> CommandTable::KeyPositions(const CommandSpec& spec, size_t argc) {
  std::vector<size_t> out;
  if (spec.first_key <= 0 || argc <= static_cast<size_t>(spec.first_key)) return out;
  size_t last = spec.last_key < 0 ? argc + spec.last_key : static_cast<size_t>(spec.last_key);
  if (last >= argc) last = argc - 1;
  size_t step = spec.key_step > 0 ? static_cast<size_t>(spec.key_step) : 1;
  for (size_t i = static_cast<size_t>(spec.first_key); i <= last; i += step) out.push_back(i);
  return out;
}

std::vector<std::string_view> CommandTable::FlagNames(uint32_t flags) {
  static constexpr std::array<std::pair<uint32_t, std::string_view>, 16> kNames = {{
      {kCmdWrite, "write"},
      {kCmdReadOnly, "readonly"},
      {kCmdDenyOom, "denyoom"},
      {kCmdAdmin, "admin"},
      {kCmdPubSub, "pubsub"},
      {kCmdNoScript, "noscript"},
      {kCmdBlocking, "blocking"},
      {kCmdLoading, "loading"},
      {kCmdStale, "stale"},
      {kCmdSkipMonitor, "skip_monitor"},
      {kCmdSkipSlowlog, "skip_slowlog"},
      {kCmdFast, "fast"},
      {kCmdNoAuth, "no_auth"},
      {kCmdMayReplicate, "may_replicate"},
      {kCmdNoMulti, "no_multi"},
      {kCmdAllowBusy, "allow_busy"},
  }};
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) out.push_back(name);
  }
  return out;
}

}  // namespace shoal
