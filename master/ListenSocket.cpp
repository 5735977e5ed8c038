#include "master/ListenSocket.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

#include <fcntl.h>

#include <stdexcept>

namespace sluice::master
{

namespace
{

constexpr int kBacklog = 4096; /// capped by net.core.somaxconn; the backlog is what carries us across reloads

}

Poco::Net::ServerSocket openListenSocket(const GatewayConfig & gateway)
{
    std::string host = gateway.listen_address.empty() ? "0.0.0.0" : gateway.listen_address;
    try
    {
        Poco::Net::SocketAddress address(host, static_cast<Poco::UInt16>(gateway.listen_port));
        Poco::Net::ServerSocket socket;
        socket.bind(address, true);
        socket.listen(kBacklog);
        socket.setBlocking(false);
        int fd = socket.impl()->sockfd();
        /// Workers inherit the socket through fork(), never through exec().
        ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
        return socket;
    }
    catch (const Poco::Exception & e)
    {
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(gateway.listen_port) + ": "
                                 + e.displayText());
    }
}

std::string boundAddress(const Poco::Net::ServerSocket & socket)
{
    return socket.address().toString();
}

}
