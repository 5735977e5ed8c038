#include "worker/UpstreamPool.h"

#include <poll.h>
#include <sys/socket.h>

namespace sluice::worker
{

namespace
{

std::string keyOf(const UpstreamTarget & target)
{
    return target.host + ":" + std::to_string(target.port);
}

/// An idle keep-alive connection must have nothing to read: readable means the upstream closed it (EOF) or
/// sent something unsolicited. Either way it is unusable, and finding out now avoids a failed request.
bool idleConnectionHealthy(Poco::Net::HTTPClientSession & session)
{
    if (!session.connected())
        return false;
    pollfd p{session.socket().impl()->sockfd(), POLLIN, 0};
    int n = ::poll(&p, 1, 0);
    return n == 0;
}

}

UpstreamPool::UpstreamPool(size_t max_idle_per_host, bool keep_alive, UpstreamTimeouts timeouts)
    : max_idle_per_host_(max_idle_per_host), keep_alive_(keep_alive), timeouts_(timeouts)
{
}

UpstreamPool::SessionPtr UpstreamPool::newSession(const UpstreamTarget & target) const
{
    auto session = std::make_unique<Poco::Net::HTTPClientSession>(target.host, target.port);
    /// Receive timeout applies while waiting for the response headers; the caller widens it for the body.
    session->setTimeout(timeouts_.connect, timeouts_.send, timeouts_.response_header);
    session->setKeepAlive(keep_alive_);
    /// Go's idle pooled connection limit (tyk-compat.md §2: 90 s).
    session->setKeepAliveTimeout(Poco::Timespan(90, 0));
    return session;
}

UpstreamPool::Lease UpstreamPool::acquire(const UpstreamTarget & target)
{
    if (keep_alive_)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = idle_.find(keyOf(target));
        while (it != idle_.end() && !it->second.empty())
        {
            SessionPtr session = std::move(it->second.back());
            it->second.pop_back();
            if (idleConnectionHealthy(*session))
            {
                session->setTimeout(timeouts_.connect, timeouts_.send, timeouts_.response_header);
                session->socket().setReceiveTimeout(timeouts_.response_header);
                return Lease{std::move(session), true};
            }
        }
    }
    return Lease{newSession(target), false};
}

void UpstreamPool::release(const UpstreamTarget & target, SessionPtr session)
{
    if (!keep_alive_ || !session || !session->connected())
        return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto & idle = idle_[keyOf(target)];
    if (idle.size() < max_idle_per_host_)
        idle.push_back(std::move(session));
}

}
