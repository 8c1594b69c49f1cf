// RequestParser: the pure, incremental parser of memcached text-protocol requests (the
// classic commands and the meta commands' framing), with memcached 1.6.18's acceptance rules
// and error texts (proto_text.c process_command_ascii and friends). docs/memcache.md lists
// the limits and what each violation gets.
//
// Thread: a parser belongs to one connection and is used by that connection's thread only.
// It does no I/O, reads no clock and never throws.
//
// Invariants:
//  - The parser keeps no pointers between calls: a request is parsed again from its first
//    byte when more data arrives, and only the offset up to which its line was searched for
//    '\n' is remembered, so a long line arriving in pieces costs time linear in its size.
//  - The result for a given byte stream does not depend on where it was split.
//  - It never buffers: a data block to skip (an item too large) is dropped as it arrives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::memcache {

struct ParserLimits {
  size_t max_line = 2048;         // a command line without '\n' this long: close
  size_t max_get_line = 1 << 20;  // the same for get/gets lines (multi-gets)
  size_t max_key = 250;           // KEY_MAX_LENGTH
  size_t max_item = 1024 * 1024;  // a longer data block: "object too large"
};

enum class Command : uint8_t {
  kGet,
  kGets,
  kGat,
  kGats,
  kSet,
  kAdd,
  kReplace,
  kAppend,
  kPrepend,
  kCas,
  kDelete,
  kIncr,
  kDecr,
  kTouch,
  kFlushAll,
  kVersion,
  kVerbosity,
  kQuit,
  kStats,
  kMetaGet,
  kMetaSet,
  kMetaDelete,
  kMetaArithmetic,
  kMetaNoop,
  kMetaDebug,
};

// One parsed request. Views point into the data given to Parse and stay valid until the
// caller drops consumed() bytes.
struct Request {
  Command command = Command::kGet;
  // get/gets/gat/gats: the keys (none for "gat 10"); the other keyed commands: keys[0].
  std::vector<std::string_view> keys;
  // get family: the key after keys was too long. memcached answers the keys before it, then
  // "CLIENT_ERROR bad command line format" instead of END.
  bool bad_key = false;
  uint32_t flags = 0;   // storage commands
  int32_t exptime = 0;  // storage, touch, gat/gats, flush_all (delay)
  uint64_t cas = 0;     // cas
  uint64_t delta = 0;   // incr/decr
  uint32_t level = 0;   // verbosity
  bool noreply = false;
  std::string_view data;  // storage commands and ms: the data block, without "\r\n"
  // ms only: false when the block was not followed by "\r\n" (memcached reports flag
  // errors first, then "CLIENT_ERROR bad data chunk").
  bool data_terminated = true;
  // ms only: the block is longer than max_item and is being skipped (data is empty); the
  // front end reports a flag error first, else "SERVER_ERROR object too large for cache".
  bool too_large = false;
  // Meta commands: the flag tokens after the key (ms: after the length), unvalidated.
  // stats: the arguments after "stats".
  std::vector<std::string_view> tokens;
};

enum class ParseStatus : uint8_t {
  kRequest,     // request() is ready; drop consumed() bytes
  kReply,       // the parser answers: reply() is the line to send (without "\r\n") unless
                // reply_suppressed(); drop consumed() bytes
  kSkipped,     // consumed() bytes of a data block being skipped; call again
  kIncomplete,  // more bytes are needed; call again with them appended (nothing consumed)
  kClose,       // close the connection (a line too long, an HTTP request)
};

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

  // `data` holds the unconsumed input, starting at the first byte of the current request.
  // After kIncomplete the caller calls again with the same bytes plus new ones (possibly at
  // another address). After any other status it drops consumed() bytes first.
  ParseStatus Parse(std::string_view data);

  size_t consumed() const { return consumed_; }
  const Request& request() const { return request_; }
  std::string_view reply() const { return reply_; }
  bool reply_suppressed() const { return reply_suppressed_; }

  // Forgets a partly parsed request and any block being skipped.
  void Reset();

 private:
  // Parses the command line `line` (without its terminator); `end` is the request's size so
  // far (line plus terminator). May need the data block that follows.
  ParseStatus ParseLine(std::string_view data, std::string_view line, size_t end);
  ParseStatus ParseStorage(std::string_view data, const std::vector<std::string_view>& t,
                           size_t end);
  ParseStatus ParseMetaSet(std::string_view data, const std::vector<std::string_view>& t,
                           size_t end);
  ParseStatus ReadBlock(std::string_view data, size_t start, size_t len, bool strict);
  ParseStatus Keyed(Command c, const std::vector<std::string_view>& t, size_t end);
  ParseStatus Reply(std::string_view text, size_t consumed);
  ParseStatus Done(size_t consumed);
  // Consumes the line that ended at `end`, then skips the `len` bytes of a too large block.
  ParseStatus StartSkip(size_t end, uint64_t len);
  // Whether a line longer than max_line may stay: a multi-get within max_get_line (or, while
  // the line is not `complete`, one that could still become one).
  bool MayBeGet(std::string_view line, bool complete) const;
  bool TooLongKey(std::string_view key) const { return key.size() > limits_.max_key; }

  ParserLimits limits_;
  size_t scanned_ = 0;     // the current line has no '\n' before this offset
  uint64_t skipping_ = 0;  // bytes of a too large block still to drop
  size_t consumed_ = 0;
  Request request_;
  std::vector<std::string_view> tokens_;
  std::string_view reply_;
  bool reply_suppressed_ = false;
};

}  // namespace shoal::memcache
