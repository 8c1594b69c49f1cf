#include "server/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <vector>

#include "base/logging.h"
#include "base/strings.h"
#include "protocol/resp/resp_parser.h"
#include "protocol/resp/resp_writer.h"
#include "server/server.h"

namespace shoal {

namespace {

using boost::asio::ip::tcp;

constexpr size_t kInitialBuffer = 16 * 1024;
constexpr size_t kMinFreeSpace = 4 * 1024;
// Replies are flushed at the end of each read batch, or earlier once this much is pending.
constexpr size_t kFlushThreshold = 1024 * 1024;

std::string Endpoint(const tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  return addr + ":" + std::to_string(ep.port());
}

// The input buffer: bytes [start, end) are unconsumed; the parser sees them from `start`.
struct InputBuffer {
  std::vector<char> data = std::vector<char>(kInitialBuffer);
  size_t start = 0;
  size_t end = 0;

  std::string_view pending() const { return {data.data() + start, end - start}; }
  // Makes room for at least `want` more bytes, compacting before growing.
  void Reserve(size_t want) {
    if (data.size() - end >= want) return;
    if (start > 0) {
      std::copy(data.begin() + static_cast<long>(start), data.begin() + static_cast<long>(end),
                data.begin());
      end -= start;
      start = 0;
    }
    if (data.size() - end < want) data.resize(std::max(data.size() * 2, end + want));
  }
  void ShrinkIfIdle() {
    if (start == end) {
      start = end = 0;
      if (data.size() > 4 * kInitialBuffer) data = std::vector<char>(kInitialBuffer);
    }
  }
};

}  // namespace

boost::asio::awaitable<void> ServeConnection(Server& server, tcp::socket socket,
                                             uint32_t shard) {
  auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
  resp::RespWriter writer;
  if (!server.AdmitConnection()) {
    writer.Error("ERR max number of clients reached");
    co_await boost::asio::async_write(socket, boost::asio::buffer(writer.buffer()), token);
    co_return;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);

  ClientState client;
  client.id = server.NextClientId();
  client.shard = shard;
  client.created_ms = SystemClock::Instance().NowMs();
  client.last_interaction_ms = client.created_ms;
  client.authenticated = !server.auth_required();
  client.addr = Endpoint(socket.remote_endpoint(ignored));
  client.laddr = Endpoint(socket.local_endpoint(ignored));
  ClientRegistry& registry = server.clients(shard);
  registry.Add(&client, [&socket] {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  });
  SHOAL_LOG(debug, "event=client_connected id={} addr={} shard={}", client.id, client.addr, shard);

  // Runs on every exit path, including destruction of the suspended coroutine at shutdown.
  struct Cleanup {
    Server& server;
    ClientRegistry& registry;
    ClientState& client;
    ~Cleanup() {
      registry.Remove(&client);
      server.ReleaseConnection();
      SHOAL_LOG(debug, "event=client_closed id={}", client.id);
    }
  } cleanup{server, registry, client};

  const ConnectionLimits& limits = server.config().limits;
  resp::RequestParser parser;
  InputBuffer in;
  Dispatcher& dispatcher = server.dispatcher();
  ShardSet& shards = server.shards();
  bool closing = false;

  while (!closing) {
    in.Reserve(std::max(kMinFreeSpace, parser.bytes_hint() > in.end - in.start
                                           ? parser.bytes_hint() - (in.end - in.start)
                                           : size_t{0}));
    auto [ec, n] = co_await socket.async_read_some(
        boost::asio::buffer(in.data.data() + in.end, in.data.size() - in.end), token);
    if (ec) break;
    in.end += n;
    client.last_interaction_ms = SystemClock::Instance().NowMs();

    resp::ParserLimits parser_limits;
    parser_limits.max_bulk_len = limits.proto_max_bulk_len.load(std::memory_order_relaxed);
    parser_limits.auth_required = !client.authenticated;
    parser.set_limits(parser_limits);

    while (!closing && in.start < in.end) {
      resp::ParseStatus status = parser.Parse(in.pending());
      if (status == resp::ParseStatus::kIncomplete) {
        if (in.end - in.start > limits.client_query_buffer_limit.load(std::memory_order_relaxed)) {
          SHOAL_LOG(warn, "event=client_closed id={} reason=query_buffer_limit", client.id);
          closing = true;
        }
        break;
      }
      if (status == resp::ParseStatus::kError) {
        writer.Error(std::string("ERR ") + std::string(parser.error()));
        SHOAL_LOG(info, "event=protocol_error id={} addr={} error=\"{}\"", client.id, client.addr,
                  parser.error());
        closing = true;
        break;
      }
      const std::vector<std::string_view>& args = parser.args();
      size_t consumed = parser.consumed();
      if (!args.empty()) {
        size_t mark = writer.buffer().size();
        CommandContext ctx{args, &writer, &client, &shards, &server, nullptr, &dispatcher};
        if (!dispatcher.TryInline(ctx)) co_await dispatcher.Dispatch(ctx);
        client.last_command = ToLower(args[0].substr(0, 64));  // CLIENT LIST cmd=
        writer.set_protocol_version(client.resp);
        // CLIENT REPLY OFF|SKIP: the reply was produced but is not sent.
        using Mode = ClientState::ReplyMode;
        if (client.reply_mode == Mode::kOff || client.reply_mode == Mode::kSkipThis) {
          writer.buffer().resize(mark);
          if (client.reply_mode == Mode::kSkipThis) client.reply_mode = Mode::kOn;
        }
        if (client.reply_mode == Mode::kSkipNext) client.reply_mode = Mode::kSkipThis;
        if (client.close_after_reply || client.killed) closing = true;
      }
      in.start += consumed;
      parser.Reset();
      if (writer.buffer().size() >= kFlushThreshold) {
        auto [wec, written] =
            co_await boost::asio::async_write(socket, boost::asio::buffer(writer.buffer()), token);
        writer.Clear();
        if (wec) closing = true;
      }
    }
    in.ShrinkIfIdle();
    if (!writer.buffer().empty()) {
      auto [wec, written] =
          co_await boost::asio::async_write(socket, boost::asio::buffer(writer.buffer()), token);
      writer.Clear();
      if (wec) break;
    }
  }
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace shoal
