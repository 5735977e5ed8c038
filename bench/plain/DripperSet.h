#pragma once

#include "bench/LatencyStats.h"

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice::bench
{

struct DripperOptions
{
    sockaddr_in target{};
    std::string target_text = "127.0.0.1:80"; /// for the Host header
    std::string path = "/plain/slow";
    size_t count = 1000;
    int interval_ms = 1000;   /// one byte of the request head per interval and connection
    size_t ramp = 200;        /// connects in flight at once
    int connect_timeout_ms = 10000;
    /// The proxy's deadline for a whole request head, counted from the connect: a close within
    /// deadline ± tolerance is "at the deadline".
    int deadline_ms = 10000;
    int tolerance_ms = 1000;
};

struct DripperResult
{
    size_t requested = 0;
    size_t connected = 0;
    size_t failed = 0;                        /// never connected
    std::map<std::string, size_t> failures;   /// reason -> connects that failed
    double connect_s = 0;                     /// until every connect succeeded or failed
    uint64_t bytes_sent = 0;
    size_t closed_early = 0;                  /// closed by the proxy before deadline - tolerance
    size_t closed_on_time = 0;                /// within deadline ± tolerance
    size_t closed_late = 0;                   /// after deadline + tolerance
    size_t open_at_end = 0;                   /// still open when the run ended
    std::map<std::string, size_t> close_kinds; /// "eof", "reset", "eof after <status line>"...
    LatencySummary closed_after;              /// connect -> close, of the closed ones
};

/// Slow clients: `count` connections that each send one byte of a request head per interval and never
/// finish it (the head is "GET <path> HTTP/1.1", Host, then an `X-Drip:` header that grows forever). It
/// records when and how the proxy closes each one; a closed connection is not reopened. Driven by the
/// caller's epoll loop: events whose data.u64 has `tag` in the upper 32 bits belong here.
class DripperSet
{
public:
    DripperSet(int epoll_fd, uint64_t tag, DripperOptions options);
    ~DripperSet();
    DripperSet(const DripperSet &) = delete;
    DripperSet & operator=(const DripperSet &) = delete;

    /// Opens connects up to the ramp, sends due bytes and expires slow connects.
    void tick(int64_t now_ns);
    void onEvent(uint32_t index, uint32_t events, int64_t now_ns);
    bool connectsDone() const { return result_.connected + result_.failed == result_.requested; }
    /// The earliest time tick() has work, for the caller's wait.
    int64_t nextTickNs() const { return next_tick_ns_; }
    /// Classifies every connection, closes the open ones and returns the result.
    DripperResult finish();

private:
    enum class Phase
    {
        Idle,
        Connecting,
        Open,
        Closed,
    };

    struct Dripper
    {
        int fd = -1;
        Phase phase = Phase::Idle;
        int64_t started_ns = 0;
        int64_t connected_ns = 0;
        int64_t next_byte_ns = 0;
        size_t sent = 0;
        std::string received; /// what the proxy said before closing, if anything (first line only kept)
    };

    void open(size_t index, int64_t now_ns);
    void onConnected(size_t index, int64_t now_ns);
    void sendByte(size_t index, int64_t now_ns);
    void failConnect(size_t index, const std::string & reason);
    /// Sets connect_s the first time every connect has succeeded or failed.
    void noteConnectsDone(int64_t now_ns);
    void closedByPeer(size_t index, int64_t now_ns, const std::string & kind);
    void watch(size_t index, uint32_t events, int operation);

    int epoll_fd_;
    uint64_t tag_;
    DripperOptions options_;
    DripperResult result_;
    std::string head_;
    std::vector<Dripper> drippers_;
    size_t next_to_open_ = 0;
    size_t in_flight_ = 0;
    int64_t started_ns_ = 0;
    bool connects_timed_ = false;
    int64_t next_tick_ns_ = 0;
    std::vector<int64_t> closed_after_ns_;
};

}
