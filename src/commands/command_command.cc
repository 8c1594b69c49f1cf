// COMMAND [COUNT | INFO | DOCS | LIST | GETKEYS | GETKEYSANDFLAGS | HELP]: the command table
// (CommandTable) as Redis 7.0 reports it. Reads only the immutable table; runs on the
// connection's thread.
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "commands/command_table.h"
#include "commands/introspection_commands.h"
#include "commands/subcommands.h"

namespace shoal {
namespace {

using Awaitable = boost::asio::awaitable<void>;

std::vector<std::string_view> AclCategories(const CommandSpec& spec) {
  std::vector<std::string_view> out;
  std::string_view s = spec.acl_categories;
  while (!s.empty()) {
    size_t space = s.find(' ');
    std::string_view word = s.substr(0, space);
    if (!word.empty()) out.push_back(word);
    if (space == std::string_view::npos) break;
    s.remove_prefix(space + 1);
  }
  return out;
}

// Key-spec flags Redis would give the command's keys, derived from the command flags (the
// table has no per-key data): deleting commands remove, other writes update, reads access.
std::vector<std::string_view> KeySpecFlags(const CommandSpec& spec) {
  if (spec.name == "del" || spec.name == "unlink" || spec.name == "getdel") {
    return {"RM", "delete"};
  }
  if (spec.flags & kCmdWrite) return {"RW", "update"};
  return {"RO", "access"};
}

void ReplyFlagSet(ReplySink* out, const std::vector<std::string_view>& flags) {
  out->SetHeader(flags.size());
  for (std::string_view f : flags) out->SimpleString(f);
}

// One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specs, subcommands.
void ReplyCommandInfo(ReplySink* out, const CommandSpec& spec) {
  out->ArrayHeader(10);
  out->Bulk(spec.name);
  out->Integer(spec.arity);
  ReplyFlagSet(out, CommandTable::FlagNames(spec.flags));
  out->Integer(spec.first_key);
  out->Integer(spec.last_key);
  out->Integer(spec.key_step);
  ReplyFlagSet(out, AclCategories(spec));
  out->SetHeader(0);  // tips
  if (spec.first_key <= 0) {
    out->SetHeader(0);
  } else {
    // One key spec: begin_search at the first key, find_keys as a range from there.
    out->SetHeader(1);
    out->MapHeader(3);
    out->Bulk("flags");
    ReplyFlagSet(out, KeySpecFlags(spec));
    out->Bulk("begin_search");
    out->MapHeader(2);
    out->Bulk("type");
    out->Bulk("index");
    out->Bulk("spec");
    out->MapHeader(1);
    out->Bulk("index");
    out->Integer(spec.first_key);
    out->Bulk("find_keys");
    out->MapHeader(2);
    out->Bulk("type");
    out->Bulk("range");
    out->Bulk("spec");
    out->MapHeader(3);
    out->Bulk("lastkey");
    out->Integer(spec.last_key < 0 ? spec.last_key : spec.last_key - spec.first_key);
    out->Bulk("keystep");
    out->Integer(spec.key_step);
    out->Bulk("limit");
    out->Integer(0);
  }
  out->SetHeader(0);  // subcommands
}

// COMMAND with no subcommand: every command's info.
Awaitable CommandAll(CommandContext& ctx) {
  auto all = CommandTable::Get().all();
  ctx.out->ArrayHeader(all.size());
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx.out, *spec);
  co_return;
}

Awaitable CommandCount(CommandContext& ctx) {
  ctx.out->Integer(static_cast<int64_t>(CommandTable::Get().all().size()));
  co_return;
}

// COMMAND INFO [name ...]: null for unknown names.
Awaitable CommandInfo(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    co_await CommandAll(ctx);
    co_return;
  }
  ctx.out->ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); i++) {
    const CommandSpec* spec = CommandTable::Get().Find(ctx.args[i]);
    if (spec == nullptr) {
      ctx.out->Null();
    } else {
      ReplyCommandInfo(ctx.out, *spec);
    }
  }
}

// COMMAND DOCS [name ...]: a map name -> {summary, since, group}; unknown names are left out.
Awaitable CommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    auto all = CommandTable::Get().all();
    specs.assign(all.begin(), all.end());
  } else {
    for (size_t i = 2; i < ctx.args.size(); i++) {
      const CommandSpec* spec = CommandTable::Get().Find(ctx.args[i]);
      if (spec != nullptr) specs.push_back(spec);
    }
  }
  ctx.out->MapHeader(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.out->Bulk(spec->name);
    ctx.out->MapHeader(3);
    ctx.out->Bulk("summary");
    ctx.out->Bulk(spec->summary);
    ctx.out->Bulk("since");
    ctx.out->Bulk(spec->since);
    ctx.out->Bulk("group");
    ctx.out->Bulk(spec->group);
  }
  co_return;
}

// COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]
Awaitable CommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view arg;
  if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "filterby")) {
    arg = ctx.args[4];
    if (EqualsIgnoreCase(ctx.args[3], "module")) {
      filter = Filter::kModule;
    } else if (EqualsIgnoreCase(ctx.args[3], "aclcat")) {
      filter = Filter::kAclCat;
    } else if (EqualsIgnoreCase(ctx.args[3], "pattern")) {
      filter = Filter::kPattern;
    } else {
      ctx.out->Error(errors::kSyntax);
      co_return;
    }
  } else if (ctx.args.size() != 2) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  std::vector<std::string_view> names;
  for (const CommandSpec* spec : CommandTable::Get().all()) {
    bool match = true;
    switch (filter) {
      case Filter::kNone:
        break;
      case Filter::kModule:  // no modules
        match = false;
        break;
      case Filter::kAclCat: {
        match = false;
        for (std::string_view cat : AclCategories(*spec)) {
          if (EqualsIgnoreCase(cat.substr(1), arg)) match = true;
        }
        break;
      }
      case Filter::kPattern:
        match = GlobMatch(arg, spec->name, /*nocase=*/true);
        break;
    }
    if (match) names.push_back(spec->name);
  }
  ctx.out->ArrayHeader(names.size());
  for (std::string_view name : names) ctx.out->Bulk(name);
}

// COMMAND GETKEYS / GETKEYSANDFLAGS command [arg ...]: the checks and errors of Redis 7.0.
Awaitable CommandGetKeysGeneric(CommandContext& ctx, bool with_flags) {
  CmdArgs target = ctx.args.subspan(2);
  const CommandSpec* spec = CommandTable::Get().Find(target[0]);
  if (spec == nullptr) {
    ctx.out->Error("ERR Invalid command specified");
    co_return;
  }
  if (spec->first_key <= 0) {
    ctx.out->Error("ERR The command has no key arguments");
    co_return;
  }
  int argc = static_cast<int>(target.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.out->Error("ERR Invalid number of arguments specified for command");
    co_return;
  }
  std::vector<size_t> keys = CommandTable::KeyPositions(*spec, target.size());
  if (keys.empty()) {
    ctx.out->Error("ERR Invalid arguments specified for command");
    co_return;
  }
  ctx.out->ArrayHeader(keys.size());
  for (size_t pos : keys) {
    if (with_flags) {
      ctx.out->ArrayHeader(2);
      ctx.out->Bulk(target[pos]);
      ReplyFlagSet(ctx.out, KeySpecFlags(*spec));
    } else {
      ctx.out->Bulk(target[pos]);
    }
  }
}
Awaitable CommandGetKeys(CommandContext& ctx) { return CommandGetKeysGeneric(ctx, false); }
Awaitable CommandGetKeysAndFlags(CommandContext& ctx) { return CommandGetKeysGeneric(ctx, true); }

Awaitable CommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx.out, "COMMAND",
            {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
             "    Return the total number of commands in this Redis server.", "LIST",
             "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
             "    Return details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "DOCS [<command-name> ...]",
             "    Return documentation details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "GETKEYS <full-command>",
             "    Return the keys from a full Redis command.", "GETKEYSANDFLAGS <full-command>",
             "    Return the keys and the access flags from a full Redis command."});
  co_return;
}

constexpr Subcommand kCommandSubs[] = {
    {"count", 2, CommandCount},      {"info", -2, CommandInfo},
    {"docs", -2, CommandDocs},       {"list", -2, CommandList},
    {"getkeys", -4, CommandGetKeys}, {"getkeysandflags", -4, CommandGetKeysAndFlags},
    {"help", 2, CommandHelp},
};

}  // namespace

namespace introspection {

Awaitable Command(CommandContext& ctx) {
  if (ctx.args.size() == 1) return CommandAll(ctx);
  return RunSubcommand(ctx, kCommandSubs);
}

}  // namespace introspection
}  // namespace shoal
