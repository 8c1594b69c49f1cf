#include "core/geohash.h"

#include <algorithm>
#include <cmath>

namespace shoal::geo {
namespace {

constexpr int kStep = 26;

// Times one rounded constant, as Redis (degrees * M_PI / 180 rounds differently, and stored
// distances, STOREDIST, show every bit).
constexpr double kRadiansPerDegree = M_PI / 180.0;
double Radians(double degrees) { return degrees * kRadiansPerDegree; }

// Spreads the 32 bits of v to the even bits of a 64-bit word.
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// The inverse: the even bits of x, packed.
uint32_t Squash(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

uint64_t EncodeRange(double lon, double lat, double lat_min, double lat_max) {
  const double lat_offset = (lat - lat_min) / (lat_max - lat_min) * (1ULL << kStep);
  const double lon_offset = (lon - kLonMin) / (kLonMax - kLonMin) * (1ULL << kStep);
  return Spread(static_cast<uint32_t>(lat_offset)) |
         (Spread(static_cast<uint32_t>(lon_offset)) << 1);
}

}  // namespace

bool Valid(double lon, double lat) {
  return lon >= kLonMin && lon <= kLonMax && lat >= kLatMin && lat <= kLatMax;
}

uint64_t Encode(double lon, double lat) { return EncodeRange(lon, lat, kLatMin, kLatMax); }

Position Decode(uint64_t bits) {
  const uint32_t ilat = Squash(bits), ilon = Squash(bits >> 1);
  const double cells = static_cast<double>(1ULL << kStep);
  const double lat_lo = kLatMin + (ilat / cells) * (kLatMax - kLatMin);
  const double lat_hi = kLatMin + ((ilat + 1) / cells) * (kLatMax - kLatMin);
  const double lon_lo = kLonMin + (ilon / cells) * (kLonMax - kLonMin);
  const double lon_hi = kLonMin + ((ilon + 1) / cells) * (kLonMax - kLonMin);
  return {std::clamp((lon_lo + lon_hi) / 2, kLonMin, kLonMax),
          std::clamp((lat_lo + lat_hi) / 2, kLatMin, kLatMax)};
}

std::string HashString(uint64_t bits) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const Position p = Decode(bits);
  const uint64_t standard = EncodeRange(p.lon, p.lat, -90, 90);
  std::string out(11, '0');
  for (int i = 0; i < 11; i++) {
    // 52 bits make 10 full characters; the 11th has no bits left and is '0', as Redis.
    const uint64_t idx = i == 10 ? 0 : (standard >> (52 - (i + 1) * 5)) & 0x1f;
    out[static_cast<size_t>(i)] = kAlphabet[idx];
  }
  return out;
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusMeters * std::fabs(Radians(lat2) - Radians(lat1));
}

double Distance(const Position& a, const Position& b) {
  const double v = std::sin((Radians(b.lon) - Radians(a.lon)) / 2);
  if (v == 0.0) return LatDistance(a.lat, b.lat);  // same meridian: cheaper and exact
  const double lat1 = Radians(a.lat), lat2 = Radians(b.lat);
  const double u = std::sin((lat2 - lat1) / 2);
  const double h = u * u + std::cos(lat1) * std::cos(lat2) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(h));
}

}  // namespace shoal::geo
