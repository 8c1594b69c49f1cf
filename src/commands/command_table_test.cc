// The command table is data: these checks keep every entry well-formed. A handler without an
// entry cannot exist unnoticed: handlers live in anonymous namespaces, so an unreferenced one
// fails the build (-Werror=unused-function).
#include "commands/command_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace shoal {
namespace {

TEST(CommandTable, EveryEntryHasExactlyOneHandler) {
  for (const CommandSpec* spec : CommandTable::Get().all()) {
    EXPECT_NE(spec->shard_handler == nullptr, spec->coord_handler == nullptr) << spec->name;
  }
}

TEST(CommandTable, NamesAreLowerCaseAndUnique) {
  std::set<std::string> seen;
  for (const CommandSpec* spec : CommandTable::Get().all()) {
    std::string name(spec->name);
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
    EXPECT_TRUE(seen.insert(name).second) << "duplicate " << name;
    EXPECT_EQ(CommandTable::Get().Find(name), spec);
    EXPECT_NE(spec->arity, 0) << name;
    EXPECT_FALSE(spec->summary.empty()) << name;
    EXPECT_FALSE(spec->group.empty()) << name;
    EXPECT_FALSE(spec->since.empty()) << name;
  }
}

TEST(CommandTable, ShardHandlersHaveExactlyOneKey) {
  // The dispatcher routes a shard handler by its first key; a second key could live elsewhere.
  for (const CommandSpec* spec : CommandTable::Get().all()) {
    if (spec->shard_handler == nullptr) continue;
    EXPECT_GT(spec->first_key, 0) << spec->name;
    EXPECT_EQ(spec->first_key, spec->last_key) << spec->name;
  }
}

TEST(CommandTable, ReadAndWriteFlagsAreExclusive) {
  for (const CommandSpec* spec : CommandTable::Get().all()) {
    EXPECT_FALSE((spec->flags & kCmdWrite) && (spec->flags & kCmdReadOnly)) << spec->name;
    if (spec->flags & kCmdDenyOom) {
      EXPECT_TRUE(spec->flags & kCmdWrite) << spec->name;
    }
  }
}

TEST(CommandTable, LookupIsCaseInsensitive) {
  EXPECT_NE(CommandTable::Get().Find("GeT"), nullptr);
  EXPECT_EQ(CommandTable::Get().Find("nosuchcommand"), nullptr);
  EXPECT_EQ(CommandTable::Get().Find(std::string(100, 'g')), nullptr);
}

TEST(CommandTable, KeyPositions) {
  const CommandSpec* mset = CommandTable::Get().Find("mset");
  ASSERT_NE(mset, nullptr);
  EXPECT_EQ(CommandTable::KeyPositions(*mset, 5), (std::vector<size_t>{1, 3}));
  const CommandSpec* get = CommandTable::Get().Find("get");
  EXPECT_EQ(CommandTable::KeyPositions(*get, 2), (std::vector<size_t>{1}));
  const CommandSpec* ping = CommandTable::Get().Find("ping");
  EXPECT_TRUE(CommandTable::KeyPositions(*ping, 1).empty());
}

}  // namespace
}  // namespace shoal
