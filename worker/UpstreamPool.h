#pragma once

#include "shared/Config.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Timespan.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

/// Keep-alive connections to upstreams, per host:port, shared by a worker's request threads
/// (Go's Transport idle pool with MaxIdleConnsPerHost; tyk-compat.md §1.2: Tyk's default is 2).
namespace sluice::worker
{

struct UpstreamTimeouts
{
    Poco::Timespan connect;          /// proxy_default_timeout
    Poco::Timespan response_header;  /// whole seconds of proxy_default_timeout; zero = no limit
    Poco::Timespan send;             /// writing the request to the upstream
};

class UpstreamPool
{
public:
    using SessionPtr = std::unique_ptr<Poco::Net::HTTPClientSession>;

    UpstreamPool(size_t max_idle_per_host, bool keep_alive, UpstreamTimeouts timeouts);

    struct Lease
    {
        SessionPtr session;
        bool reused = false; /// a stale pooled connection may fail on first use: the caller may retry once
    };

    /// An idle connection to the target if one is healthy, else a new (not yet connected) session.
    Lease acquire(const UpstreamTarget & target);

    /// Returns a session whose response was read to the end and which may be kept alive.
    void release(const UpstreamTarget & target, SessionPtr session);

    const UpstreamTimeouts & timeouts() const { return timeouts_; }

private:
    SessionPtr newSession(const UpstreamTarget & target) const;

    const size_t max_idle_per_host_;
    const bool keep_alive_;
    const UpstreamTimeouts timeouts_;
    std::mutex mutex_;
    std::map<std::string, std::vector<SessionPtr>> idle_;
};

}
