#include "raft/types.h"

#include <fmt/format.h>

namespace shoal::raft {
namespace {

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
  return v;
}

constexpr size_t kConfChangeHeaderSize = 4 + 1 + 8;

}  // namespace

std::string EncodeConfChange(const ConfChange& cc) {
  std::string out;
  out.reserve(kConfChangeHeaderSize + cc.context.size());
  PutFixed(&out, cc.version, 4);
  PutFixed(&out, static_cast<uint8_t>(cc.type), 1);
  PutFixed(&out, cc.node_id, 8);
  out.append(cc.context);
  return out;
}

Result<ConfChange> DecodeConfChange(std::string_view data) {
  if (data.size() < kConfChangeHeaderSize) return Status::Error("raft: conf change too short");
  ConfChange cc;
  cc.version = static_cast<uint32_t>(GetFixed(data, 4));
  if (cc.version != kRaftFormatVersion) {
    return Status::Error(fmt::format("raft: unknown conf change version {}", cc.version));
  }
  uint64_t type = GetFixed(data.substr(4), 1);
  if (type > static_cast<uint8_t>(ConfChangeType::kRemoveNode)) {
    return Status::Error(fmt::format("raft: unknown conf change type {}", type));
  }
  cc.type = static_cast<ConfChangeType>(type);
  cc.node_id = GetFixed(data.substr(5), 8);
  cc.context = std::string(data.substr(kConfChangeHeaderSize));
  return cc;
}

bool IsLocalMessage(MessageType t) {
  switch (t) {
    case MessageType::kHup:
    case MessageType::kBeat:
    case MessageType::kUnreachable:
    case MessageType::kSnapStatus:
    case MessageType::kCheckQuorum:
      return true;
    default:
      return false;
  }
}

bool IsResponseMessage(MessageType t) {
  switch (t) {
    case MessageType::kAppResp:
    case MessageType::kVoteResp:
    case MessageType::kHeartbeatResp:
    case MessageType::kUnreachable:
    case MessageType::kPreVoteResp:
      return true;
    default:
      return false;
  }
}

MessageType VoteResponseType(MessageType t) {
  return t == MessageType::kPreVote ? MessageType::kPreVoteResp : MessageType::kVoteResp;
}

std::string_view MessageTypeName(MessageType t) {
  switch (t) {
    case MessageType::kHup:
      return "MsgHup";
    case MessageType::kBeat:
      return "MsgBeat";
    case MessageType::kProp:
      return "MsgProp";
    case MessageType::kApp:
      return "MsgApp";
    case MessageType::kAppResp:
      return "MsgAppResp";
    case MessageType::kVote:
      return "MsgVote";
    case MessageType::kVoteResp:
      return "MsgVoteResp";
    case MessageType::kSnap:
      return "MsgSnap";
    case MessageType::kHeartbeat:
      return "MsgHeartbeat";
    case MessageType::kHeartbeatResp:
      return "MsgHeartbeatResp";
    case MessageType::kUnreachable:
      return "MsgUnreachable";
    case MessageType::kSnapStatus:
      return "MsgSnapStatus";
    case MessageType::kCheckQuorum:
      return "MsgCheckQuorum";
    case MessageType::kTransferLeader:
      return "MsgTransferLeader";
    case MessageType::kTimeoutNow:
      return "MsgTimeoutNow";
    case MessageType::kReadIndex:
      return "MsgReadIndex";
    case MessageType::kReadIndexResp:
      return "MsgReadIndexResp";
    case MessageType::kPreVote:
      return "MsgPreVote";
    case MessageType::kPreVoteResp:
      return "MsgPreVoteResp";
  }
  return "MsgUnknown";
}

std::string_view StateRoleName(StateRole r) {
  switch (r) {
    case StateRole::kFollower:
      return "StateFollower";
    case StateRole::kCandidate:
      return "StateCandidate";
    case StateRole::kLeader:
      return "StateLeader";
    case StateRole::kPreCandidate:
      return "StatePreCandidate";
  }
  return "StateUnknown";
}

std::string DescribeConfChange(const ConfChange& cc) {
  return fmt::format("{}{}", cc.type == ConfChangeType::kAddNode ? "v" : "r", cc.node_id);
}

std::string DescribeEntry(const Entry& e) {
  if (e.type == EntryType::kConfChange) {
    auto cc = DecodeConfChange(e.data);
    return fmt::format("{}/{} EntryConfChange {}", e.term, e.index,
                       cc.ok() ? DescribeConfChange(*cc) : "<invalid>");
  }
  return fmt::format("{}/{} EntryNormal \"{}\"", e.term, e.index, e.data);
}

std::string DescribeEntries(const std::vector<Entry>& es) {
  std::string out;
  for (const Entry& e : es) {
    if (!out.empty()) out += ", ";
    out += DescribeEntry(e);
  }
  return out;
}

std::string DescribeConfState(const ConfState& cs) {
  std::string out = "Voters:[";
  for (size_t i = 0; i < cs.voters.size(); ++i) {
    if (i > 0) out += " ";
    out += std::to_string(cs.voters[i]);
  }
  return out + "]";
}

std::string DescribeSnapshot(const Snapshot& s) {
  return fmt::format("Index:{} Term:{} ConfState:{}", s.metadata.index, s.metadata.term,
                     DescribeConfState(s.metadata.conf_state));
}

std::string DescribeHardState(const HardState& hs) {
  return fmt::format("Term:{} Vote:{} Commit:{}", hs.term, hs.vote, hs.commit);
}

std::string DescribeMessage(const Message& m) {
  std::string out = fmt::format("{}->{} {} Term:{} Log:{}/{}", m.from, m.to,
                                MessageTypeName(m.type), m.term, m.log_term, m.index);
  if (m.reject) out += fmt::format(" Rejected (Hint: {})", m.reject_hint);
  if (m.commit != 0) out += fmt::format(" Commit:{}", m.commit);
  if (!m.entries.empty()) out += " Entries:[" + DescribeEntries(m.entries) + "]";
  if (m.snapshot.has_value()) out += " Snapshot: " + DescribeSnapshot(*m.snapshot);
  if (!m.context.empty()) out += fmt::format(" Context:\"{}\"", m.context);
  return out;
}

}  // namespace shoal::raft
