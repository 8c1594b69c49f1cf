// RespWriter: the RESP2/RESP3 encoder behind shoal::ReplySink (commands/reply.h). Handlers
// call the ReplySink methods; the connection sends buffer() and then calls Clear().
//
// Thread: a writer belongs to one connection; see ReplySink for when a handler on another
// shard may write to it. Not thread-safe. No I/O.
//
// Invariants:
//  - buffer() always holds a sequence of whole RESP frames (aggregate headers count as
//    frames; the caller supplies the elements they announce).
//  - Appending a reply allocates nothing beyond the growth of the output buffer.
//  - The protocol version only changes how later replies are encoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "commands/reply.h"

namespace shoal::resp {

class RespWriter final : public ReplySink {
 public:
  RespWriter() = default;

  RespWriter(const RespWriter&) = delete;
  RespWriter& operator=(const RespWriter&) = delete;

  // 2 or 3 (HELLO). Any other value is treated as 2.
  void set_protocol_version(int version) override { resp3_ = version == 3; }
  int protocol_version() const override { return resp3_ ? 3 : 2; }

  // The encoded output not yet sent.
  std::string& buffer() { return buffer_; }
  const std::string& buffer() const { return buffer_; }
  // Drops the output; keeps the buffer's capacity.
  void Clear() { buffer_.clear(); }

  void SimpleString(std::string_view s) override;
  // "-" + msg + CRLF; CR or LF inside `msg` become spaces, as Redis does.
  void Error(std::string_view msg) override;
  void Integer(int64_t v) override;
  void Bulk(std::string_view s) override;
  void Null() override;
  void NullArray() override;
  void ArrayHeader(size_t n) override;
  void MapHeader(size_t n) override;
  void SetHeader(size_t n) override;
  // The text is FormatDouble's ("%.17g", "inf", "-inf", "nan").
  void Double(double v) override;
  void Boolean(bool v) override;
  // `format` is padded with spaces or cut to three characters, as Redis does.
  void Verbatim(std::string_view format, std::string_view text) override;
  void PushHeader(size_t n) override;

 private:
  // Appends "<prefix><n>\r\n".
  void AppendHeader(char prefix, uint64_t n);
  void AppendBulk(std::string_view s);

  std::string buffer_;
  bool resp3_ = false;
};

}  // namespace shoal::resp
