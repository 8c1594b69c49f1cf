#include "core/entry.h"

#include <malloc.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "base/strings.h"
#include "core/object.h"
#include "core/varint.h"

namespace shoal {

namespace {

// A block whose unused tail reaches this many bytes is shrunk by SetValue/WithExpiryBlock:
// glibc only splits off a remainder of at least MINSIZE (32 bytes on 64-bit).
constexpr size_t kTrimSlack = 32;

void CopyBytes(unsigned char* dst, const void* src, size_t n) {
  if (n != 0) std::memcpy(dst, src, n);  // src may be nullptr when n == 0
}

[[noreturn]] void OutOfMemory(size_t bytes) {
  std::fprintf(stderr, "shoal: out of memory allocating %zu bytes\n", bytes);
  std::abort();
}

// Whether `v` points into the `n` bytes at `block` (caller data aliasing an entry we may move).
bool Overlaps(std::string_view v, const void* block, size_t n) {
  auto p = reinterpret_cast<uintptr_t>(v.data());
  auto b = reinterpret_cast<uintptr_t>(block);
  return !v.empty() && p >= b && p < b + n;
}

// kInt and kObject values are 8 bytes and store no length.
bool HasFixedValue(Encoding e) { return e != Encoding::kRaw; }

size_t DecimalDigits(int64_t v) {
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  size_t n = v < 0 ? 2 : 1;
  while (u >= 10) {
    u /= 10;
    n++;
  }
  return n;
}

}  // namespace

Entry::Decoded Entry::Decode() const {
  Decoded d;
  d.shape.has_expiry = has_expiry_block();
  d.shape.has_item = has_item_block();
  d.shape.encoding = encoding();
  size_t off = kFixedHeaderBytes + (d.shape.has_expiry ? kExpiryBlockBytes : 0) +
               (d.shape.has_item ? kItemBlockBytes : 0);
  d.shape.key_len = ReadVarint(bytes(), &off);
  d.shape.val_len = HasFixedValue(d.shape.encoding) ? 8 : ReadVarint(bytes(), &off);
  d.key_offset = off;
  return d;
}

size_t Entry::HeaderBytes(const Shape& s) {
  return kFixedHeaderBytes + (s.has_expiry ? kExpiryBlockBytes : 0) +
         (s.has_item ? kItemBlockBytes : 0) + VarintBytes(s.key_len) +
         (HasFixedValue(s.encoding) ? 0 : VarintBytes(s.val_len));
}

Entry* Entry::Allocate(size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) OutOfMemory(n);
  return new (p) Entry();
}

void Entry::WriteHeader(const Shape& s, const Blocks& blocks) {
  unsigned char* b = bytes();
  b[kTypeOffset] = static_cast<unsigned char>((b[kTypeOffset] & 0x0f) |
                                              (static_cast<unsigned>(s.encoding) << 4));
  b[kFlagsOffset] =
      static_cast<unsigned char>((b[kFlagsOffset] & kFlagModifiedInPlace) |
                                 (s.has_expiry ? kFlagExpiry : 0) | (s.has_item ? kFlagItem : 0));
  size_t off = kFixedHeaderBytes;
  if (s.has_expiry) {
    std::memcpy(b + off, &blocks.expire_at_ms, sizeof(blocks.expire_at_ms));
    std::memcpy(b + off + sizeof(int64_t), &blocks.volatile_index, sizeof(uint32_t));
    off += kExpiryBlockBytes;
  }
  if (s.has_item) {
    std::memcpy(b + off, &blocks.client_flags, sizeof(blocks.client_flags));
    std::memcpy(b + off + sizeof(uint32_t), &blocks.cas, sizeof(blocks.cas));
    off += kItemBlockBytes;
  }
  off += WriteVarint(b + off, s.key_len);
  if (!HasFixedValue(s.encoding)) WriteVarint(b + off, s.val_len);
}

Entry* Entry::Build(std::string_view key, const Shape& s) {
  assert(key.size() <= kMaxLength && s.val_len <= kMaxLength);
  Entry* e = Allocate(TotalBytes(s));
  e->next = nullptr;
  e->bytes()[kTypeOffset] = static_cast<unsigned char>(ValueType::kString);
  e->bytes()[kFlagsOffset] = 0;
  e->set_access(0);
  e->WriteHeader(s, Blocks());
  CopyBytes(e->bytes() + HeaderBytes(s), key.data(), key.size());
  return e;
}

Entry* Entry::Create(std::string_view key, std::string_view value, bool with_expire,
                     bool allow_int) {
  if (allow_int) {
    if (std::optional<int64_t> v = ParseInt64(value)) return CreateInt(key, *v, with_expire);
  }
  Shape s{with_expire, Encoding::kRaw, key.size(), value.size()};
  Entry* e = Build(key, s);
  CopyBytes(e->bytes() + HeaderBytes(s) + key.size(), value.data(), value.size());
  return e;
}

Entry* Entry::CreateInt(std::string_view key, int64_t v, bool with_expire) {
  Shape s{with_expire, Encoding::kInt, key.size(), sizeof(int64_t)};
  Entry* e = Build(key, s);
  std::memcpy(e->bytes() + HeaderBytes(s) + key.size(), &v, sizeof(v));
  return e;
}

Entry* Entry::CreateObject(std::string_view key, Object* object, bool with_expire) {
  Shape s{with_expire, Encoding::kObject, key.size(), sizeof(Object*)};
  Entry* e = Build(key, s);
  e->bytes()[kTypeOffset] = static_cast<unsigned char>((e->bytes()[kTypeOffset] & 0xf0) |
                                                       static_cast<unsigned>(object->type()));
  std::memcpy(e->bytes() + HeaderBytes(s) + key.size(), &object, sizeof(object));
  return e;
}

void Entry::Destroy(Entry* e) {
  if (e == nullptr) return;
  if (e->encoding() == Encoding::kObject) delete e->object();
  std::free(e);
}

void Entry::ReleaseObject() {
  if (encoding() != Encoding::kObject) return;
  delete object();
  // Still kObject (so Decode reads the same layout) but a string holding no object, until the
  // caller's Reshape writes the new encoding.
  const Decoded d = Decode();
  Object* none = nullptr;
  std::memcpy(value_ptr(d), &none, sizeof(none));
  bytes()[kTypeOffset] = static_cast<unsigned char>((byte(kTypeOffset) & 0xf0) |
                                                    static_cast<unsigned>(ValueType::kString));
}

Entry* Entry::Reshape(Entry* e, const Shape& s, size_t keep, Growth growth) {
  const Decoded old = e->Decode();
  assert(s.key_len == old.shape.key_len && keep <= old.shape.val_len && keep <= s.val_len);
  assert(s.val_len <= kMaxLength);
  Blocks blocks;
  if (old.shape.has_expiry && s.has_expiry) {
    blocks.expire_at_ms = e->expire_at_ms();
    blocks.volatile_index = e->volatile_index();
  }
  if (old.shape.has_item && s.has_item) {
    blocks.client_flags = e->client_flags();
    blocks.cas = e->cas();
  }
  const size_t need = TotalBytes(s);
  const size_t key_offset = HeaderBytes(s);
  const size_t usable = e->AllocatedBytes();
  const size_t moved = s.key_len + keep;  // the key and the kept value prefix are contiguous
  bool fresh_block = false;
  if (need > usable) {
    size_t alloc = need;
    if (growth == Growth::kGreedy) alloc += std::min(TotalBytes(old.shape), need / 2);
    if (keep == 0) {
      // Nothing of the old value survives: copy only the header and key, not the value.
      Entry* n = Allocate(alloc);
      std::memcpy(n->bytes(), e->bytes(), kFixedHeaderBytes);
      CopyBytes(n->bytes() + key_offset, e->bytes() + old.key_offset, s.key_len);
      std::free(e);
      e = n;
    } else {
      void* p = std::realloc(e, alloc);
      if (p == nullptr) OutOfMemory(alloc);
      e = static_cast<Entry*>(p);
      if (key_offset != old.key_offset) {
        std::memmove(e->bytes() + key_offset, e->bytes() + old.key_offset, moved);
      }
    }
    fresh_block = true;
  } else if (key_offset != old.key_offset) {
    std::memmove(e->bytes() + key_offset, e->bytes() + old.key_offset, moved);
  }
  e->WriteHeader(s, blocks);
  if (!fresh_block && growth == Growth::kExact && usable - need >= kTrimSlack) {
    void* p = std::realloc(e, need);  // glibc shrinks in place; other allocators may move
    if (p != nullptr) e = static_cast<Entry*>(p);
  }
  return e;
}

Entry* Entry::SetRawValue(Entry* e, std::string_view value) {
  e->ReleaseObject();
  if (Overlaps(value, e, e->AllocatedBytes())) {
    std::string copy(value);  // `value` lives inside the block we may move
    return SetRawValue(e, copy);
  }
  Shape s = e->Decode().shape;
  s.encoding = Encoding::kRaw;
  s.val_len = value.size();
  e = Reshape(e, s, 0, Growth::kExact);
  CopyBytes(e->bytes() + HeaderBytes(s) + s.key_len, value.data(), value.size());
  e->bytes()[kFlagsOffset] &= static_cast<unsigned char>(~kFlagModifiedInPlace);
  return e;
}

Entry* Entry::SetValue(Entry* e, std::string_view value, bool allow_int) {
  if (allow_int) {
    if (std::optional<int64_t> v = ParseInt64(value)) return SetIntValue(e, *v);
  }
  return SetRawValue(e, value);
}

Entry* Entry::SetIntValue(Entry* e, int64_t v) {
  e->ReleaseObject();
  Shape s = e->Decode().shape;
  s.encoding = Encoding::kInt;
  s.val_len = sizeof(int64_t);
  e = Reshape(e, s, 0, Growth::kExact);
  std::memcpy(e->bytes() + HeaderBytes(s) + s.key_len, &v, sizeof(v));
  e->bytes()[kFlagsOffset] &= static_cast<unsigned char>(~kFlagModifiedInPlace);
  return e;
}

Entry* Entry::Append(Entry* e, std::string_view tail) {
  if (e->encoding() == Encoding::kInt) {
    std::string s = FormatInt64(e->int_value());
    s.append(tail);
    return MarkModified(SetRawValue(e, s));
  }
  if (Overlaps(tail, e, e->AllocatedBytes())) {
    std::string copy(tail);
    return Append(e, copy);
  }
  Shape s = e->Decode().shape;
  const size_t old_len = s.val_len;
  s.val_len += tail.size();
  e = Reshape(e, s, old_len, Growth::kGreedy);
  CopyBytes(e->bytes() + HeaderBytes(s) + s.key_len + old_len, tail.data(), tail.size());
  return MarkModified(e);
}

Entry* Entry::SetRange(Entry* e, size_t offset, std::string_view bytes) {
  if (bytes.empty()) return e;
  if (e->encoding() == Encoding::kInt) {
    std::string s = FormatInt64(e->int_value());
    if (s.size() < offset + bytes.size()) s.resize(offset + bytes.size(), '\0');
    s.replace(offset, bytes.size(), bytes);
    return MarkModified(SetRawValue(e, s));
  }
  if (Overlaps(bytes, e, e->AllocatedBytes())) {
    std::string copy(bytes);
    return SetRange(e, offset, copy);
  }
  Shape s = e->Decode().shape;
  const size_t old_len = s.val_len;
  s.val_len = std::max(old_len, offset + bytes.size());
  e = Reshape(e, s, old_len, Growth::kGreedy);
  unsigned char* value = e->bytes() + HeaderBytes(s) + s.key_len;
  if (offset > old_len) std::memset(value + old_len, 0, offset - old_len);
  std::memcpy(value + offset, bytes.data(), bytes.size());
  return MarkModified(e);
}

Entry* Entry::MarkModified(Entry* e) {
  e->bytes()[kFlagsOffset] |= kFlagModifiedInPlace;
  return e;
}

Entry* Entry::WithExpiryBlock(Entry* e, bool present) {
  if (e->has_expiry_block() == present) return e;
  Shape s = e->Decode().shape;
  const size_t keep = s.val_len;
  s.has_expiry = present;
  return Reshape(e, s, keep, Growth::kExact);
}

Entry* Entry::WithItemBlock(Entry* e, bool present) {
  if (e->has_item_block() == present) return e;
  Shape s = e->Decode().shape;
  const size_t keep = s.val_len;
  s.has_item = present;
  return Reshape(e, s, keep, Growth::kExact);
}

std::string_view Entry::key() const {
  const Decoded d = Decode();
  return {reinterpret_cast<const char*>(bytes()) + d.key_offset, d.shape.key_len};
}

int64_t Entry::int_value() const {
  assert(encoding() == Encoding::kInt);
  const Decoded d = Decode();
  int64_t v;
  std::memcpy(&v, bytes() + d.key_offset + d.shape.key_len, sizeof(v));
  return v;
}

std::string_view Entry::raw_value() const {
  assert(encoding() == Encoding::kRaw);
  const Decoded d = Decode();
  return {reinterpret_cast<const char*>(bytes()) + d.key_offset + d.shape.key_len, d.shape.val_len};
}

Object* Entry::object() const {
  assert(encoding() == Encoding::kObject);
  const Decoded d = Decode();
  Object* o;
  std::memcpy(&o, bytes() + d.key_offset + d.shape.key_len, sizeof(o));
  return o;
}

size_t Entry::StringLength() const {
  if (encoding() == Encoding::kInt) return DecimalDigits(int_value());
  return Decode().shape.val_len;
}

std::string Entry::StringValue() const {
  if (encoding() == Encoding::kInt) return FormatInt64(int_value());
  return std::string(raw_value());
}

std::string_view Entry::StringView(std::string& scratch) const {
  if (encoding() == Encoding::kRaw) return raw_value();
  scratch = FormatInt64(int_value());
  return scratch;
}

int64_t Entry::expire_at_ms() const {
  assert(has_expiry_block());
  int64_t v;
  std::memcpy(&v, bytes() + kFixedHeaderBytes, sizeof(v));
  return v;
}

void Entry::set_expire_at_ms(int64_t ms) {
  assert(has_expiry_block());
  std::memcpy(bytes() + kFixedHeaderBytes, &ms, sizeof(ms));
}

uint32_t Entry::volatile_index() const {
  assert(has_expiry_block());
  uint32_t v;
  std::memcpy(&v, bytes() + kFixedHeaderBytes + sizeof(int64_t), sizeof(v));
  return v;
}

void Entry::set_volatile_index(uint32_t index) {
  assert(has_expiry_block());
  std::memcpy(bytes() + kFixedHeaderBytes + sizeof(int64_t), &index, sizeof(index));
}

uint32_t Entry::client_flags() const {
  assert(has_item_block());
  uint32_t v;
  std::memcpy(&v, bytes() + ItemOffset(), sizeof(v));
  return v;
}

void Entry::set_client_flags(uint32_t flags) {
  assert(has_item_block());
  std::memcpy(bytes() + ItemOffset(), &flags, sizeof(flags));
}

uint64_t Entry::cas() const {
  assert(has_item_block());
  uint64_t v;
  std::memcpy(&v, bytes() + ItemOffset() + sizeof(uint32_t), sizeof(v));
  return v;
}

void Entry::set_cas(uint64_t cas) {
  assert(has_item_block());
  std::memcpy(bytes() + ItemOffset() + sizeof(uint32_t), &cas, sizeof(cas));
}

size_t Entry::AllocatedBytes() const { return malloc_usable_size(const_cast<Entry*>(this)); }

size_t Entry::MemoryBytes() const {
  size_t n = AllocatedBytes();
  if (encoding() == Encoding::kObject) n += object()->MemoryBytes();
  return n;
}

}  // namespace shoal
