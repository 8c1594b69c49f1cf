// Number parsing and formatting with Redis's exact rules, and glob matching.
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal {

// A strict int64: optional '-', digits, no leading zeros (except "0"), no spaces, no '+',
// in range. As Redis's string2ll: this is also the test for "integer encodable".
std::optional<int64_t> ParseInt64(std::string_view s);

// A double as Redis's string2ld/strtold checks: the whole string, no spaces, not NaN.
// Accepts "inf", "-inf", "+inf" (case-insensitive) as strtold does.
std::optional<long double> ParseLongDouble(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

std::string FormatInt64(int64_t v);
// Human-friendly long double as Redis's INCRBYFLOAT ("%.17Lf", trailing zeros trimmed).
std::string FormatLongDoubleHuman(long double v);
// A double as Redis 7.0 replies it ("%.17g", "inf", "-inf", "nan").
std::string FormatDouble(double v);

// Glob-style match as Redis's stringmatchlen: * ? [abc] [^a] [a-z] and \ escapes.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

// ASCII lower-casing.
std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace shoal
