// CommandTable: every command Shoal knows, as data. Families contribute their entries
// (string_family.cc, hash_family.cc, keys_family.cc, server_family.cc, connection_family.cc,
// introspection_family.cc); COMMAND, the dispatcher's arity checks and key extraction all
// read this one table.
// Built once at start-up; read-only afterwards, so any thread may read it.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"

namespace shoal {

class CommandTable {
 public:
  // The table of all families.
  static const CommandTable& Get();

  // Case-insensitive lookup; nullptr when unknown.
  const CommandSpec* Find(std::string_view name) const;
  std::span<const CommandSpec* const> all() const { return all_; }

  // Positions of the key arguments of `args` under `spec` (first/last/step).
  static std::vector<size_t> KeyPositions(const CommandSpec& spec, size_t argc);
  // Names of the flags set in `flags`, as Redis spells them ("write", "readonly", ...).
  static std::vector<std::string_view> FlagNames(uint32_t flags);

  explicit CommandTable(std::span<const std::span<const CommandSpec>> families);

 private:
  // Keys view the specs' names, which are static.
  boost::unordered_flat_map<std::string_view, const CommandSpec*> by_name_;
  std::vector<const CommandSpec*> all_;
};

// Each family's entries (defined in its *_family.cc).
std::span<const CommandSpec> StringFamily();
std::span<const CommandSpec> KeysFamily();
std::span<const CommandSpec> ServerFamily();
std::span<const CommandSpec> ConnectionFamily();
std::span<const CommandSpec> IntrospectionFamily();
std::span<const CommandSpec> HashFamily();
std::span<const CommandSpec> BitmapFamily();
std::span<const CommandSpec> BitFieldFamily();
std::span<const CommandSpec> HllFamily();
std::span<const CommandSpec> GeoFamily();
std::span<const CommandSpec> ZSetFamily();
std::span<const CommandSpec> ZSetMultiKeyFamily();
std::span<const CommandSpec> ZSetBlockingFamily();
std::span<const CommandSpec> ListFamily();
std::span<const CommandSpec> SetFamily();
std::span<const CommandSpec> MultiFamily();

}  // namespace shoal
