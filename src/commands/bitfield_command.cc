// BITFIELD and BITFIELD_RO: integers of 1..64 bits (u1..u63, i1..i64) at any bit offset of a
// string value, read, set or incremented with Redis's OVERFLOW WRAP|SAT|FAIL rules. All
// operations are parsed before any runs, as Redis, so a bad one leaves the value untouched.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"

namespace shoal {
namespace {

enum class Overflow { kWrap, kSat, kFail };

struct FieldOp {
  enum class Kind { kGet, kSet, kIncrBy } kind;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;  // SET value or INCRBY increment
  Overflow overflow;
};

// "i8", "u16", ...; nullopt for anything else (u64 is not allowed: its values do not fit the
// signed replies).
std::optional<std::pair<bool, int>> ParseType(std::string_view t) {
  if (t.size() < 2 || (t[0] != 'i' && t[0] != 'I' && t[0] != 'u' && t[0] != 'U')) {
    return std::nullopt;
  }
  std::optional<int64_t> bits = ParseInt64(t.substr(1));
  const bool is_signed = t[0] == 'i' || t[0] == 'I';
  if (!bits || *bits < 1 || *bits > (is_signed ? 64 : 63)) return std::nullopt;
  return std::make_pair(is_signed, static_cast<int>(*bits));
}

// "123" or "#3" (3 times the type's width).
std::optional<uint64_t> ParseOffset(std::string_view s, int bits) {
  const bool scaled = !s.empty() && s[0] == '#';
  std::optional<int64_t> v = ParseInt64(scaled ? s.substr(1) : s);
  if (!v || *v < 0) return std::nullopt;
  const __int128 offset = static_cast<__int128>(*v) * (scaled ? bits : 1);
  if (offset + bits > (__int128{512} << 20) * 8) return std::nullopt;  // proto-max-bulk-len
  return static_cast<uint64_t>(offset);
}

uint64_t ReadBits(const std::string& v, uint64_t offset, int bits) {
  uint64_t out = 0;
  for (int i = 0; i < bits; i++) {
    const uint64_t bit = offset + static_cast<uint64_t>(i);
    const size_t byte = bit >> 3;
    const int b =
        byte < v.size() ? (static_cast<unsigned char>(v[byte]) >> (7 - (bit & 7))) & 1 : 0;
    out = (out << 1) | static_cast<uint64_t>(b);
  }
  return out;
}

void WriteBits(std::string& v, uint64_t offset, int bits, uint64_t value) {
  const size_t need = static_cast<size_t>((offset + static_cast<uint64_t>(bits) + 7) >> 3);
  if (v.size() < need) v.resize(need, '\0');
  for (int i = 0; i < bits; i++) {
    const uint64_t bit = offset + static_cast<uint64_t>(i);
    const int b = static_cast<int>((value >> (bits - 1 - i)) & 1);
    auto& c = reinterpret_cast<unsigned char&>(v[bit >> 3]);
    const auto mask = static_cast<unsigned char>(0x80 >> (bit & 7));
    c = static_cast<unsigned char>(b ? (c | mask) : (c & ~mask));
  }
}

int64_t AsSigned(uint64_t raw, int bits) {
  if (bits == 64) return static_cast<int64_t>(raw);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((raw ^ sign) - sign);  // sign-extend
}

// old + delta in the field's range under `overflow`; nullopt when FAIL refuses it.
std::optional<int64_t> Apply(const FieldOp& op, int64_t old, int64_t delta) {
  const __int128 sum = static_cast<__int128>(old) + delta;
  const __int128 min = op.is_signed ? -(static_cast<__int128>(1) << (op.bits - 1)) : 0;
  const __int128 max = op.is_signed ? (static_cast<__int128>(1) << (op.bits - 1)) - 1
                                    : (static_cast<__int128>(1) << op.bits) - 1;
  if (sum >= min && sum <= max) return static_cast<int64_t>(sum);
  switch (op.overflow) {
    case Overflow::kFail:
      return std::nullopt;
    case Overflow::kSat:
      return static_cast<int64_t>(sum < min ? min : max);
    case Overflow::kWrap: {
      const __int128 span = static_cast<__int128>(1) << op.bits;
      __int128 r = ((sum - min) % span + span) % span + min;
      return static_cast<int64_t>(r);
    }
  }
  return std::nullopt;
}

// Parses every operation of args[2..]; false with the error written.
bool ParseOps(CmdArgs args, bool read_only, std::vector<FieldOp>* ops, ReplySink& out) {
  Overflow overflow = Overflow::kWrap;
  for (size_t i = 2; i < args.size(); i++) {
    std::string_view a = args[i];
    const size_t left = args.size() - i - 1;
    FieldOp op{FieldOp::Kind::kGet, false, 0, 0, 0, overflow};
    if (EqualsIgnoreCase(a, "overflow") && left >= 1) {
      std::string_view o = args[++i];
      if (EqualsIgnoreCase(o, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (EqualsIgnoreCase(o, "sat")) {
        overflow = Overflow::kSat;
      } else if (EqualsIgnoreCase(o, "fail")) {
        overflow = Overflow::kFail;
      } else {
        out.Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    }
    if (EqualsIgnoreCase(a, "get") && left >= 2) {
      op.kind = FieldOp::Kind::kGet;
    } else if (EqualsIgnoreCase(a, "set") && left >= 3) {
      op.kind = FieldOp::Kind::kSet;
    } else if (EqualsIgnoreCase(a, "incrby") && left >= 3) {
      op.kind = FieldOp::Kind::kIncrBy;
    } else {
      out.Error(errors::kSyntax);
      return false;
    }
    if (read_only && op.kind != FieldOp::Kind::kGet) {
      out.Error("ERR BITFIELD_RO only supports the GET subcommand");
      return false;
    }
    std::optional<std::pair<bool, int>> type = ParseType(args[i + 1]);
    if (!type) {
      out.Error(
          "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
          "supported but i64 is.");
      return false;
    }
    op.is_signed = type->first;
    op.bits = type->second;
    std::optional<uint64_t> offset = ParseOffset(args[i + 2], op.bits);
    if (!offset) {
      out.Error("ERR bit offset is not an integer or out of range");
      return false;
    }
    op.offset = *offset;
    i += 2;
    if (op.kind != FieldOp::Kind::kGet) {
      std::optional<int64_t> v = ParseInt64(args[++i]);
      if (!v) {
        out.Error(errors::kNotInteger);
        return false;
      }
      op.value = *v;
    }
    ops->push_back(op);
  }
  return true;
}

void BitFieldGeneric(ShardCall& c, bool read_only) {
  std::vector<FieldOp> ops;
  if (!ParseOps(c.args, read_only, &ops, c.out)) return;
  bool bad;
  Entry* e = FindTyped(c.db, c.args[1], c.now_ms, ValueType::kString, c.out, &bad, !read_only);
  if (bad) return;
  std::string value = e == nullptr ? std::string() : e->StringValue();
  // As Redis: a command with writes first creates the key and pads it to cover every
  // written field, even if OVERFLOW FAIL then refuses all of them.
  bool wrote = false;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::Kind::kGet) continue;
    wrote = true;
    const size_t need = static_cast<size_t>((op.offset + static_cast<uint64_t>(op.bits) + 7) >> 3);
    if (value.size() < need) value.resize(need, '\0');
  }
  c.out.ArrayHeader(ops.size());
  for (const FieldOp& op : ops) {
    const uint64_t raw = ReadBits(value, op.offset, op.bits);
    const int64_t old = op.is_signed ? AsSigned(raw, op.bits) : static_cast<int64_t>(raw);
    if (op.kind == FieldOp::Kind::kGet) {
      c.out.Integer(old);
      continue;
    }
    // SET checks its value as an increment from 0, as Redis.
    std::optional<int64_t> updated =
        op.kind == FieldOp::Kind::kSet ? Apply(op, 0, op.value) : Apply(op, old, op.value);
    if (!updated) {
      c.out.Null();
      continue;
    }
    WriteBits(value, op.offset, op.bits, static_cast<uint64_t>(*updated));
    c.out.Integer(op.kind == FieldOp::Kind::kSet ? old : *updated);
  }
  if (wrote) StoreString(c.db, e, c.args[1], value, -1, c.now_ms, false);
}
void BitField(ShardCall& c) { BitFieldGeneric(c, false); }
void BitFieldRo(ShardCall& c) { BitFieldGeneric(c, true); }

const CommandSpec kBitFieldCommands[] = {
    {"bitfield", -2, kCmdWrite | kCmdDenyOom, 1, 1, 1, "@write @bitmap @slow", "bitmap", "3.2.0",
     "Performs arbitrary bitfield integer operations on strings.", BitField, nullptr},
    {"bitfield_ro", -2, kCmdReadOnly | kCmdFast, 1, 1, 1, "@read @bitmap @fast", "bitmap", "6.0.0",
     "Performs arbitrary read-only bitfield integer operations on strings.", BitFieldRo, nullptr},
};

}  // namespace

std::span<const CommandSpec> BitFieldFamily() { return kBitFieldCommands; }

}  // namespace shoal
