// Plain data of the Raft state machine: log entries, persistent and volatile state,
// snapshots, membership and the messages nodes exchange (docs/raft.md §2).
// Thread-safety: plain values; safe to move between threads.
// DO NOT renumber the enums: their values are sent between nodes and written to disk. Every
// struct that is persisted or sent carries `version` (kRaftFormatVersion).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shoal::raft {

using NodeId = uint64_t;
inline constexpr NodeId kNone = 0;
inline constexpr uint32_t kRaftFormatVersion = 1;

enum class EntryType : uint8_t { kNormal = 0, kConfChange = 1 };

// One log entry. Invariant: index >= 1 and term >= 1 for every entry in a log.
struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;

  bool operator==(const Entry&) const = default;
};

// What must be durable before any message of the same Ready is sent.
struct HardState {
  uint32_t version = kRaftFormatVersion;
  uint64_t term = 0;
  NodeId vote = kNone;
  uint64_t commit = 0;

  bool Empty() const { return term == 0 && vote == kNone && commit == 0; }
  bool operator==(const HardState&) const = default;
};

enum class StateRole : uint8_t {
  kFollower = 0,
  kCandidate = 1,
  kLeader = 2,
  kPreCandidate = 3,
};

// Volatile state, reported for information; never persisted.
struct SoftState {
  NodeId lead = kNone;
  StateRole role = StateRole::kFollower;

  bool operator==(const SoftState&) const = default;
};

// The voting membership. Invariant: voters is sorted and has no duplicates.
struct ConfState {
  uint32_t version = kRaftFormatVersion;
  std::vector<NodeId> voters;

  bool operator==(const ConfState&) const = default;
};

struct SnapshotMetadata {
  ConfState conf_state;
  uint64_t index = 0;
  uint64_t term = 0;

  bool operator==(const SnapshotMetadata&) const = default;
};

// The application's state as of metadata.index (inclusive). Empty when index == 0.
struct Snapshot {
  uint32_t version = kRaftFormatVersion;
  std::string data;
  SnapshotMetadata metadata;

  bool Empty() const { return metadata.index == 0; }
  bool operator==(const Snapshot&) const = default;
};

enum class ConfChangeType : uint8_t { kAddNode = 0, kRemoveNode = 1 };

// A one-node membership change, carried in an Entry of type kConfChange.
struct ConfChange {
  uint32_t version = kRaftFormatVersion;
  ConfChangeType type = ConfChangeType::kAddNode;
  NodeId node_id = kNone;
  std::string context;

  bool operator==(const ConfChange&) const = default;
};

// Layout (little-endian): u32 version, u8 type, u64 node_id, then the context bytes.
std::string EncodeConfChange(const ConfChange& cc);
Result<ConfChange> DecodeConfChange(std::string_view data);

enum class MessageType : uint8_t {
  kHup = 0,
  kBeat = 1,
  kProp = 2,
  kApp = 3,
  kAppResp = 4,
  kVote = 5,
  kVoteResp = 6,
  kSnap = 7,
  kHeartbeat = 8,
  kHeartbeatResp = 9,
  kUnreachable = 10,
  kSnapStatus = 11,
  kCheckQuorum = 12,
  kTransferLeader = 13,
  kTimeoutNow = 14,
  kReadIndex = 15,
  kReadIndexResp = 16,
  kPreVote = 17,
  kPreVoteResp = 18,
};

// One message between nodes (or a local input). Field meanings per type: docs/raft.md §2.
struct Message {
  uint32_t version = kRaftFormatVersion;
  MessageType type = MessageType::kHup;
  NodeId to = kNone;
  NodeId from = kNone;
  uint64_t term = 0;
  uint64_t log_term = 0;
  uint64_t index = 0;
  std::vector<Entry> entries;
  uint64_t commit = 0;
  std::optional<Snapshot> snapshot;
  bool reject = false;
  uint64_t reject_hint = 0;
  std::string context;

  bool operator==(const Message&) const = default;
};

// A completed ReadIndex request: linearizable once the applied index reaches `index`.
struct ReadState {
  uint64_t index = 0;
  std::string request_ctx;

  bool operator==(const ReadState&) const = default;
};

// True for messages that only the local node produces (never sent over the network).
bool IsLocalMessage(MessageType t);
// True for the responses a node sends back (AppResp, VoteResp, ...).
bool IsResponseMessage(MessageType t);
// The response type for a (Pre)Vote request.
MessageType VoteResponseType(MessageType t);

std::string_view MessageTypeName(MessageType t);
std::string_view StateRoleName(StateRole r);

// Human-readable forms used by logs and transcript tests.
std::string DescribeEntry(const Entry& e);
std::string DescribeEntries(const std::vector<Entry>& es);
std::string DescribeMessage(const Message& m);
std::string DescribeHardState(const HardState& hs);
std::string DescribeConfState(const ConfState& cs);
std::string DescribeSnapshot(const Snapshot& s);
std::string DescribeConfChange(const ConfChange& cc);

}  // namespace shoal::raft
