#include "support/ScriptedUpstream.h"

#include "support/LoopbackSocket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace sluice::test
{

ScriptedUpstream::ScriptedUpstream()
{
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ == -1)
        throw std::runtime_error("ScriptedUpstream: socket() failed: " + errnoText());
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) == -1
        || ::listen(listen_fd_, 16) == -1
        || ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&address), &length) == -1)
    {
        std::string why = errnoText();
        ::close(listen_fd_);
        throw std::runtime_error("ScriptedUpstream: cannot listen on 127.0.0.1:0: " + why);
    }
    port_ = ntohs(address.sin_port);
}

ScriptedUpstream::~ScriptedUpstream()
{
    ::close(listen_fd_);
}

std::string ScriptedUpstream::url() const
{
    return "http://127.0.0.1:" + std::to_string(port_);
}

std::optional<RawConnection> ScriptedUpstream::accept(Millis timeout, ::testing::AssertionResult & result)
{
    const auto deadline = Clock::now() + timeout;
    while (true)
    {
        auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
        pollfd p{listen_fd_, POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(left, 0)));
        if (ready == -1 && errno == EINTR)
            continue;
        if (ready <= 0)
        {
            result = ::testing::AssertionFailure() << "the gateway made no upstream connection within "
                                                   << timeout.count() << " ms";
            return std::nullopt;
        }
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd == -1)
        {
            result = ::testing::AssertionFailure() << "accept() failed: " << errnoText();
            return std::nullopt;
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        result = ::testing::AssertionSuccess();
        return RawConnection(fd);
    }
}

}
