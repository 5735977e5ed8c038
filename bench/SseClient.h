#pragma once

#include "bench/ChunkedSseParser.h"
#include "bench/LatencyStats.h"

#include <netinet/in.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice::bench
{

class ProcessSampler;

struct ClientOptions
{
    sockaddr_in target{};
    std::string target_text = "127.0.0.1:80"; /// for the Host header and the report
    std::string path = "/sse/events";
    size_t streams = 1;
    int duration_s = 10;          /// the hold: measured time after every stream is established
    size_t ramp = 500;            /// connects (or requests awaiting headers) in flight at once
    int connect_timeout_ms = 10000; /// connect + response headers, per stream
    int ramp_timeout_s = 120;     /// give up on streams not established by then and hold the rest
    int interval_ms = 1000;       /// the emitter's interval, to estimate events lost by streams that ended
    std::vector<pid_t> proxy_pids; /// RSS and CPU of these (and their descendants) are reported
    bool proxy_descendants = true;
    pid_t emitter_pid = 0;        /// optional: the emitter's CPU during the hold, to show it kept up
};

struct ClientResult
{
    size_t requested = 0;
    size_t established = 0;
    size_t failed = 0;
    std::map<std::string, size_t> failures;     /// reason -> streams that never got a 200
    std::map<std::string, size_t> early_ends;   /// reason -> established streams that ended before the hold did
    bool ramp_timed_out = false;
    double ramp_s = 0;
    double hold_s = 0;
    /// Since the first connect of the ramp: when the last established stream got its headers, and when
    /// every stream that got an event had its first one. With `--ramp` = streams (every connect at once)
    /// and an emitter that sends an event on connect, the latter is "every client is streaming".
    double headers_all_s = 0;
    size_t streams_with_event = 0;
    double first_event_all_s = 0;
    LatencySummary first_event; /// per stream: first event time since the ramp began

    uint64_t events_total = 0;   /// every event, ramp included
    uint64_t events_hold = 0;    /// events received during the hold (the latency samples)
    uint64_t lost_gaps = 0;      /// missing sequence numbers after a stream's first event
    uint64_t out_of_order = 0;   /// a sequence number not above the previous one
    uint64_t unparsed = 0;       /// events whose data line had no timestamp and sequence number
    size_t ended_early = 0;
    uint64_t lost_early_estimate = 0; /// events the ended streams would have got until the hold ended
    LatencySummary latency;

    size_t proxy_processes = 0;
    int64_t rss_baseline_kb = 0; /// before the first connect
    int64_t rss_held_kb = 0;     /// at the end of the hold, every stream still open
    int64_t rss_peak_kb = 0;     /// highest of the once-a-second samples during the hold
    double proxy_cpu_s = 0;      /// utime + stime over the hold
    double emitter_cpu_s = 0;
    double client_cpu_s = 0;
    double machine_cpu_s = 0;    /// every process on the machine, summed over cores
    /// machine - proxy - emitter - client: other work competing for the cores during the hold (noise).
    double otherCpuSeconds() const { return machine_cpu_s - proxy_cpu_s - emitter_cpu_s - client_cpu_s; }

    uint64_t eventsLost() const { return lost_gaps + lost_early_estimate; }
    double rssPerStreamKb() const;
};

/// The benchmark's client: opens `streams` SSE streams through the proxy with a bounded connect ramp,
/// then holds them all for `duration_s`, and for each event records now - the emitter's embedded send
/// time. One thread, one epoll set, level-triggered; at 10k streams x 1 event/s it idles most of the time.
class SseClient
{
public:
    explicit SseClient(ClientOptions options);
    ~SseClient();
    SseClient(const SseClient &) = delete;
    SseClient & operator=(const SseClient &) = delete;

    /// Runs the whole measurement (bounded by ramp_timeout_s + duration_s) and closes every stream.
    ClientResult run();

private:
    enum class Phase
    {
        Idle,
        Connecting,
        AwaitingHeaders,
        Streaming,
        Closed,
    };

    struct Stream
    {
        int fd = -1;
        Phase phase = Phase::Idle;
        int64_t started_ns = 0;
        int64_t headers_ns = 0;
        int64_t first_event_ns = 0;
        int64_t ended_ns = 0;
        uint64_t last_seq = 0;
        std::string head;
        ChunkedSseParser parser;
    };

    void rampUp();
    /// Samples the proxy's RSS once a second while holding, for the peak.
    void hold(const ProcessSampler & proxy);
    void openStream(size_t index, int64_t now_ns);
    void pollOnce(int timeout_ms);
    void onConnected(size_t index);
    void onReadable(size_t index);
    /// Checks the status line and picks the body framing; false unless 200.
    bool onHeaders(Stream & stream);
    void onEvents(Stream & stream, int64_t now_ns);
    /// Fills the ramp timing fields of result_ from the streams' timestamps.
    void summarizeRamp(int64_t ramp_start_ns);
    void failStream(size_t index, const std::string & reason);
    void endStream(size_t index, int64_t now_ns, const std::string & reason);
    void expireSlowConnects(int64_t now_ns);
    void watch(int fd, uint32_t events, size_t index, int operation);

    ClientOptions options_;
    ClientResult result_;
    int epoll_fd_ = -1;
    std::string request_;
    std::vector<Stream> streams_;
    size_t next_to_open_ = 0;
    size_t in_flight_ = 0;
    int64_t hold_start_ns_ = 0; /// 0 while ramping: events then are counted but not sampled
    std::vector<int64_t> latencies_ns_;
    std::vector<SseSample> samples_;
    std::vector<char> read_buffer_;
};

}
