// KvStateMachine: the simulator's replicated application, a map of registers driven by the
// applied Raft log. A command (read, write, compare-and-set) is the data of one log entry and
// carries the client id and request id that issued it.
//
// At-most-once: the network may duplicate a forwarded proposal, so the same command can be
// committed twice. Like a Raft thesis §6.3 client session, the machine remembers the highest
// request id applied per client and skips any command at or below it (a client has one request
// outstanding and numbers them upwards, so a late duplicate can never overwrite a newer write).
//
// Thread-safety: one owner; plain values. Every node applying the same log reaches the same
// state, and Encode() of equal states is byte-identical (it is the snapshot data).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sim/linearizability.h"

namespace shoal::sim {

// Keys and values are single words: no spaces or newlines.
struct KvCommand {
  uint64_t client = 0;
  uint64_t request = 0;
  OpKind kind = OpKind::kRead;
  std::string key;
  std::string value;     // kWrite, kCas: the new value
  std::string expected;  // kCas

  // "<client> <request> r <key>" | "... w <key> <value>" | "... c <key> <expected> <value>".
  std::string Encode() const;
  static std::optional<KvCommand> Decode(std::string_view data);
};

struct KvResult {
  bool duplicate = false;           // skipped: the client's session had already applied it
  std::optional<std::string> read;  // kRead: the value, nullopt when the key has none
  bool swapped = false;             // kCas
};

class KvStateMachine {
 public:
  KvResult Apply(const KvCommand& cmd);
  std::optional<std::string> Get(const std::string& key) const;

  // Lines "k <key> <value>" then "s <client> <last request>", in key order; "" when empty.
  std::string Encode() const;
  static std::optional<KvStateMachine> Decode(std::string_view data);

 private:
  std::map<std::string, std::string> registers_;
  std::map<uint64_t, uint64_t> last_request_;  // client -> highest request id applied
};

}  // namespace shoal::sim
