// Helpers shared by command families for values stored in a Db. Shard-thread only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "commands/reply.h"
#include "core/entry.h"
#include "engine/db.h"

namespace shoal {

// Redis's TYPE names.
std::string_view TypeName(ValueType type);

// Redis's OBJECT ENCODING names.
std::string_view EncodingName(const Entry* e);

// A new entry named `key` holding a copy of `e`'s value (RENAME, COPY, MOVE). `e` is untouched.
Entry* CloneWithKey(const Entry* e, std::string_view key);

// Stores string `value` at `key`, creating or overwriting `existing` (which may be any type).
// expire_at_ms: > 0 sets a deadline, 0 clears it, -1 keeps the current one (KEEPTTL).
// allow_int = false stores even an integer-looking value as bytes (INCRBYFLOAT).
Entry* StoreString(Db& db, Entry* existing, std::string_view key, std::string_view value,
                   int64_t expire_at_ms, int64_t now_ms, bool allow_int = true);

// An int argument as Redis's getIntFromObjectOrReply: writes "value is not an integer or out
// of range" or "value is out of range, value must between ..." and returns nullopt on failure.
std::optional<int> ParseIntArg(std::string_view arg, ReplySink& out);

}  // namespace shoal
