// Parsing and selecting the ranges of the sorted set commands (ZRANGE and its older forms,
// ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*): score ranges "(1.5" / "-inf", lex ranges "[a" / "(a" /
// "-" / "+", and rank ranges, resolved to ranks of a ZSetObject. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/command.h"
#include "commands/value_helpers.h"
#include "core/zset_object.h"

namespace shoal {

struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};
struct LexBound {
  enum class Kind { kMin, kMax, kValue } kind = Kind::kValue;  // "-", "+", or a value
  std::string value;
  bool exclusive = false;
};

// "ERR min or max is not a float" / "ERR min or max not valid string range item" on failure.
std::optional<ScoreBound> ParseScoreBound(std::string_view s);
std::optional<LexBound> ParseLexBound(std::string_view s);

// Ranks [first, first + count) of the elements within min..max, in ascending order.
RankSpan ScoreSpan(const ZSetObject& z, const ScoreBound& min, const ScoreBound& max);
RankSpan LexSpan(const ZSetObject& z, const LexBound& min, const LexBound& max);

// A ZRANGE-family request: what to select and how to reply.
enum class By { kRank, kScore, kLex };
struct RangeRequest {
  By by = By::kRank;
  bool rev = false;
  bool with_scores = false;
  std::optional<std::pair<int64_t, int64_t>> limit;  // offset, count (negative: all)
  std::string_view min, max;                         // as given (for REV: max first)
};
// The ranks a request selects, in reply order: from `first`, `count` of them, descending
// when `reverse`.
struct Selection {
  size_t first = 0;
  size_t count = 0;
  bool reverse = false;
};

// Parses [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] from args[from..] into `r`
// (`fixed`: the older forms, which take only WITHSCORES and LIMIT; `store`: ZRANGESTORE, no
// WITHSCORES). Writes Redis's error and returns false when malformed.
bool ParseRangeOptions(CmdArgs args, size_t from, bool fixed, bool store, RangeRequest* r,
                       ReplySink& out);
// Resolves `r` on `z` (nullptr: a missing key, which selects nothing); writes the error and
// returns nullopt when a bound is invalid, so Select(nullptr, ...) validates the bounds.
std::optional<Selection> Select(const ZSetObject* z, const RangeRequest& r, ReplySink& out);

}  // namespace shoal
