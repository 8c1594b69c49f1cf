// Entry: one key of the keyspace and its value in a single malloc'd block.
//
// Thread ownership: an Entry belongs to the shard thread that owns its key (through that shard's
// Dict). Nothing here is thread-safe.
//
// Byte layout of the block (fields after `next` are unaligned and read and written with memcpy
// or byte access only; access is little-endian, the expiry and int fields are in host order):
//
//   off  size  field
//   0    8     next            intrusive chain link, owned by Dict (the only aligned field)
//   8    1     type:4 | encoding:4   (low nibble ValueType, high nibble Encoding)
//   9    1     flags           bit 0: expiry block present; bit 1: value modified in place
//                               (APPEND/SETRANGE); bit 2: item block present; bits 3..7
//                               reserved (zero)
//   10   3     access          24 bits of LRU/LFU metadata, engine-defined
//   13   12    [expiry block]  only when flags bit 0: int64 expire_at_ms, uint32 volatile_index
//   ..   12    [item block]    only when flags bit 2: uint32 client_flags, uint64 cas: what a
//                               memcached item carries besides its value (docs/memcache.md)
//   ..   1-5   key_len         LEB128 varint
//   ..   1-5   val_len         LEB128 varint; absent for Encoding::kInt and kObject
//   ..   k     key bytes       arbitrary binary
//   ..   v     value bytes     kRaw: val_len bytes; kInt: 8-byte int64; kObject: 8-byte
//                               owning Object* (hash, list, set, zset; core/object.h)
//   ..         [slack]         unused tail of the malloc chunk (Append keeps some for growth)
//
// A 16-byte key with a 100-byte value needs 13 + 1 + 1 + 16 + 100 = 131 bytes: one 144-byte
// glibc chunk. See docs/keyspace.md.
//
// Invariants:
//  - the block is exactly one malloc allocation; AllocatedBytes() is its usable size and every
//    byte up to the end of the value lies inside it;
//  - Create/SetValue choose kInt exactly when ParseInt64 accepts the value, so formatting the
//    int gives back the bytes that were set; CreateInt/SetIntValue store any int64 (INCR);
//  - functions that may reallocate (SetValue, SetIntValue, Append, SetRange, WithExpiryBlock,
//    WithItemBlock) keep the key, the type, the access bits, `next` and the expiry and item
//    blocks' contents; when they return a different pointer the old block has been freed and
//    whoever points at it (Dict chain, expiry index) must be updated (Dict::Replace never
//    dereferences the old pointer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/value_type.h"

namespace shoal {

class Object;

class Entry {
 public:
  Entry* next;  // intrusive chain link, owned by Dict

  // Largest key or value length an Entry can hold (Redis's proto-max-bulk-len default).
  static constexpr size_t kMaxLength = size_t{512} * 1024 * 1024;
  // Bytes of the fixed header after `next` (type/encoding, flags, access).
  static constexpr size_t kFixedHeaderBytes = 13;
  static constexpr size_t kExpiryBlockBytes = 12;
  static constexpr size_t kItemBlockBytes = 12;

  // Creates a string entry; uses kInt when ParseInt64(value) succeeds. with_expire reserves the
  // expiry block (expire_at_ms = 0, volatile_index = 0). next and access start at 0.
  // allow_int = false keeps even an integer-looking value as bytes (INCRBYFLOAT's results).
  static Entry* Create(std::string_view key, std::string_view value, bool with_expire = false,
                       bool allow_int = true);
  static Entry* CreateInt(std::string_view key, int64_t v, bool with_expire = false);
  // Takes ownership of `object`; the entry's type is object->type().
  static Entry* CreateObject(std::string_view key, Object* object, bool with_expire = false);
  static void Destroy(Entry* e);  // nullptr is fine; deletes the Object of a kObject entry

  // Replace the value; returns the entry now holding it: `e` itself when reused in place, or a
  // new block (then `e` is freed and the caller must update the tables pointing to it).
  // Key, access bits, next and the expiry block are kept. A block much bigger than needed is
  // trimmed.
  // kInt when possible and allowed; clears modified_in_place(). The entry becomes a string (an
  // Object it held is deleted).
  [[nodiscard]] static Entry* SetValue(Entry* e, std::string_view value, bool allow_int = true);
  [[nodiscard]] static Entry* SetIntValue(Entry* e, int64_t v);
  // Appends raw bytes (result is kRaw). Growth is geometric, so repeated appends cost amortised
  // O(bytes appended); the spare capacity is visible in AllocatedBytes().
  [[nodiscard]] static Entry* Append(Entry* e, std::string_view tail);
  // Overwrites bytes at offset, zero-padding when growing (SETRANGE semantics); result kRaw.
  // Empty `bytes` changes nothing (as Redis: no padding, encoding kept).
  [[nodiscard]] static Entry* SetRange(Entry* e, size_t offset, std::string_view bytes);
  // Adds (zeroed) or drops the expiry block; no-op when already in that state.
  [[nodiscard]] static Entry* WithExpiryBlock(Entry* e, bool present);
  // Adds (zeroed) or drops the item block; no-op when already in that state.
  [[nodiscard]] static Entry* WithItemBlock(Entry* e, bool present);

  std::string_view key() const;
  ValueType type() const { return static_cast<ValueType>(byte(kTypeOffset) & 0x0f); }
  Encoding encoding() const { return static_cast<Encoding>(byte(kTypeOffset) >> 4); }
  int64_t int_value() const;           // requires encoding() == kInt
  std::string_view raw_value() const;  // requires encoding() == kRaw
  Object* object() const;              // requires encoding() == kObject
  bool is_string() const { return type() == ValueType::kString; }
  size_t StringLength() const;      // STRLEN (digits of the int for kInt)
  std::string StringValue() const;  // the value as bytes (ints formatted)
  // Writes the value into `scratch` if needed and returns a view valid while scratch and e live
  // unchanged.
  std::string_view StringView(std::string& scratch) const;

  bool has_expiry_block() const { return (byte(kFlagsOffset) & kFlagExpiry) != 0; }
  // True after Append/SetRange until the value is replaced: Redis reports such strings as
  // "raw" whatever their length (OBJECT ENCODING).
  bool modified_in_place() const { return (byte(kFlagsOffset) & kFlagModifiedInPlace) != 0; }
  int64_t expire_at_ms() const;  // requires has_expiry_block()
  void set_expire_at_ms(int64_t ms);
  uint32_t volatile_index() const;  // requires has_expiry_block()
  void set_volatile_index(uint32_t index);
  bool has_item_block() const { return (byte(kFlagsOffset) & kFlagItem) != 0; }
  uint32_t client_flags() const;  // requires has_item_block()
  void set_client_flags(uint32_t flags);
  uint64_t cas() const;  // requires has_item_block()
  void set_cas(uint64_t cas);

  // 24 bits of access metadata (LRU clock or LFU counter+time), engine-defined.
  uint32_t access() const {
    return uint32_t{byte(kAccessOffset)} | uint32_t{byte(kAccessOffset + 1)} << 8 |
           uint32_t{byte(kAccessOffset + 2)} << 16;
  }
  void set_access(uint32_t v) {  // v masked to 24 bits
    bytes()[kAccessOffset] = static_cast<unsigned char>(v);
    bytes()[kAccessOffset + 1] = static_cast<unsigned char>(v >> 8);
    bytes()[kAccessOffset + 2] = static_cast<unsigned char>(v >> 16);
  }

  size_t AllocatedBytes() const;  // malloc_usable_size of the block
  // What the Db accounts for this key: the block plus the Object it owns.
  size_t MemoryBytes() const;

  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

 private:
  static constexpr size_t kTypeOffset = 8;
  static constexpr size_t kFlagsOffset = 9;
  static constexpr size_t kAccessOffset = 10;
  static constexpr unsigned char kFlagExpiry = 1;
  static constexpr unsigned char kFlagModifiedInPlace = 2;
  static constexpr unsigned char kFlagItem = 4;

  // The variable part of the layout, decoded.
  struct Shape {
    bool has_expiry;
    Encoding encoding;
    size_t key_len;
    size_t val_len;  // value bytes in the block: the raw length, or 8 for kInt
    bool has_item = false;
  };
  // The contents of the optional blocks, carried across a Reshape.
  struct Blocks {
    int64_t expire_at_ms = 0;
    uint32_t volatile_index = 0;
    uint32_t client_flags = 0;
    uint64_t cas = 0;
  };
  struct Decoded {
    Shape shape;
    size_t key_offset;  // value follows the key
  };
  enum class Growth { kExact, kGreedy };

  Entry() = default;

  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(this); }
  const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(this); }
  unsigned char byte(size_t off) const { return bytes()[off]; }
  Decoded Decode() const;

  static size_t HeaderBytes(const Shape& s);
  static size_t TotalBytes(const Shape& s) { return HeaderBytes(s) + s.key_len + s.val_len; }
  static Entry* Allocate(size_t bytes);
  // Writes the fixed header (except next and access), the optional blocks and the varints for
  // `s`.
  void WriteHeader(const Shape& s, const Blocks& blocks);
  // Offset of the item block (valid when has_item_block()).
  size_t ItemOffset() const {
    return kFixedHeaderBytes + (has_expiry_block() ? kExpiryBlockBytes : 0);
  }
  static Entry* Build(std::string_view key, const Shape& s);
  // A string value is about to replace an Object: deletes it and makes the entry a string.
  void ReleaseObject();
  // Gives `e` the layout `s` (same key length): the key and the first `keep` bytes of the old
  // value end up in place; the rest of the value area is unspecified. May move the block.
  static Entry* Reshape(Entry* e, const Shape& s, size_t keep, Growth growth);
  static Entry* SetRawValue(Entry* e, std::string_view value);
  static Entry* MarkModified(Entry* e);
  unsigned char* value_ptr(const Decoded& d) { return bytes() + d.key_offset + d.shape.key_len; }
};

static_assert(sizeof(Entry) == sizeof(Entry*), "Entry is a header over a malloc'd block");

}  // namespace shoal
