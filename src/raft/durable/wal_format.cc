#include "raft/durable/wal_format.h"

#include <fmt/format.h>

#include "base/crc32c.h"

namespace shoal::raft::durable {
namespace {

constexpr uint32_t kMaskDelta = 0xa282ead8u;

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view data, size_t offset, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(data[offset + i])) << (8 * i);
  }
  return v;
}

// Appends a record of `type` whose payload was built by `fill`.
template <typename F>
void AppendRecord(std::string* out, RecordType type, F fill) {
  size_t start = out->size();
  out->append(8, '\0');  // crc and length, set below
  out->push_back(static_cast<char>(type));
  fill(out);
  uint64_t length = out->size() - start - kRecordHeaderSize;
  for (int i = 0; i < 4; ++i) (*out)[start + 4 + i] = static_cast<char>((length >> (8 * i)) & 0xff);
  uint32_t crc = MaskedCrc(std::string_view(*out).substr(start + 4));
  for (int i = 0; i < 4; ++i) (*out)[start + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
}

// Payload sizes of the fixed-size records.
constexpr size_t kEntryFixedBytes = 8 + 8 + 1;
constexpr size_t kHardStateBytes = 4 + 8 + 8 + 8;
constexpr size_t kSnapshotRecordBytes = 8 + 8 + 1;

}  // namespace

uint32_t MaskedCrc(std::string_view data) {
  uint32_t crc = Crc32c(data);
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

std::string EncodeSegmentHeader(uint64_t seq, uint64_t start_index) {
  std::string out(kWalMagic);
  PutFixed(&out, kWalFormatVersion, 4);
  PutFixed(&out, 0, 4);
  PutFixed(&out, seq, 8);
  PutFixed(&out, start_index, 8);
  PutFixed(&out, MaskedCrc(out), 4);
  return out;
}

bool SegmentHeaderIntact(std::string_view data) {
  return data.size() >= kSegmentHeaderSize && data.substr(0, kWalMagic.size()) == kWalMagic &&
         GetFixed(data, 32, 4) == MaskedCrc(data.substr(0, 32));
}

Result<SegmentHeader> DecodeSegmentHeader(std::string_view data) {
  if (data.size() < kSegmentHeaderSize) {
    return Status::Error(fmt::format("segment header incomplete ({} bytes)", data.size()));
  }
  if (data.substr(0, kWalMagic.size()) != kWalMagic) return Status::Error("not a WAL segment");
  if (GetFixed(data, 32, 4) != MaskedCrc(data.substr(0, 32))) {
    return Status::Error("segment header checksum mismatch");
  }
  SegmentHeader h;
  h.version = static_cast<uint32_t>(GetFixed(data, 8, 4));
  if (h.version != kWalFormatVersion) {
    return Status::Error(fmt::format(
        "WAL format version {} is not supported (this build reads version {}): written by a "
        "newer Shoal?",
        h.version, kWalFormatVersion));
  }
  h.seq = GetFixed(data, 16, 8);
  h.start_index = GetFixed(data, 24, 8);
  return h;
}

void AppendEntryRecord(std::string* out, const Entry& e) {
  AppendRecord(out, RecordType::kEntry, [&](std::string* o) {
    PutFixed(o, e.term, 8);
    PutFixed(o, e.index, 8);
    PutFixed(o, static_cast<uint8_t>(e.type), 1);
    o->append(e.data);
  });
}

void AppendHardStateRecord(std::string* out, const HardState& hs) {
  AppendRecord(out, RecordType::kHardState, [&](std::string* o) {
    PutFixed(o, hs.version, 4);
    PutFixed(o, hs.term, 8);
    PutFixed(o, hs.vote, 8);
    PutFixed(o, hs.commit, 8);
  });
}

void AppendSnapshotRecord(std::string* out, const SnapshotMarker& m) {
  AppendRecord(out, RecordType::kSnapshot, [&](std::string* o) {
    PutFixed(o, m.index, 8);
    PutFixed(o, m.term, 8);
    PutFixed(o, static_cast<uint8_t>(m.kind), 1);
  });
}

ParsedRecord ParseRecord(std::string_view data, size_t offset) {
  ParsedRecord p;
  if (offset > data.size() || data.size() - offset < kRecordHeaderSize) {
    p.outcome = ParsedRecord::kIncomplete;
    p.why = "incomplete record header";
    return p;
  }
  uint32_t stored_crc = static_cast<uint32_t>(GetFixed(data, offset, 4));
  uint64_t length = GetFixed(data, offset + 4, 4);
  if (length > kMaxRecordBytes) {
    p.outcome = ParsedRecord::kBadChecksum;
    p.why = fmt::format("record length {} is out of bounds", length);
    return p;
  }
  if (data.size() - offset - kRecordHeaderSize < length) {
    p.outcome = ParsedRecord::kIncomplete;
    p.why = fmt::format("incomplete record ({} of {} payload bytes)",
                        data.size() - offset - kRecordHeaderSize, length);
    return p;
  }
  std::string_view covered = data.substr(offset + 4, 5 + length);
  if (MaskedCrc(covered) != stored_crc) {
    p.outcome = ParsedRecord::kBadChecksum;
    p.why = "record checksum mismatch";
    return p;
  }
  p.size = kRecordHeaderSize + length;
  std::string_view payload = data.substr(offset + kRecordHeaderSize, length);
  auto type = static_cast<RecordType>(static_cast<uint8_t>(data[offset + 8]));
  WalRecord& r = p.record;
  r.type = type;
  auto bad = [&](std::string why) {
    p.outcome = ParsedRecord::kBadContent;
    p.why = std::move(why);
    return p;
  };
  switch (type) {
    case RecordType::kEntry: {
      if (payload.size() < kEntryFixedBytes) return bad("entry record too short");
      r.entry.term = GetFixed(payload, 0, 8);
      r.entry.index = GetFixed(payload, 8, 8);
      uint8_t et = static_cast<uint8_t>(payload[16]);
      if (et > static_cast<uint8_t>(EntryType::kConfChange)) {
        return bad(fmt::format("unknown entry type {}", et));
      }
      r.entry.type = static_cast<EntryType>(et);
      r.entry.data.assign(payload.substr(kEntryFixedBytes));
      if (r.entry.index == 0 || r.entry.term == 0) return bad("entry with index or term 0");
      break;
    }
    case RecordType::kHardState: {
      if (payload.size() != kHardStateBytes) return bad("hard state record of the wrong size");
      r.hard_state.version = static_cast<uint32_t>(GetFixed(payload, 0, 4));
      if (r.hard_state.version != kRaftFormatVersion) {
        return bad(fmt::format("hard state version {} is not supported", r.hard_state.version));
      }
      r.hard_state.term = GetFixed(payload, 4, 8);
      r.hard_state.vote = GetFixed(payload, 12, 8);
      r.hard_state.commit = GetFixed(payload, 20, 8);
      break;
    }
    case RecordType::kSnapshot: {
      if (payload.size() != kSnapshotRecordBytes) return bad("snapshot record of the wrong size");
      r.snapshot.index = GetFixed(payload, 0, 8);
      r.snapshot.term = GetFixed(payload, 8, 8);
      uint8_t kind = static_cast<uint8_t>(payload[16]);
      if (kind > static_cast<uint8_t>(SnapshotKind::kInstalled)) {
        return bad(fmt::format("unknown snapshot record kind {}", kind));
      }
      r.snapshot.kind = static_cast<SnapshotKind>(kind);
      break;
    }
    default:
      return bad(
          fmt::format("unknown record type {}: written by a newer Shoal?", static_cast<int>(type)));
  }
  p.outcome = ParsedRecord::kOk;
  return p;
}

std::optional<size_t> FindIntactRecord(std::string_view data, size_t from) {
  for (size_t off = from; off + kRecordHeaderSize <= data.size(); ++off) {
    ParsedRecord p = ParseRecord(data, off);
    if (p.outcome == ParsedRecord::kOk || p.outcome == ParsedRecord::kBadContent) return off;
  }
  return std::nullopt;
}

std::string EncodeSnapshotFile(const Snapshot& snap) {
  std::string out(kSnapshotMagic);
  PutFixed(&out, kSnapshotFormatVersion, 4);
  PutFixed(&out, snap.version, 4);
  PutFixed(&out, snap.metadata.index, 8);
  PutFixed(&out, snap.metadata.term, 8);
  PutFixed(&out, snap.metadata.conf_state.version, 4);
  PutFixed(&out, snap.metadata.conf_state.voters.size(), 4);
  for (NodeId id : snap.metadata.conf_state.voters) PutFixed(&out, id, 8);
  PutFixed(&out, snap.data.size(), 8);
  out.append(snap.data);
  PutFixed(&out, MaskedCrc(out), 4);
  return out;
}

Result<Snapshot> DecodeSnapshotFile(std::string_view data) {
  constexpr size_t kFixed = 8 + 4 + 4 + 8 + 8 + 4 + 4;
  if (data.size() < kFixed + 8 + 4) return Status::Error("snapshot file too short");
  if (data.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) {
    return Status::Error("not a snapshot file");
  }
  std::string_view body = data.substr(0, data.size() - 4);
  if (GetFixed(data, body.size(), 4) != MaskedCrc(body)) {
    return Status::Error("snapshot checksum mismatch");
  }
  uint32_t format = static_cast<uint32_t>(GetFixed(data, 8, 4));
  if (format != kSnapshotFormatVersion) {
    return Status::Error(
        fmt::format("snapshot format version {} is not supported (this build reads version {})",
                    format, kSnapshotFormatVersion));
  }
  Snapshot s;
  s.version = static_cast<uint32_t>(GetFixed(data, 12, 4));
  s.metadata.index = GetFixed(data, 16, 8);
  s.metadata.term = GetFixed(data, 24, 8);
  s.metadata.conf_state.version = static_cast<uint32_t>(GetFixed(data, 32, 4));
  uint64_t voters = GetFixed(data, 36, 4);
  size_t off = kFixed;
  if (voters > (body.size() - off) / 8) return Status::Error("snapshot voter count too large");
  for (uint64_t i = 0; i < voters; ++i, off += 8) {
    s.metadata.conf_state.voters.push_back(GetFixed(data, off, 8));
  }
  if (body.size() - off < 8) return Status::Error("snapshot file truncated");
  uint64_t length = GetFixed(data, off, 8);
  off += 8;
  if (length != body.size() - off) return Status::Error("snapshot data length mismatch");
  s.data.assign(body.substr(off));
  return s;
}

std::string SegmentFileName(uint64_t seq) { return fmt::format("wal-{:016x}.log", seq); }

std::string SnapshotFileName(uint64_t index) { return fmt::format("snap-{:016x}.snap", index); }

namespace {

std::optional<uint64_t> ParseHexName(std::string_view name, std::string_view prefix,
                                     std::string_view suffix) {
  if (name.size() != prefix.size() + 16 + suffix.size()) return std::nullopt;
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (name.substr(prefix.size() + 16) != suffix) return std::nullopt;
  uint64_t v = 0;
  for (char c : name.substr(prefix.size(), 16)) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

}  // namespace

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  return ParseHexName(name, "wal-", ".log");
}

std::optional<uint64_t> ParseSnapshotFileName(std::string_view name) {
  return ParseHexName(name, "snap-", ".snap");
}

}  // namespace shoal::raft::durable
