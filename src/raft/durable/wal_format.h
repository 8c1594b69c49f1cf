// The on-disk formats of Raft storage (docs/raft-storage.md): WAL segment headers, WAL records
// and snapshot files, as pure encode/decode functions. No I/O here.
//
// DO NOT CHANGE the magic strings, the record type values or the field layouts: they are on
// disk. A new field or record type raises kWalFormatVersion / kSnapshotFormatVersion, and a
// reader refuses versions it does not know.
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "raft/types.h"

namespace shoal::raft::durable {

inline constexpr std::string_view kWalMagic = "SHOALWAL";
inline constexpr std::string_view kSnapshotMagic = "SHOALSNP";
inline constexpr uint32_t kWalFormatVersion = 1;
inline constexpr uint32_t kSnapshotFormatVersion = 1;
// magic 8 | version 4 | reserved 4 | seq 8 | start_index 8 | crc 4
inline constexpr size_t kSegmentHeaderSize = 36;
// crc 4 | length 4 | type 1
inline constexpr size_t kRecordHeaderSize = 9;
inline constexpr uint32_t kMaxRecordBytes = 64u << 20;

enum class RecordType : uint8_t {
  kInvalid = 0,  // never written: zeroed space
  kEntry = 1,
  kHardState = 2,
  kSnapshot = 3,
};

enum class SnapshotKind : uint8_t {
  // A snapshot of this node's own applied state: the log is unchanged. Also written at the
  // start of every segment to restate the newest snapshot.
  kCreated = 0,
  // A snapshot received from the leader: it replaced the whole log.
  kInstalled = 1,
};

// Names a snapshot in the WAL: written after its file is durable, so a snapshot file counts
// only once its marker is in the WAL.
struct SnapshotMarker {
  uint64_t index = 0;
  uint64_t term = 0;
  SnapshotKind kind = SnapshotKind::kCreated;

  bool operator==(const SnapshotMarker&) const = default;
};

struct SegmentHeader {
  uint32_t version = kWalFormatVersion;
  uint64_t seq = 0;
  uint64_t start_index = 0;  // the log's last index + 1 when the segment was created
};

// One decoded record: `type` says which member is meaningful.
struct WalRecord {
  RecordType type = RecordType::kInvalid;
  Entry entry;
  HardState hard_state;
  SnapshotMarker snapshot;
};

// CRC32C as stored: masked (LevelDB's rotation plus a constant).
uint32_t MaskedCrc(std::string_view data);

std::string EncodeSegmentHeader(uint64_t seq, uint64_t start_index);
// Fails on a short buffer, a wrong magic or CRC, or an unknown version (message says which).
Result<SegmentHeader> DecodeSegmentHeader(std::string_view data);
// True when the header's bytes are all there and match their CRC (whatever the version).
bool SegmentHeaderIntact(std::string_view data);

void AppendEntryRecord(std::string* out, const Entry& e);
void AppendHardStateRecord(std::string* out, const HardState& hs);
void AppendSnapshotRecord(std::string* out, const SnapshotMarker& m);

// The result of parsing the record that starts at some offset of a segment.
struct ParsedRecord {
  enum Outcome {
    kOk,
    // Not enough bytes for the header or the payload (a torn tail looks like this).
    kIncomplete,
    // The CRC does not match, or the length is out of bounds (damage, or a torn tail).
    kBadChecksum,
    // The CRC matches but the type is unknown or the payload malformed: written by another
    // version, or a bug. Never a torn write.
    kBadContent,
  };
  Outcome outcome = kIncomplete;
  std::string why;  // for everything but kOk
  size_t size = 0;  // header + payload, when the CRC matched
  WalRecord record;
};
ParsedRecord ParseRecord(std::string_view data, size_t offset);

// The first offset >= from where a record with a matching CRC starts, if any (used to tell a
// torn tail from damage in the middle).
std::optional<size_t> FindIntactRecord(std::string_view data, size_t from);

std::string EncodeSnapshotFile(const Snapshot& snap);
Result<Snapshot> DecodeSnapshotFile(std::string_view data);

// "wal-<seq as 16 hex digits>.log" and "snap-<index as 16 hex digits>.snap".
std::string SegmentFileName(uint64_t seq);
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);
std::string SnapshotFileName(uint64_t index);
std::optional<uint64_t> ParseSnapshotFileName(std::string_view name);

}  // namespace shoal::raft::durable
