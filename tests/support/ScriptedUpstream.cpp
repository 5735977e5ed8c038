#include "support/ScriptedUpstream.h"

#include "support/EphemeralLoopback.h"
#include "support/LoopbackSocket.h"

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
    std::string why;
    listen_fd_ = bindEphemeralLoopback(16, port_, why);
    if (listen_fd_ == -1)
        throw std::runtime_error("ScriptedUpstream: " + why);
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
