// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78): the checksum of the peer
// protocol's frames and of the Raft WAL's records. Uses the SSE4.2 crc32 instruction when the
// CPU has it (checked once at run time) and a slicing-by-8 table otherwise; both give the same
// values (crc32c_test.cc checks the RFC 3720 vectors on both paths).
//
// Thread-safe: pure functions over constant tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shoal {

// Continues a CRC over more bytes: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

namespace crc32c_internal {
// The two implementations, exposed for tests. Hardware requires Crc32cHardwareAvailable().
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n);
bool HardwareAvailable();
}  // namespace crc32c_internal

}  // namespace shoal
