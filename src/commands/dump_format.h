// The DUMP/RESTORE payload: Shoal's own versioned serialization of one value
// (docs/dump-format.md). Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "core/entry.h"
#include "engine/options.h"

namespace shoal {

// DO NOT CHANGE: the version is embedded in payloads clients keep.
inline constexpr uint16_t kDumpFormatVersion = 1;

std::string EncodeDump(const Entry* e);
// A new entry named `key` from `payload`, or the Redis error text for a bad payload.
// Collections take the representation the options' limits allow, as if built by commands.
Result<Entry*> DecodeDump(std::string_view key, std::string_view payload,
                          const EngineOptions& options);

}  // namespace shoal
