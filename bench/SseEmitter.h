#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

namespace sluice::bench
{

struct EmitterOptions
{
    sockaddr_in address{}; /// where to listen; port 0 = ephemeral
    int interval_ms = 1000; /// every stream gets one event per interval
    size_t event_bytes = 128; /// each event is padded to this many bytes (the chunk adds its framing)
    /// true: each stream has its own phase, spread evenly over the interval, so the load is smooth;
    /// false: every stream gets its event in the same tick (a burst per interval).
    bool stagger = true;
    /// A stream whose unsent bytes exceed this is closed: the emitter never buffers without bound.
    size_t max_buffered_bytes = 1 << 20;
    /// Each new stream gets its first event at once, as an upstream replaying the last event does after a
    /// restart, so a client can time "every stream is live" without waiting for the stream's phase.
    bool event_on_connect = false;
    /// The body length of a plain response (`GET /plain...`).
    size_t plain_body_bytes = 100;
};

/// Counters for the exit line and tests (read from any thread).
struct EmitterStats
{
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> open_streams{0};
    std::atomic<uint64_t> peak_streams{0};
    std::atomic<uint64_t> events_sent{0};
    std::atomic<uint64_t> plain_requests{0}; /// plain responses sent
    std::atomic<uint64_t> slow_closed{0};   /// streams closed for exceeding max_buffered_bytes
    std::atomic<uint64_t> late_events{0};   /// events sent more than 10 ms after they were due
    std::atomic<int64_t> max_late_ns{0};
};

/// The benchmark's upstream: an epoll SSE server. Any `GET` gets a `text/event-stream` response with
/// chunked encoding that never ends; every interval each open stream gets one event, one chunk, one
/// send(): `id: <seq>\ndata: <send CLOCK_MONOTONIC ns> <seq> <padding>\n\n`. The send time is taken just
/// before the send, so the client measures proxy + kernel time, not the emitter's scheduling.
/// Two other answers, for the plain-request benchmark:
/// - `GET /plain...`: `200` with a fixed `plain_body_bytes` body and Content-Length, keep-alive (pipelined
///   requests are answered in order; `Connection: close` in the request closes after the answer).
/// - `GET /_stats`: one JSON object of the counters, then close. The bench scripts ask it directly,
///   never through a proxy, to count the upstream connections each proxy opened.
class SseEmitter
{
public:
    /// Binds and listens right away (throws std::system_error), so port() is known before run().
    explicit SseEmitter(const EmitterOptions & options);
    ~SseEmitter();
    SseEmitter(const SseEmitter &) = delete;
    SseEmitter & operator=(const SseEmitter &) = delete;

    uint16_t port() const { return port_; }
    const EmitterStats & stats() const { return stats_; }

    /// Serves until `stop_fd` (not owned: a signalfd or eventfd) becomes readable or `deadline_ns`
    /// (CLOCK_MONOTONIC) passes. Closes every stream before returning.
    void run(int stop_fd, int64_t deadline_ns);

private:
    struct Connection;
    struct Due
    {
        int64_t due_ns;
        int fd;
        uint64_t serial; /// tells a reused fd from the stream the entry was made for
        bool operator>(const Due & other) const { return due_ns > other.due_ns; }
    };

    void acceptAll(int64_t now_ns);
    void onReadable(Connection & connection, int64_t now_ns);
    /// Answers every complete request head at the start of the connection's buffer, in order; false if
    /// the connection was closed on the way.
    bool answerRequests(Connection & connection, int64_t now_ns);
    std::string statsJson() const;
    void onWritable(Connection & connection);
    /// False if the connection was closed on the way.
    bool startStream(Connection & connection, int64_t now_ns);
    void sendDueEvents(int64_t now_ns);
    void sendEvent(Connection & connection);
    /// Sends `bytes` now or queues them behind what is already queued; false if the stream was closed.
    bool sendOrQueue(Connection & connection, const char * bytes, size_t size);
    void closeConnection(int fd);
    int waitTimeoutMs(int64_t now_ns, int64_t deadline_ns) const;

    EmitterOptions options_;
    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    uint16_t port_ = 0;
    int64_t epoch_ns_ = 0;
    int64_t accept_paused_until_ns_ = 0; /// out of fds: stop polling the listener for a moment
    uint64_t next_serial_ = 1;
    uint64_t streams_started_ = 0;
    std::vector<std::unique_ptr<Connection>> connections_; /// indexed by fd
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> schedule_;
    std::string event_buffer_;
    std::string plain_response_;
    std::string plain_close_response_; /// the same, saying the connection closes after it
    EmitterStats stats_;
};

}
