#include "commands/zset_range.h"

#include <cmath>

#include "base/strings.h"

namespace shoal {

std::optional<ScoreBound> ParseScoreBound(std::string_view s) {
  ScoreBound b;
  if (!s.empty() && s[0] == '(') {
    b.exclusive = true;
    s.remove_prefix(1);
  }
  std::optional<double> v = ParseDouble(s);
  if (!v) return std::nullopt;
  b.value = *v;
  return b;
}

std::optional<LexBound> ParseLexBound(std::string_view s) {
  LexBound b;
  if (s == "-") {
    b.kind = LexBound::Kind::kMin;
  } else if (s == "+") {
    b.kind = LexBound::Kind::kMax;
  } else if (!s.empty() && (s[0] == '[' || s[0] == '(')) {
    b.exclusive = s[0] == '(';
    b.value = std::string(s.substr(1));
  } else {
    return std::nullopt;
  }
  return b;
}

namespace {
// Whether `member` is above the lower bound (at or past it) / below the upper bound.
bool AboveMin(std::string_view member, const LexBound& min) {
  if (min.kind == LexBound::Kind::kMin) return true;
  if (min.kind == LexBound::Kind::kMax) return false;
  return min.exclusive ? member > min.value : member >= min.value;
}
bool PastMax(std::string_view member, const LexBound& max) {
  if (max.kind == LexBound::Kind::kMax) return false;
  if (max.kind == LexBound::Kind::kMin) return true;
  return max.exclusive ? member >= max.value : member > max.value;
}
RankSpan Between(size_t first, size_t end) { return {first, end > first ? end - first : 0}; }
}  // namespace

RankSpan ScoreSpan(const ZSetObject& z, const ScoreBound& min, const ScoreBound& max) {
  const size_t first = z.LowerBound(
      [&](ZElement e) { return min.exclusive ? e.score > min.value : e.score >= min.value; });
  const size_t end = z.LowerBound(
      [&](ZElement e) { return max.exclusive ? e.score >= max.value : e.score > max.value; });
  return Between(first, end);
}

RankSpan LexSpan(const ZSetObject& z, const LexBound& min, const LexBound& max) {
  // Lex ranges assume equal scores (as Redis); the members are then in byte order.
  const size_t first = z.LowerBound([&](ZElement e) { return AboveMin(e.member, min); });
  const size_t end = z.LowerBound([&](ZElement e) { return PastMax(e.member, max); });
  return Between(first, end);
}

}  // namespace shoal
