#include "commands/dump_format.h"

#include <xxhash.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include "core/object.h"

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
// Reads untrusted payload bytes; every read is bounds-checked.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }

  std::optional<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && pos_ < in_.size(); shift += 7) {
      auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return v;
    }
    return std::nullopt;
  }
  std::optional<std::string_view> Fixed(size_t n) {
    if (n > in_.size() - pos_) return std::nullopt;
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::optional<std::string_view> Bytes() {
    std::optional<uint64_t> n = Varint();
    return n ? Fixed(*n) : std::nullopt;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

Status BadFormat() { return Status::Error("ERR Bad data format"); }

Result<Entry*> DecodeHash(std::string_view key, std::string_view value, const HashLimits& limits) {
  PayloadReader r(value);
  std::optional<uint64_t> count = r.Varint();
  if (!count || *count == 0) return BadFormat();
  auto hash = std::make_unique<HashObject>();
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> field = r.Bytes();
    std::optional<std::string_view> v = field ? r.Bytes() : std::nullopt;
    std::optional<uint64_t> deadline = v ? r.Varint() : std::nullopt;
    if (!deadline || *deadline > static_cast<uint64_t>(INT64_MAX)) return BadFormat();
    if (!hash->Set(*field, *v, limits)) return BadFormat();  // a repeated field
    if (*deadline != 0) hash->SetFieldExpire(*field, static_cast<int64_t>(*deadline));
  }
  if (!r.done()) return BadFormat();
  return Entry::CreateObject(key, hash.release());
}

Result<Entry*> DecodeList(std::string_view key, std::string_view value, const ListLimits& limits) {
  PayloadReader r(value);
  std::optional<uint64_t> count = r.Varint();
  if (!count || *count == 0) return BadFormat();
  auto list = std::make_unique<ListObject>();
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> element = r.Bytes();
    if (!element) return BadFormat();
    list->Push(ListObject::End::kTail, *element, limits);
  }
  if (!r.done()) return BadFormat();
  return Entry::CreateObject(key, list.release());
}

Result<Entry*> DecodeZSet(std::string_view key, std::string_view value, const ZSetLimits& limits) {
  PayloadReader r(value);
  std::optional<uint64_t> count = r.Varint();
  if (!count || *count == 0) return BadFormat();
  auto zset = std::make_unique<ZSetObject>();
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> member = r.Bytes();
    std::optional<std::string_view> score = member ? r.Fixed(8) : std::nullopt;
    if (!score) return BadFormat();
    double v;
    std::memcpy(&v, score->data(), sizeof(v));
    if (std::isnan(v) || !zset->Set(*member, v, limits)) return BadFormat();  // NaN, repeated
  }
  if (!r.done()) return BadFormat();
  return Entry::CreateObject(key, zset.release());
}

Result<Entry*> DecodeSet(std::string_view key, std::string_view value, const SetLimits& limits) {
  PayloadReader r(value);
  std::optional<uint64_t> count = r.Varint();
  if (!count || *count == 0) return BadFormat();
  auto set = std::make_unique<SetObject>();
  for (uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string_view> member = r.Bytes();
    if (!member || !set->Add(*member, limits)) return BadFormat();  // short, or repeated
  }
  if (!r.done()) return BadFormat();
  return Entry::CreateObject(key, set.release());
}

}  // namespace

std::string EncodeDump(const Entry* e) {
  std::string out;
  out.push_back(static_cast<char>(e->type()));
  out.push_back(static_cast<char>(e->encoding()));
  if (e->encoding() == Encoding::kInt) {
    PutLe(out, static_cast<uint64_t>(e->int_value()), 8);
  } else if (e->encoding() == Encoding::kObject) {
    e->object()->Serialize(&out);
  } else {
    out.append(e->raw_value());
  }
  PutLe(out, kDumpFormatVersion, 2);
  PutLe(out, XXH64(out.data(), out.size(), 0), 8);
  return out;
}

Result<Entry*> DecodeDump(std::string_view key, std::string_view payload,
                          const EngineOptions& options) {
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
  if (type == ValueType::kHash && encoding == Encoding::kObject) {
    return DecodeHash(key, value, options.hash_limits());
  }
  if (type == ValueType::kList && encoding == Encoding::kObject) {
    return DecodeList(key, value, options.list_limits());
  }
  if (type == ValueType::kZSet && encoding == Encoding::kObject) {
    return DecodeZSet(key, value, options.zset_limits());
  }
  if (type == ValueType::kSet && encoding == Encoding::kObject) {
    return DecodeSet(key, value, options.set_limits());
  }
  if (type != ValueType::kString) return Status::Error("ERR Bad data format");
  if (encoding == Encoding::kInt) {
    if (value.size() != 8) return Status::Error("ERR Bad data format");
    return Entry::CreateInt(key, static_cast<int64_t>(GetLe(value, 0, 8)));
  }
  if (encoding != Encoding::kRaw) return Status::Error("ERR Bad data format");
  return Entry::Create(key, value);
}

}  // namespace shoal
