// KvClients: the simulated clients of RaftSim's replicated KV store, and the history they
// record for the linearizability check (linearizability.h).
//
// Each client has at most one operation outstanding. When its think time is over it picks an
// operation (read, write of a value never written before, or compare-and-set from the last
// value written to the key), a key, and a node: the one it believes leads, sometimes a random
// one (so followers forward proposals and ReadIndex requests too). RaftSim's `Submit` hands
// the request to that node; a node that is down or knows no leader refuses it (the operation
// never happened and is not recorded; the client retries next tick). Either way the client
// then believes in the leader that node names. An accepted operation is answered by the node
// it was sent to:
//   write, cas, log read:  when that node applies the entry carrying (client, request);
//   ReadIndex read:        when that node's applied index reaches the read index it got;
//   unsafe local read:     at once, from that node's state (deliberate bugs, for tests).
// It is left without a response (may or may not have taken effect) when that node crashes or
// follows another leader than when it accepted, when `timeout_ticks` pass, or when the run
// ends.
//
// History times are tick * kEventsPerTick + the order of the event within the tick, so the
// checker sees the exact real-time order of events that happen in the same tick.
//
// Thread-safety: one owner (the simulator's thread).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "raft/rand.h"
#include "raft/types.h"
#include "sim/kv_state_machine.h"
#include "sim/linearizability.h"

namespace shoal::sim {

enum class ReadMode : uint8_t {
  kReadIndex,  // RawNode::ReadIndex, answered once applied >= the read index
  kLog,        // a read command through the log, answered when applied
  // Deliberate bugs, to show the check catches them; both are NOT linearizable:
  kLocalUnsafe,   // any node answers from its local state at once
  kLeaderUnsafe,  // a node that believes it leads answers from its local state at once
};

struct ClientOptions {
  int clients = 4;  // at most kEventsPerTick / 2
  int keys = 3;
  ReadMode reads = ReadMode::kReadIndex;
  uint64_t timeout_ticks = 40;
};

// A client's request as handed to a node.
struct ClientRequest {
  raft::NodeId node = raft::kNone;
  KvCommand cmd;
  ReadMode reads = ReadMode::kReadIndex;  // how a read (cmd.kind == kRead) is served

  bool UsesLog() const { return cmd.kind != OpKind::kRead || reads == ReadMode::kLog; }
  bool LocalRead() const {
    return !UsesLog() && (reads == ReadMode::kLocalUnsafe || reads == ReadMode::kLeaderUnsafe);
  }
  // The ReadIndex request context: unique per (client, request).
  std::string ReadContext() const;
};

// A node's answer to a submitted request.
struct Admission {
  bool accepted = false;
  raft::NodeId leader_hint = raft::kNone;  // the leader the node knows, if any
};

class KvClients {
 public:
  static constexpr uint64_t kEventsPerTick = 100;

  using Submit = std::function<Admission(const ClientRequest&)>;
  using TraceFn = std::function<void(const std::string&)>;

  KvClients(const ClientOptions& options, int nodes, TraceFn trace);

  // Gives up on requests past their deadline; then, when `invoke`, every idle client whose
  // think time is over sends its next operation through `submit`.
  void Tick(uint64_t now, raft::Rng& rng, bool invoke, const Submit& submit);

  // Node events, reported by the simulator as they happen.
  void OnReadState(raft::NodeId node, const raft::ReadState& rs);
  void OnApplied(raft::NodeId node, const KvCommand& cmd, const KvResult& res, uint64_t now);
  // `node` has applied through `applied` and its state is `kv`: answers due reads.
  void OnProgress(raft::NodeId node, uint64_t applied, const KvStateMachine& kv, uint64_t now);
  // `node` crashed: its outstanding requests get no response.
  void OnCrash(raft::NodeId node, uint64_t now);
  // `node` now follows `lead`: its requests accepted under another leader get no response.
  void OnLeaderChange(raft::NodeId node, raft::NodeId lead, uint64_t now);
  // The run is over: every outstanding request is left without a response.
  void Finish(uint64_t now);

  std::vector<Operation> History() const { return history_.History(); }
  uint64_t completed() const { return completed_; }
  uint64_t unanswered() const { return unanswered_; }

 private:
  struct Pending {
    ClientRequest req;
    size_t op = 0;  // HistoryRecorder id
    uint64_t deadline = 0;
    raft::NodeId leader = raft::kNone;  // the node's leader when it accepted the request
    // Set once the read may be served: the ReadIndex answer (0 for an unsafe local read).
    std::optional<uint64_t> read_index;
    uint64_t think = 0;  // ticks to wait after the answer before the next operation
  };
  struct Client {
    uint64_t id = 0;
    uint64_t next_request = 1;
    raft::NodeId guess = raft::kNone;  // the node believed to lead; kNone: pick one at random
    uint64_t next_invoke = 0;          // tick
    std::optional<Pending> pending;
  };

  void Invoke(Client& c, uint64_t now, raft::Rng& rng, const Submit& submit);
  void Respond(Client& c, const KvResult& res, uint64_t now);
  void Abandon(Client& c, uint64_t now, const char* why);
  uint64_t Stamp(uint64_t now);

  ClientOptions opt_;
  int nodes_;
  TraceFn trace_;
  std::vector<Client> clients_;
  HistoryRecorder history_;
  std::vector<std::string> last_written_;  // per key: the last value sent by any write or cas
  uint64_t next_value_ = 1;
  uint64_t stamp_tick_ = 0;
  uint64_t stamp_seq_ = 0;
  uint64_t completed_ = 0;
  uint64_t unanswered_ = 0;
};

}  // namespace shoal::sim
