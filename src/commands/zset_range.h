// Parsing and selecting the ranges of the sorted set commands (ZRANGE and its older forms,
// ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*): score ranges "(1.5" / "-inf", lex ranges "[a" / "(a" /
// "-" / "+", and rank ranges, resolved to ranks of a ZSetObject. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace shoal
