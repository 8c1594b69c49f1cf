// The errors of the Raft state machine and its storage, as shoal::Status values with fixed
// messages, plus predicates to recognise them (Status carries no code, only its message).
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shoal::raft {

inline constexpr std::string_view kErrProposalDropped = "raft: proposal dropped";
inline constexpr std::string_view kErrCompacted =
    "raft: requested index is unavailable due to compaction";
inline constexpr std::string_view kErrSnapOutOfDate =
    "raft: requested index is older than the existing snapshot";
inline constexpr std::string_view kErrUnavailable = "raft: requested entry at index is unavailable";
inline constexpr std::string_view kErrSnapshotTemporarilyUnavailable =
    "raft: snapshot is temporarily unavailable";
inline constexpr std::string_view kErrStepLocalMsg = "raft: cannot step raft local message";
inline constexpr std::string_view kErrStepPeerNotFound = "raft: cannot step as peer not found";

inline Status ErrProposalDropped() { return Status::Error(std::string(kErrProposalDropped)); }
inline Status ErrCompacted() { return Status::Error(std::string(kErrCompacted)); }
inline Status ErrSnapOutOfDate() { return Status::Error(std::string(kErrSnapOutOfDate)); }
inline Status ErrUnavailable() { return Status::Error(std::string(kErrUnavailable)); }
inline Status ErrSnapshotTemporarilyUnavailable() {
  return Status::Error(std::string(kErrSnapshotTemporarilyUnavailable));
}
inline Status ErrStepLocalMsg() { return Status::Error(std::string(kErrStepLocalMsg)); }
inline Status ErrStepPeerNotFound() { return Status::Error(std::string(kErrStepPeerNotFound)); }

// True when `s` is the error `which` (one of the kErr* messages above).
inline bool IsError(const Status& s, std::string_view which) {
  return !s.ok() && s.message() == which;
}

// An invariant of the Raft state machine is broken (a bug, or corrupt input from storage):
// continuing could lose committed data, so the process stops.
[[noreturn]] inline void RaftPanic(std::string_view what) {
  std::fprintf(stderr, "raft panic: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

#define RAFT_CHECK(cond, msg)                                                 \
  do {                                                                        \
    if (!(cond)) ::shoal::raft::RaftPanic(std::string(msg) + " [" #cond "]"); \
  } while (0)

}  // namespace shoal::raft
