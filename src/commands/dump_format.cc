#include "commands/dump_format.h"

#include <xxhash.h>

#include <cstring>

namespace shoal {

namespace {
constexpr size_t kTrailerBytes = 2 + 8;  // version + checksum

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t GetLe(std::string_view in, size_t offset, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[offset + static_cast<size_t>(i)]))
         << (8 * i);
  }
  return v;
}
}  // namespace

std::string EncodeDump(const Entry* e) {
  std::string out;
  out.push_back(static_cast<char>(e->type()));
  out.push_back(static_cast<char>(e->encoding()));
  if (e->encoding() == Encoding::kInt) {
    PutLe(out, static_cast<uint64_t>(e->int_value()), 8);
  } else {
    out.append(e->raw_value());
  }
  PutLe(out, kDumpFormatVersion, 2);
  PutLe(out, XXH64(out.data(), out.size(), 0), 8);
  return out;
}

Result<Entry*> DecodeDump(std::string_view key, std::string_view payload) {
  constexpr std::string_view kBadVersion = "ERR DUMP payload version or checksum are wrong";
  if (payload.size() < 2 + kTrailerBytes) return Status::Error(std::string(kBadVersion));
  size_t body = payload.size() - 8;
  uint64_t checksum = GetLe(payload, body, 8);
  uint16_t version = static_cast<uint16_t>(GetLe(payload, body - 2, 2));
  if (version != kDumpFormatVersion || XXH64(payload.data(), body, 0) != checksum) {
    return Status::Error(std::string(kBadVersion));
  }
  auto type = static_cast<ValueType>(payload[0]);
  auto encoding = static_cast<Encoding>(payload[1]);
  std::string_view value = payload.substr(2, body - 2 - 2);
  if (type != ValueType::kString) return Status::Error("ERR Bad data format");
  if (encoding == Encoding::kInt) {
    if (value.size() != 8) return Status::Error("ERR Bad data format");
    return Entry::CreateInt(key, static_cast<int64_t>(GetLe(value, 0, 8)));
  }
  if (encoding != Encoding::kRaw) return Status::Error("ERR Bad data format");
  return Entry::Create(key, value);
}

}  // namespace shoal
