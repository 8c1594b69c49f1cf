// Geohash math for the GEO commands: a position is stored as the score of a sorted set
// member, the 52-bit interleaving of 26 bits of latitude (even bits) and 26 bits of
// longitude (odd bits) over Redis's ranges (longitude ±180, latitude ±85.05112878, the
// Web Mercator limit), so positions, hashes and distances come out as Redis's do.
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>

namespace shoal::geo {

constexpr double kLonMin = -180, kLonMax = 180;
constexpr double kLatMin = -85.05112878, kLatMax = 85.05112878;
constexpr double kEarthRadiusMeters = 6372797.560856;

struct Position {
  double lon = 0;
  double lat = 0;
};

bool Valid(double lon, double lat);
// The 52-bit cell of a (valid) position, as stored in the sorted set.
uint64_t Encode(double lon, double lat);
// The centre of a cell, clamped to the ranges above.
Position Decode(uint64_t bits);
// GEOHASH's 11-character base32 string of a stored cell (re-encoded with latitude ±90, the
// standard geohash range).
std::string HashString(uint64_t bits);
// Haversine distance in meters.
double Distance(const Position& a, const Position& b);
// Meters between two latitudes along a meridian.
double LatDistance(double lat1, double lat2);

}  // namespace shoal::geo
