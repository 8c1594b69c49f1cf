#include "engine/options.h"

#include <array>
#include <utility>

#include "base/strings.h"

namespace shoal {

namespace {
constexpr std::array<std::pair<EvictionPolicy, std::string_view>, 8> kPolicyNames = {{
    {EvictionPolicy::kNoEviction, "noeviction"},
    {EvictionPolicy::kAllKeysLru, "allkeys-lru"},
    {EvictionPolicy::kAllKeysLfu, "allkeys-lfu"},
    {EvictionPolicy::kAllKeysRandom, "allkeys-random"},
    {EvictionPolicy::kVolatileLru, "volatile-lru"},
    {EvictionPolicy::kVolatileLfu, "volatile-lfu"},
    {EvictionPolicy::kVolatileRandom, "volatile-random"},
    {EvictionPolicy::kVolatileTtl, "volatile-ttl"},
}};
}  // namespace

std::string_view EvictionPolicyName(EvictionPolicy p) {
  for (const auto& [policy, name] : kPolicyNames) {
    if (policy == p) return name;
  }
  return "noeviction";
}

bool ParseEvictionPolicy(std::string_view name, EvictionPolicy* out) {
  for (const auto& [policy, policy_name] : kPolicyNames) {
    if (EqualsIgnoreCase(policy_name, name)) {
      *out = policy;
      return true;
    }
  }
  return false;
}

}  // namespace shoal
