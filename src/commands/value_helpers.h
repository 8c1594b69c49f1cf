// Helpers shared by command families for values stored in a Db. Shard-thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "commands/command.h"
#include "commands/reply.h"
#include "core/entry.h"
#include "engine/db.h"
#include "engine/transaction.h"

namespace shoal {

// Looks up `key` for a command on values of `type` (FindForRead, or FindForWrite when
// for_write): nullptr when missing; when the key holds another type, writes WRONGTYPE, sets
// *bad and returns nullptr.
Entry* FindTyped(Db& db, std::string_view key, int64_t now_ms, ValueType type, ReplySink& out,
                 bool* bad, bool for_write = false);

// The arguments of SCAN, HSCAN, SSCAN and ZSCAN: cursor [MATCH pattern] [COUNT count]
// [TYPE type] [NOVALUES].
struct ScanArgs {
  uint64_t cursor = 0;
  std::string_view pattern;  // empty: everything (MATCH * too)
  int64_t count = 10;
  std::string_view type;  // SCAN only
  bool novalues = false;  // HSCAN only
};
enum class ScanKind { kKeys, kHash, kMembers };
// Parses args[cursor_index..]; on a bad argument writes Redis's error and returns nullopt.
std::optional<ScanArgs> ParseScanArgs(CmdArgs args, size_t cursor_index, ScanKind kind,
                                      ReplySink& out);

// Keeps a Db's memory accounting right across changes to the Object of `e`, and deletes the
// key when they left the collection empty (Redis never keeps an empty collection). Reads
// need it too (write = false): they may delete expired hash fields; a read counts as a
// modification (for WATCH) only when it removed elements. `e` must not be used after the
// scope.
class ObjectChange {
 public:
  ObjectChange(Db& db, Entry* e, bool write = true)
      : db_(db), e_(e), before_(e->MemoryBytes()), length_(e->object()->Length()), write_(write) {}
  ~ObjectChange();
  ObjectChange(const ObjectChange&) = delete;
  ObjectChange& operator=(const ObjectChange&) = delete;

 private:
  Db& db_;
  Entry* e_;
  size_t before_;
  size_t length_;
  bool write_;
};

// The first part of a command moving an element between two keys of type `type` (SMOVE,
// LMOVE), run on both keys' shards under `tx` (locked; its locks are kept): *src_exists, and
// *wrong_type when either key holds another type. on_source(Entry*) sees the source when it
// has the right type.
boost::asio::awaitable<void> CheckMoveKeys(CommandContext& ctx, Transaction& tx,
                                           std::string_view src, std::string_view dst,
                                           ValueType type,
                                           const std::function<void(Entry*)>& on_source,
                                           bool* src_exists, bool* wrong_type);

// Runs visit(i, entry) on its shard for every keys[i] that exists (in the client's db), under
// `tx` (locked or single-shard; the locks are kept for a later part).
boost::asio::awaitable<void> VisitKeys(CommandContext& ctx, Transaction& tx,
                                       std::span<const std::string_view> keys,
                                       const std::function<void(size_t, Entry*)>& visit);

// LMPOP and ZMPOP: "numkeys key... WHERE [COUNT count]", WHERE being `first` or `second`
// (LEFT/RIGHT, MIN/MAX). Writes Redis's error and returns nullopt when malformed.
struct MPopArgs {
  std::span<const std::string_view> keys;
  bool second = false;  // WHERE was the second word
  size_t count = 1;
};
std::optional<MPopArgs> ParseMPopArgs(CmdArgs args, std::string_view first, std::string_view second,
                                      ReplySink& out);
// The "[LIMIT limit]" tail of SINTERCARD and ZINTERCARD, args[from..]: the limit, 0 = none
// (the last one wins, as in Redis). Writes Redis's error and returns nullopt when malformed.
std::optional<size_t> ParseInterCardLimit(CmdArgs args, size_t from, ReplySink& out);
// Locks every key, then finds the first that exists: when it holds `type`, runs pop(db, e)
// on its shard and returns the key; when another type, sets *wrong_type. nullopt: none exists.
boost::asio::awaitable<std::optional<std::string_view>> PopFromFirst(
    CommandContext& ctx, std::span<const std::string_view> keys, ValueType type,
    const std::function<void(Db&, Entry*)>& pop, bool* wrong_type);
// The same under the caller's `tx` (its keys locked exclusively); the locks are kept.
boost::asio::awaitable<std::optional<std::string_view>> PopFromFirstLocked(
    CommandContext& ctx, Transaction& tx, std::span<const std::string_view> keys, ValueType type,
    const std::function<void(Db&, Entry*)>& pop, bool* wrong_type);

// Elements [first, first + count) of a list or sorted set, by position.
struct RankSpan {
  size_t first = 0;
  size_t count = 0;
};
// Redis's index range rule (LRANGE, LTRIM, ZRANGE): negative indexes count from the end, the
// range is clamped to the length, and selects nothing (count 0) when start > stop.
RankSpan IndexSpan(int64_t start, int64_t stop, size_t length);

// Redis's TYPE names.
std::string_view TypeName(ValueType type);

// Redis's OBJECT ENCODING names.
std::string_view EncodingName(const Entry* e);

// A new entry named `key` holding a copy of `e`'s value and memcached flags (RENAME, COPY,
// MOVE). `e` is untouched.
Entry* CloneWithKey(const Entry* e, std::string_view key);

// Stores string `value` at `key`, creating or overwriting `existing` (which may be any type);
// an overwritten memcached item keeps its item block, with flags 0 and a new CAS unique.
// expire_at_ms: > 0 sets a deadline, 0 clears it, -1 keeps the current one (KEEPTTL).
// allow_int = false stores even an integer-looking value as bytes (INCRBYFLOAT).
Entry* StoreString(Db& db, Entry* existing, std::string_view key, std::string_view value,
                   int64_t expire_at_ms, int64_t now_ms, bool allow_int = true);

// An int argument as Redis's getIntFromObjectOrReply: writes "value is not an integer or out
// of range" or "value is out of range, value must between ..." and returns nullopt on failure.
std::optional<int> ParseIntArg(std::string_view arg, ReplySink& out);

// "[count [WITH<x>]]" of HRANDFIELD (`with` = "withvalues") and ZRANDMEMBER ("withscores"),
// args[2..], with Redis's errors in its order: the count must be a long but not LONG_MIN,
// and with `with` its double must not overflow. Writes the error and returns nullopt.
struct RandomCountArgs {
  std::optional<int64_t> count;  // none: one element, not an array
  bool with = false;
};
std::optional<RandomCountArgs> ParseRandomCountArgs(CmdArgs args, std::string_view with,
                                                    ReplySink& out);

}  // namespace shoal
