#pragma once

#include "bench/reload/LoadCounters.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace sluice::bench::reload
{

using Clock = std::chrono::steady_clock;

struct LoadTarget
{
    uint16_t port = 0;                       /// on 127.0.0.1 (the bench never leaves loopback)
    std::string path = "/";
    std::chrono::milliseconds timeout{3000}; /// per connect and per request
};

/// One keep-alive connection's worth of load: sequential GETs on one connection, a new connection only when the
/// server ends the old one politely (`Connection: close`, or a body delimited by the close) or after a failure.
/// Every request ends in exactly one Outcome in `counters`.
class KeepAliveClient
{
public:
    KeepAliveClient(LoadTarget target, LoadCounters & counters);
    ~KeepAliveClient();
    KeepAliveClient(const KeepAliveClient &) = delete;
    KeepAliveClient & operator=(const KeepAliveClient &) = delete;

    /// Sends requests until `stop` is set or `until` passes (a request in flight then may take up to the timeout).
    void run(const std::atomic<bool> & stop, Clock::time_point until);

private:
    /// Opens the connection; false (outcome counted) when it fails.
    bool connect();
    /// One request and its response on the open connection.
    Outcome exchange();
    /// Reads more bytes into buffer_ before `deadline`; the outcome that ends the request, or Ok to go on.
    Outcome receive(Clock::time_point deadline, bool response_started);
    /// Reads the body framed by the head in buffer_[0, head_end); returns how the response ended.
    Outcome readBody(size_t head_end, Clock::time_point deadline);
    void closeConnection();

    LoadTarget target_;
    LoadCounters & counters_;
    std::string request_;
    int fd_ = -1;
    std::string buffer_;
    bool close_after_ = false; /// the response just read ends the connection
    bool eof_ = false;
};

}
