#pragma once

#include "bench/LatencyStats.h"

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace sluice::bench
{

struct PacedOptions
{
    sockaddr_in target{};
    std::string target_text = "127.0.0.1:80"; /// for the Host header
    std::string path = "/plain/normal";
    int rate = 200;              /// requests per second, on a fixed schedule
    size_t connections = 4;      /// keep-alive connections the requests are spread over
    int request_timeout_ms = 5000; /// from the scheduled time; the connection is then closed and reopened
    /// Requests scheduled before this time (CLOCK_MONOTONIC ns, 0: none) are also summarised on their own.
    int64_t window_end_ns = 0;
};

struct PacedResult
{
    uint64_t scheduled = 0;
    uint64_t answered = 0;     /// a whole response arrived (any status)
    uint64_t ok = 0;           /// ... with a 2xx status
    uint64_t timed_out = 0;    /// no whole response within request_timeout_ms of the scheduled time
    uint64_t failed = 0;       /// the connection broke while the request was in flight
    std::map<std::string, uint64_t> failures; /// reason -> requests
    uint64_t connects = 0;     /// connections opened, the first ones included
    uint64_t connect_failures = 0; /// refused, or not established within request_timeout_ms
    LatencySummary latency;    /// answered requests: response complete - scheduled time
    uint64_t window_scheduled = 0;
    LatencySummary window_latency; /// the same, for requests scheduled before window_end_ns
};

/// A well-behaved client at a modest, fixed rate: request k is due at start + k / rate and goes out on
/// the first idle keep-alive connection (at once, or when one frees up). Its latency runs from the
/// due time, so time spent waiting for a connection counts (no coordinated omission). Responses need a
/// Content-Length (the bench upstream sends one). Driven by the caller's epoll loop like DripperSet.
class PacedRequests
{
public:
    PacedRequests(int epoll_fd, uint64_t tag, PacedOptions options);
    ~PacedRequests();
    PacedRequests(const PacedRequests &) = delete;
    PacedRequests & operator=(const PacedRequests &) = delete;

    /// Schedules requests from `start_ns` for `duration_s` seconds.
    void start(int64_t start_ns, int duration_s);
    /// Queues due requests, sends them, expires late ones, reopens closed connections.
    void tick(int64_t now_ns);
    void onEvent(uint32_t index, uint32_t events, int64_t now_ns);
    /// Every scheduled request was answered, timed out or failed.
    bool done() const;
    int64_t nextTickNs() const { return next_tick_ns_; }
    PacedResult finish();

private:
    enum class Phase
    {
        Closed,
        Connecting,
        Ready,
    };

    struct Connection
    {
        int fd = -1;
        Phase phase = Phase::Closed;
        int64_t retry_ns = 0;     /// when Closed: not before this
        int64_t connect_started_ns = 0;
        int64_t in_flight = -1;   /// due time of the request awaiting its response, -1: idle
        std::string received;
    };

    void connect(size_t index, int64_t now_ns);
    void onConnected(size_t index, int64_t now_ns);
    /// Counts the failure and retries the connect 100 ms later.
    void connectFailed(size_t index, int64_t now_ns);
    void onReadable(size_t index, int64_t now_ns);
    void send(size_t index, int64_t due_ns);
    /// Closes the connection; a request in flight counts as failed with `reason` (unless empty).
    void drop(size_t index, int64_t now_ns, const std::string & reason);
    void record(int64_t due_ns, int64_t now_ns, int status);

    int epoll_fd_;
    uint64_t tag_;
    PacedOptions options_;
    PacedResult result_;
    std::string request_;
    std::vector<Connection> connections_;
    std::deque<int64_t> queue_; /// due times of requests not sent yet
    size_t next_connection_ = 0;
    int64_t start_ns_ = 0;
    uint64_t total_ = 0;        /// requests in the whole schedule
    int64_t next_tick_ns_ = 0;
    std::vector<int64_t> latencies_ns_;
    std::vector<int64_t> window_latencies_ns_;
};

}
