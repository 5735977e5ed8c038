#pragma once

#include "worker/ChunkedDecoder.h"
#include "worker/SseEventCounter.h"
#include "worker/StreamPump.h"
#include "worker/StreamSide.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace spdlog { class logger; }

namespace sluice::worker
{

/// What the pump thread lends a stream for one call: the epoll set, the settings, the shared read buffer and the
/// time of the current loop turn.
struct PumpContext
{
    int epoll_fd = -1;
    const PumpSettings & settings;
    spdlog::logger & log;
    /// `read_size` bytes, with ChunkWriter::kHeadroom bytes before and kTailroom after, so a decoded read can be
    /// framed as one chunk in place.
    char * read_buffer = nullptr;
    size_t read_size = 0;
    std::chrono::steady_clock::time_point now;
};

/// Who ended a stream, for the summary line.
enum class ClosedBy : uint8_t
{
    Nobody,
    Client,
    Upstream,
    Gateway,
};

/// The state machine of one detached stream: relays and re-frames the body, applies backpressure, propagates
/// closes both ways, ends on timeouts, and keeps what the summary line needs. Only the pump thread touches it.
/// Every public call may finish the stream (both sockets closed); the pump checks finished() after each.
class Stream
{
public:
    using Clock = std::chrono::steady_clock;

    explicit Stream(StreamSpec && spec);

    /// Registers both sockets and relays the prefetched bytes.
    void start(PumpContext & ctx);

    /// `side` is one of this stream's sides; `events` as epoll reported them.
    void onEvent(PumpContext & ctx, StreamSide & side, uint32_t events);

    /// Timeouts, heartbeat, bounded flush after closeGracefully(); called every sweep period.
    void sweep(PumpContext & ctx);

    /// Drain: terminal chunk after the queued chunks, upstream closed, client flushed for at most ~1 s.
    void closeGracefully(PumpContext & ctx, const std::string & reason);

    /// Both sockets closed at once (pump stopping, or a broken invariant).
    void abort(PumpContext & ctx, const std::string & reason);

    bool finished() const { return phase_ == Phase::Finished; }

    /// The one summary line; call once, after finished().
    void logSummary(spdlog::logger & log, Clock::time_point now) const;

    /// The pump's index of this stream in its table (swap-remove needs it).
    size_t slot() const { return slot_; }
    void setSlot(size_t slot) { slot_ = slot; }

private:
    enum class Phase : uint8_t
    {
        Relaying,
        Flushing, /// upstream gone; the client gets what is queued, then is closed
        Finished,
    };

    /// How the upstream body ended, for what the client gets after the bytes already queued.
    enum class Ending : uint8_t
    {
        Complete, /// terminal chunk
        Broken,   /// sse: Tyk's error event + terminal chunk; otherwise no terminal chunk (the body is truncated)
    };

    bool isTunnel() const { return upstream_framing_ == UpstreamFraming::Tunnel; }
    bool chunkedClient() const { return client_framing_ == ClientFraming::Chunked; }

    void onClientEvent(PumpContext & ctx, uint32_t events);
    void onUpstreamEvent(PumpContext & ctx, uint32_t events);
    void readUpstream(PumpContext & ctx);
    void readClient(PumpContext & ctx, uint32_t events);
    void relayUpstreamBytes(PumpContext & ctx, char * data, size_t len);
    void relayClientBytes(PumpContext & ctx, const char * data, size_t len);
    void forwardToClient(PumpContext & ctx, char * payload, size_t len);
    void sendToClient(PumpContext & ctx, const char * data, size_t len);
    void flushClient(PumpContext & ctx);
    void flushUpstream(PumpContext & ctx);
    void upstreamEof(PumpContext & ctx);
    void upstreamFailed(PumpContext & ctx);
    void tunnelSideEof(PumpContext & ctx, StreamSide & side, StreamSide & other);
    void finishTunnelIfDone(PumpContext & ctx);
    void processPrefetched(PumpContext & ctx);
    void heartbeat(PumpContext & ctx);

    /// Upstream closed now; the client gets the end of the body as `ending` says, then is flushed and closed.
    void endStream(PumpContext & ctx, ClosedBy by, const std::string & reason, Ending ending);
    void enterFlushing(PumpContext & ctx);
    void finish(PumpContext & ctx);
    void clientGone(PumpContext & ctx);
    /// The first cause wins: later symptoms of the same end must not overwrite it.
    void setOutcome(ClosedBy by, const std::string & reason);
    /// Re-registers `side` with epoll; an epoll failure ends the stream (logged).
    void sync(PumpContext & ctx, StreamSide & side);
    /// Backpressure: pause `reader` while `writer` holds more than the limit, resume below half of it.
    void balance(PumpContext & ctx, StreamSide & writer, StreamSide & reader);

    StreamSide client_;
    StreamSide upstream_;
    ChunkedDecoder decoder_;
    SseEventCounter events_;

    std::string api_id_;
    std::string method_;
    std::string path_;
    std::string client_address_;
    std::string upstream_prefetched_;
    std::string client_prefetched_;
    std::string reason_;

    Clock::time_point started_;
    Clock::time_point last_activity_{};    /// last read from the upstream (tunnels: from either side)
    Clock::time_point last_client_send_{}; /// last bytes handed to the client socket, heartbeat clock
    Clock::time_point flush_deadline_{};   /// set by closeGracefully(); zero = none

    int64_t content_remaining_ = -1;
    uint64_t bytes_to_client_ = 0;
    uint64_t bytes_from_client_ = 0;
    size_t slot_ = 0;
    int status_ = 0;

    UpstreamFraming upstream_framing_;
    ClientFraming client_framing_;
    Phase phase_ = Phase::Relaying;
    ClosedBy closed_by_ = ClosedBy::Nobody;
    ClosedBy tunnel_first_eof_ = ClosedBy::Nobody;
    bool sse_ = false;
};

}
