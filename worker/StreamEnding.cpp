/// The ways a Stream ends (upstream end or failure, client gone, timeouts, drain, abort) and its summary line;
/// the relaying itself is in Stream.cpp.
#include "worker/Stream.h"

#include "worker/ChunkWriter.h"

#include <spdlog/spdlog.h>

#include <string_view>

namespace sluice::worker
{
namespace
{

/// Tyk's handleCopyError body, byte for byte: EventSource clients see an `error` event before the stream ends.
constexpr std::string_view kUpstreamErrorEvent = "event: error\ndata: upstream connection terminated unexpectedly\n\n";
/// An SSE comment: keeps proxies and browsers from timing an idle stream out, and is not an event.
constexpr std::string_view kHeartbeat = ": ping\n\n";
/// How long a draining stream may take to flush its last bytes before the client is closed anyway.
constexpr std::chrono::milliseconds kDrainFlushLimit{1000};

const char * closedByName(ClosedBy by)
{
    switch (by)
    {
        case ClosedBy::Client: return "client";
        case ClosedBy::Upstream: return "upstream";
        case ClosedBy::Gateway: return "gateway";
        case ClosedBy::Nobody: break;
    }
    return "gateway";
}

}

void Stream::upstreamEof(PumpContext & ctx)
{
    switch (upstream_framing_)
    {
        case UpstreamFraming::Tunnel:
            tunnelSideEof(ctx, upstream_, client_);
            return;
        case UpstreamFraming::CloseDelimited:
            endStream(ctx, ClosedBy::Upstream, "end_of_stream", Ending::Complete);
            return;
        case UpstreamFraming::Chunked:
        case UpstreamFraming::ContentLength:
            endStream(ctx, ClosedBy::Upstream, "upstream_truncated", Ending::Broken);
            return;
    }
}

void Stream::upstreamFailed(PumpContext & ctx)
{
    if (isTunnel() && phase_ == Phase::Relaying)
    {
        setOutcome(ClosedBy::Upstream, "upstream_reset");
        finish(ctx);
        return;
    }
    endStream(ctx, ClosedBy::Upstream, "upstream_reset", Ending::Broken);
}

void Stream::tunnelSideEof(PumpContext & ctx, StreamSide & side, StreamSide & other)
{
    side.setReadDone();
    if (tunnel_first_eof_ == ClosedBy::Nobody)
        tunnel_first_eof_ = &side == &client_ ? ClosedBy::Client : ClosedBy::Upstream;
    other.shutdownWriteWhenDrained(); /// half-close travels on: the other peer may still answer
    sync(ctx, side);
    if (!finished())
        finishTunnelIfDone(ctx);
}

void Stream::finishTunnelIfDone(PumpContext & ctx)
{
    if (phase_ != Phase::Relaying || !client_.readDone() || !upstream_.readDone() || client_.queued() != 0
        || upstream_.queued() != 0)
        return;
    setOutcome(tunnel_first_eof_, tunnel_first_eof_ == ClosedBy::Client ? "client_closed" : "end_of_stream");
    finish(ctx);
}

void Stream::endStream(PumpContext & ctx, ClosedBy by, const std::string & reason, Ending ending)
{
    setOutcome(by, reason);
    upstream_.close(ctx.epoll_fd);
    if (chunkedClient())
    {
        if (ending == Ending::Broken && sse_)
        {
            static const std::string error_frame = ChunkWriter::frame(kUpstreamErrorEvent);
            sendToClient(ctx, error_frame.data(), error_frame.size());
        }
        /// A truncated non-SSE body gets no terminal chunk, so the client can tell it is incomplete.
        if (!finished() && (ending == Ending::Complete || sse_))
            sendToClient(ctx, ChunkWriter::kTerminal.data(), ChunkWriter::kTerminal.size());
        if (finished())
            return;
    }
    enterFlushing(ctx);
}

void Stream::enterFlushing(PumpContext & ctx)
{
    phase_ = Phase::Flushing;
    /// Keep reading (and discarding) what the client sends, so a client that leaves is noticed at once.
    client_.setPaused(false);
    if (client_.queued() == 0)
    {
        client_.shutdownAndDrain(ctx.read_buffer, ctx.read_size);
        finish(ctx);
        return;
    }
    sync(ctx, client_);
}

void Stream::sweep(PumpContext & ctx)
{
    if (finished())
        return;
    if (flush_deadline_ != Clock::time_point{} && ctx.now >= flush_deadline_)
    {
        finish(ctx);
        return;
    }
    auto stall = ctx.settings.client_write_timeout;
    if (stall.count() > 0)
    {
        for (StreamSide * side : {&client_, &upstream_})
        {
            if (side->queued() != 0 && ctx.now - side->lastWriteProgress() >= stall)
            {
                setOutcome(side == &client_ ? ClosedBy::Client : ClosedBy::Upstream, "write_stall");
                finish(ctx);
                return;
            }
        }
    }
    if (phase_ != Phase::Relaying)
        return;
    auto idle = ctx.settings.upstream_idle_timeout;
    if (idle.count() > 0 && !upstream_.paused() && !client_.paused() && ctx.now - last_activity_ >= idle)
    {
        endStream(ctx, ClosedBy::Gateway, "idle_timeout", Ending::Complete);
        return;
    }
    heartbeat(ctx);
}

void Stream::heartbeat(PumpContext & ctx)
{
    auto every = ctx.settings.heartbeat_interval;
    if (!sse_ || every.count() <= 0 || client_.queued() != 0 || ctx.now - last_client_send_ < every
        || !events_.atEventBoundary())
        return;
    if (!chunkedClient())
    {
        sendToClient(ctx, kHeartbeat.data(), kHeartbeat.size());
        return;
    }
    static const std::string frame = ChunkWriter::frame(kHeartbeat);
    sendToClient(ctx, frame.data(), frame.size());
}

void Stream::closeGracefully(PumpContext & ctx, const std::string & reason)
{
    if (finished())
        return;
    auto deadline = ctx.now + kDrainFlushLimit;
    if (flush_deadline_ == Clock::time_point{} || deadline < flush_deadline_)
        flush_deadline_ = deadline;
    if (phase_ == Phase::Relaying)
        endStream(ctx, ClosedBy::Gateway, reason, Ending::Complete);
}

void Stream::abort(PumpContext & ctx, const std::string & reason)
{
    setOutcome(ClosedBy::Gateway, reason);
    finish(ctx);
}

void Stream::clientGone(PumpContext & ctx)
{
    setOutcome(ClosedBy::Client, "client_closed");
    finish(ctx);
}

void Stream::finish(PumpContext & ctx)
{
    setOutcome(ClosedBy::Gateway, "internal_error"); /// only if nothing explained the end before
    upstream_.close(ctx.epoll_fd);
    client_.close(ctx.epoll_fd);
    phase_ = Phase::Finished;
}

void Stream::setOutcome(ClosedBy by, const std::string & reason)
{
    if (closed_by_ != ClosedBy::Nobody)
        return;
    closed_by_ = by;
    reason_ = reason;
}

void Stream::logSummary(spdlog::logger & log, Clock::time_point now) const
{
    auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_).count();
    log.info("stream end api={} method={} path={} client={} status={} duration_ms={} bytes_to_client={} "
             "bytes_from_client={} events={} closed_by={} reason={}",
             api_id_, method_, path_, client_address_, status_, duration_ms, bytes_to_client_, bytes_from_client_,
             sse_ ? events_.events() : 0, closedByName(closed_by_), reason_);
}

}
