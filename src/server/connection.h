// One RESP client connection: reads bytes, feeds the pure RESP parser, dispatches each
// request, and writes the replies of a whole pipelined batch with one socket write.
// Thread ownership: the coroutine runs on the shard thread that accepted the socket, for the
// connection's whole life.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>

namespace shoal {

class Server;

boost::asio::awaitable<void> ServeConnection(Server& server, boost::asio::ip::tcp::socket socket,
                                             uint32_t shard);

}  // namespace shoal
