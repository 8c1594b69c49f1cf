#include "protocol/peer/frame.h"

namespace shoal::peer {

namespace {

enum class IdRule { kZero, kNonZero, kAny };

struct TypeInfo {
  std::string_view name;
  IdRule id_rule;
};

// An empty name means "not a frame type".
TypeInfo Info(uint8_t type) {
  switch (static_cast<FrameType>(type)) {
    case FrameType::kHello:
      return {"HELLO", IdRule::kZero};
    case FrameType::kWelcome:
      return {"WELCOME", IdRule::kZero};
    case FrameType::kAuth:
      return {"AUTH", IdRule::kZero};
    case FrameType::kPing:
      return {"PING", IdRule::kNonZero};
    case FrameType::kPong:
      return {"PONG", IdRule::kNonZero};
    case FrameType::kRequest:
      return {"REQUEST", IdRule::kNonZero};
    case FrameType::kResponse:
      return {"RESPONSE", IdRule::kNonZero};
    case FrameType::kOneWay:
      return {"ONE_WAY", IdRule::kZero};
    case FrameType::kStreamOpen:
      return {"STREAM_OPEN", IdRule::kNonZero};
    case FrameType::kStreamChunk:
      return {"STREAM_CHUNK", IdRule::kNonZero};
    case FrameType::kStreamEnd:
      return {"STREAM_END", IdRule::kNonZero};
    case FrameType::kError:
      return {"ERROR", IdRule::kAny};
    case FrameType::kGoAway:
      return {"GOAWAY", IdRule::kZero};
  }
  return {"", IdRule::kAny};
}

}  // namespace

bool IsKnownFrameType(uint8_t type) { return !Info(type).name.empty(); }

std::string_view FrameTypeName(FrameType type) {
  std::string_view name = Info(static_cast<uint8_t>(type)).name;
  return name.empty() ? "UNKNOWN" : name;
}

bool RequestIdAllowed(FrameType type, uint64_t request_id) {
  switch (Info(static_cast<uint8_t>(type)).id_rule) {
    case IdRule::kZero:
      return request_id == 0;
    case IdRule::kNonZero:
      return request_id != 0;
    case IdRule::kAny:
      return true;
  }
  return false;
}

}  // namespace shoal::peer
