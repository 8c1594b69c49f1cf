#include "core/zset_object.h"

#include <cmath>
#include <cstring>

#include "core/varint.h"

namespace shoal {

namespace {
// DUMP's score: the 8 bytes of the double (little-endian hosts only, as Entry).
std::string ScoreBytes(double score) {
  std::string out(sizeof(double), '\0');
  std::memcpy(out.data(), &score, sizeof(double));
  return out;
}

// A packed score: an integral score below 2^53 in magnitude is stored in the fewest
// little-endian two's complement bytes (1..7), anything else as the 8 bytes of the double;
// the element's length tells which. Small integer scores (the common case) take 1-3 bytes.
constexpr double kExactIntLimit = 9007199254740992.0;  // 2^53
std::string PackScore(double score) {
  if (std::trunc(score) != score || std::fabs(score) >= kExactIntLimit) return ScoreBytes(score);
  const auto v = static_cast<int64_t>(score);
  size_t n = 1;
  while (n < 7 && (v < -(int64_t{1} << (8 * n - 1)) || v >= (int64_t{1} << (8 * n - 1)))) n++;
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  return out;
}
double UnpackScore(std::string_view bytes) {
  if (bytes.size() == sizeof(double)) {
    double score;
    std::memcpy(&score, bytes.data(), sizeof(double));
    return score;
  }
  uint64_t u = 0;
  for (size_t i = 0; i < bytes.size(); ++i)
    u |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  const unsigned shift = 64 - 8 * static_cast<unsigned>(bytes.size());
  return static_cast<double>(static_cast<int64_t>(u << shift) >> shift);  // sign-extend
}
}  // namespace

ZSetObject::ZSetObject() = default;
ZSetObject::~ZSetObject() = default;

std::string_view ZSetObject::EncodingName() const {
  return list_ == nullptr ? "listpack" : "skiplist";
}

size_t ZSetObject::MemoryBytes() const {
  size_t n = HeapBytes(sizeof(*this)) + packed_.AllocatedBytes();
  // The index: a slot (view + node pointer) and a metadata byte per bucket of capacity.
  if (list_ != nullptr) n += sizeof(ZSkipList) + list_->bytes() + list_->size() * 28;
  return n;
}

size_t ZSetObject::Length() const { return list_ != nullptr ? list_->size() : packed_.size() / 2; }

std::unique_ptr<Object> ZSetObject::Clone() const {
  auto copy = std::make_unique<ZSetObject>();
  if (list_ == nullptr) {
    copy->packed_ = packed_.Clone();
    return copy;
  }
  copy->list_ = std::make_unique<ZSkipList>();
  ForRange(0, Length(), false, [&](ZElement e) {
    copy->list_->Set(e.member, e.score);
    return true;
  });
  return copy;
}

void ZSetObject::Serialize(std::string* out) const {
  AppendVarint(out, Length());
  ForRange(0, Length(), false, [out](ZElement e) {
    AppendVarint(out, e.member.size());
    out->append(e.member);
    out->append(ScoreBytes(e.score));
    return true;
  });
}

ZElement ZSetObject::PackedAt(size_t pos) const {
  return {packed_.At(pos), UnpackScore(packed_.At(packed_.Next(pos)))};
}

size_t ZSetObject::PosOfRank(size_t rank) const {
  size_t pos = packed_.begin();
  for (size_t i = 0; i < rank && pos != packed_.end(); ++i) pos = packed_.Next(packed_.Next(pos));
  return pos;
}

ZElement ZSetObject::ElementAt(size_t rank) const {
  return list_ != nullptr ? list_->At(rank) : PackedAt(PosOfRank(rank));
}

std::optional<double> ZSetObject::Score(std::string_view member) const {
  if (list_ != nullptr) return list_->Score(member);
  size_t pos = packed_.Find(member, packed_.begin(), 2);
  if (pos == packed_.end()) return std::nullopt;
  return UnpackScore(packed_.At(packed_.Next(pos)));
}

void ZSetObject::ToSkipList() {
  auto list = std::make_unique<ZSkipList>();
  for (size_t pos = packed_.begin(); pos != packed_.end(); pos = packed_.Next(packed_.Next(pos))) {
    ZElement e = PackedAt(pos);
    list->Set(e.member, e.score);
  }
  packed_.Clear();
  list_ = std::move(list);
}

bool ZSetObject::Set(std::string_view member, double score, const ZSetLimits& limits) {
  if (list_ == nullptr) {
    const bool existed = Remove(member);
    if (Length() < limits.max_packed_entries && member.size() <= limits.max_packed_value) {
      // Redis's listpack keeps scores as text that drops the sign of -0; its skiplist keeps
      // the double. Replies show the difference, so -0 is kept only outside the packed form.
      if (score == 0) score = 0;
      size_t pos = packed_.begin();
      while (pos != packed_.end()) {
        ZElement e = PackedAt(pos);
        if (!(e.score < score || (e.score == score && e.member < member))) break;
        pos = packed_.Next(packed_.Next(pos));
      }
      packed_.Insert(pos, member);
      packed_.Insert(packed_.Next(pos), PackScore(score));
      return !existed;
    }
    ToSkipList();
    list_->Set(member, score);
    return !existed;
  }
  return list_->Set(member, score);
}

bool ZSetObject::Remove(std::string_view member) {
  if (list_ != nullptr) return list_->Remove(member);
  size_t pos = packed_.Find(member, packed_.begin(), 2);
  if (pos == packed_.end()) return false;
  packed_.Erase(pos, 2);
  return true;
}

std::optional<size_t> ZSetObject::Rank(std::string_view member) const {
  if (list_ != nullptr) return list_->Rank(member);
  size_t rank = 0;
  for (size_t pos = packed_.begin(); pos != packed_.end(); pos = packed_.Next(packed_.Next(pos))) {
    if (packed_.At(pos) == member) return rank;
    rank++;
  }
  return std::nullopt;
}

void ZSetObject::RemoveRange(size_t first, size_t n) {
  if (n == 0) return;
  if (list_ == nullptr) {
    packed_.Erase(PosOfRank(first), 2 * n);
    return;
  }
  std::vector<std::string> members;
  ForRange(first, n, false, [&](ZElement e) {
    members.emplace_back(e.member);
    return true;
  });
  for (const std::string& m : members) list_->Remove(m);
}

}  // namespace shoal
