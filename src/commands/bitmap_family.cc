// Bit operations on string values (Redis "bitmap" group): SETBIT, GETBIT, BITCOUNT, BITPOS,
// BITOP. Bit 0 is the most significant bit of the first byte, as in Redis. BITOP reads its
// sources and writes the destination under one Transaction (atomic across shards).
#include <algorithm>
#include <bit>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

constexpr int64_t kMaxBitOffset = (int64_t{512} << 20) * 8 - 1;  // proto-max-bulk-len bits
constexpr std::string_view kBadOffset = "ERR bit offset is not an integer or out of range";

std::optional<int64_t> ParseBitOffset(std::string_view s, ReplySink& out) {
  std::optional<int64_t> v = ParseInt64(s);
  if (!v || *v < 0 || *v > kMaxBitOffset) {
    out.Error(kBadOffset);
    return std::nullopt;
  }
  return v;
}

void SetBit(ShardCall& c) {
  std::optional<int64_t> offset = ParseBitOffset(c.args[2], c.out);
  if (!offset) return;
  if (c.args[3] != "0" && c.args[3] != "1") {
    return c.out.Error("ERR bit is not an integer or out of range");
  }
  bool bad;
  Entry* e = FindTyped(c.db, c.args[1], c.now_ms, ValueType::kString, c.out, &bad, true);
  if (bad) return;
  const auto byte = static_cast<size_t>(*offset >> 3);
  const auto mask = static_cast<unsigned char>(0x80 >> (*offset & 7));
  if (e == nullptr) e = StoreString(c.db, nullptr, c.args[1], "", 0, c.now_ms, false);
  std::string scratch;
  std::string_view value = e->StringView(scratch);
  const unsigned char old = byte < value.size() ? static_cast<unsigned char>(value[byte]) : 0;
  const unsigned char updated = c.args[3] == "1" ? (old | mask) : (old & ~mask);
  if (byte >= value.size() || updated != old) {
    const size_t old_bytes = e->MemoryBytes();
    const char b = static_cast<char>(updated);
    c.db.Updated(e, Entry::SetRange(e, byte, std::string_view(&b, 1)), old_bytes);
  }
  c.out.Integer((old & mask) != 0 ? 1 : 0);
}

void GetBit(ShardCall& c) {
  std::optional<int64_t> offset = ParseBitOffset(c.args[2], c.out);
  if (!offset) return;
  bool bad;
  Entry* e = FindTyped(c.db, c.args[1], c.now_ms, ValueType::kString, c.out, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(0);
  std::string scratch;
  std::string_view value = e->StringView(scratch);
  const auto byte = static_cast<size_t>(*offset >> 3);
  if (byte >= value.size()) return c.out.Integer(0);
  c.out.Integer((static_cast<unsigned char>(value[byte]) & (0x80 >> (*offset & 7))) != 0 ? 1 : 0);
}

// A [start, end] range of BITCOUNT/BITPOS in bytes or bits, resolved against `total` units
// as Redis does (negative from the end, clamped); nullopt when it selects nothing.
std::optional<std::pair<int64_t, int64_t>> Resolve(int64_t start, int64_t end, int64_t total) {
  if (start < 0) start += total;
  if (end < 0) end += total;
  start = std::max<int64_t>(start, 0);
  end = std::max<int64_t>(end, 0);
  end = std::min(end, total - 1);
  if (start > end || total == 0) return std::nullopt;
  return std::make_pair(start, end);
}

uint64_t CountBits(std::string_view v, int64_t first_bit, int64_t last_bit) {
  uint64_t n = 0;
  for (int64_t bit = first_bit; bit <= last_bit;) {
    if ((bit & 7) == 0 && bit + 63 <= last_bit) {  // whole bytes, 8 at a time
      uint64_t word = 0;
      for (int k = 0; k < 8; k++) {
        word = (word << 8) | static_cast<unsigned char>(v[static_cast<size_t>(bit >> 3) + k]);
      }
      n += static_cast<uint64_t>(std::popcount(word));
      bit += 64;
      continue;
    }
    n += (static_cast<unsigned char>(v[static_cast<size_t>(bit >> 3)]) >> (7 - (bit & 7))) & 1;
    bit++;
  }
  return n;
}

// Parses "[start end [BYTE|BIT]]" at args[from..]: false (with the error written) when bad.
// `need_end`: BITCOUNT requires end with start; BITPOS allows start alone.
struct BitRange {
  std::optional<int64_t> start, end;
  bool bits = false;
};
bool ParseBitRange(CmdArgs args, size_t from, bool need_end, BitRange* r, ReplySink& out) {
  const size_t n = args.size() - from;
  if (n == 0) return true;
  if ((need_end && n == 1) || n > 3) {
    out.Error(errors::kSyntax);
    return false;
  }
  r->start = ParseInt64(args[from]);
  if (n >= 2) r->end = ParseInt64(args[from + 1]);
  if (!r->start || (n >= 2 && !r->end)) {
    out.Error(errors::kNotInteger);
    return false;
  }
  if (n == 3) {
    if (EqualsIgnoreCase(args[from + 2], "bit")) {
      r->bits = true;
    } else if (!EqualsIgnoreCase(args[from + 2], "byte")) {
      out.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// The bit range [first, last] a BitRange selects in a value of `len` bytes.
std::optional<std::pair<int64_t, int64_t>> BitSpan(const BitRange& r, size_t len) {
  const auto bytes = static_cast<int64_t>(len);
  if (!r.start)
    return bytes == 0 ? std::nullopt
                      : std::make_optional(std::make_pair(int64_t{0}, bytes * 8 - 1));
  const int64_t total = r.bits ? bytes * 8 : bytes;
  auto span = Resolve(*r.start, r.end.value_or(total - 1), total);
  if (!span || r.bits) return span;
  return std::make_pair(span->first * 8, span->second * 8 + 7);
}

void BitCount(ShardCall& c) {
  BitRange r;
  if (!ParseBitRange(c.args, 2, /*need_end=*/true, &r, c.out)) return;
  bool bad;
  Entry* e = FindTyped(c.db, c.args[1], c.now_ms, ValueType::kString, c.out, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(0);
  std::string scratch;
  std::string_view v = e->StringView(scratch);
  auto span = BitSpan(r, v.size());
  c.out.Integer(span ? static_cast<int64_t>(CountBits(v, span->first, span->second)) : 0);
}

// BITPOS key bit [start [end [BYTE|BIT]]]
void BitPos(ShardCall& c) {
  if (c.args[2] != "0" && c.args[2] != "1") {
    return c.out.Error("ERR The bit argument must be 1 or 0.");
  }
  const int want = c.args[2] == "1" ? 1 : 0;
  BitRange r;
  if (!ParseBitRange(c.args, 3, /*need_end=*/false, &r, c.out)) return;
  bool bad;
  Entry* e = FindTyped(c.db, c.args[1], c.now_ms, ValueType::kString, c.out, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(want == 1 ? -1 : 0);
  std::string scratch;
  std::string_view v = e->StringView(scratch);
  auto span = BitSpan(r, v.size());
  if (!span) return c.out.Integer(-1);
  for (int64_t bit = span->first; bit <= span->second; bit++) {
    const int b =
        (static_cast<unsigned char>(v[static_cast<size_t>(bit >> 3)]) >> (7 - (bit & 7))) & 1;
    if (b == want) return c.out.Integer(bit);
  }
  // Looking for a clear bit without an explicit end: the string is padded with zeros, so the
  // first clear bit is the one right after it (as Redis).
  if (want == 0 && !r.end) return c.out.Integer(span->second + 1);
  c.out.Integer(-1);
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]
boost::asio::awaitable<void> BitOp(CommandContext& ctx) {
  std::string_view op = ctx.args[1];
  const bool is_not = EqualsIgnoreCase(op, "not"), is_and = EqualsIgnoreCase(op, "and");
  const bool is_or = EqualsIgnoreCase(op, "or");
  if (!is_not && !is_and && !is_or && !EqualsIgnoreCase(op, "xor")) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  std::span<const std::string_view> keys = ctx.args.subspan(3);
  if (is_not && keys.size() != 1) {
    ctx.out->Error("ERR BITOP NOT must be called with a single source key.");
    co_return;
  }
  std::string_view dest = ctx.args[2];
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : keys) tx.AddKey(k, LockMode::kShared);
  const uint32_t dest_shard = tx.AddKey(dest, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  std::vector<std::string> values(keys.size());
  bool wrong_type = false;
  co_await VisitKeys(ctx, tx, keys, [&](size_t i, Entry* e) {
    if (e->type() != ValueType::kString)
      wrong_type = true;
    else
      values[i] = e->StringValue();
  });
  if (wrong_type) {
    co_await tx.Finish();
    ctx.out->Error(errors::kWrongType);
    co_return;
  }
  size_t len = 0;
  for (const std::string& v : values) len = std::max(len, v.size());
  std::string result(len, '\0');
  for (size_t i = 0; i < len; i++) {
    auto at = [&](size_t k) {
      return i < values[k].size() ? static_cast<unsigned char>(values[k][i]) : 0u;
    };
    unsigned acc = at(0);
    for (size_t k = 1; k < values.size(); k++) {
      if (is_and)
        acc &= at(k);
      else if (is_or)
        acc |= at(k);
      else
        acc ^= at(k);
    }
    result[i] = static_cast<char>(is_not ? ~acc : acc);
  }
  auto write = [&](Shard& shard) {
    Db& db = shard.db(ctx.client->db);
    const int64_t now = shard.NowMs();
    Entry* old = db.FindForWrite(dest, now);
    if (result.empty()) {
      if (old != nullptr) db.Delete(old);
      return;
    }
    StoreString(db, old, dest, result, 0, now, false);
  };
  co_await tx.Run(dest_shard, write);
  co_await tx.Finish();
  ctx.out->Integer(static_cast<int64_t>(len));
}

constexpr std::string_view kBitWrite = "@write @bitmap @slow";
constexpr std::string_view kBitRead = "@read @bitmap @slow";

const CommandSpec kBitmapCommands[] = {
    {"setbit", 4, kCmdWrite | kCmdDenyOom, 1, 1, 1, kBitWrite, "bitmap", "2.2.0",
     "Sets or clears the bit at offset of the string value. Creates the key if it doesn't "
     "exist.",
     SetBit, nullptr},
    {"getbit", 3, kCmdReadOnly | kCmdFast, 1, 1, 1, "@read @bitmap @fast", "bitmap", "2.2.0",
     "Returns a bit value by offset.", GetBit, nullptr},
    {"bitcount", -2, kCmdReadOnly, 1, 1, 1, kBitRead, "bitmap", "2.6.0",
     "Counts the number of set bits (population counting) in a string.", BitCount, nullptr},
    {"bitpos", -3, kCmdReadOnly, 1, 1, 1, kBitRead, "bitmap", "2.8.7",
     "Finds the first set (1) or clear (0) bit in a string.", BitPos, nullptr},
    {"bitop", -4, kCmdWrite | kCmdDenyOom, 2, -1, 1, kBitWrite, "bitmap", "2.6.0",
     "Performs bitwise operations on multiple strings, and stores the result.", nullptr, BitOp},
};

}  // namespace

std::span<const CommandSpec> BitmapFamily() { return kBitmapCommands; }

}  // namespace shoal
