#include "worker/Stream.h"

#include "worker/ChunkWriter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include <sys/epoll.h>

namespace sluice::worker
{
namespace
{

constexpr uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
constexpr uint32_t kWriteEvents = EPOLLOUT | EPOLLHUP | EPOLLERR;

UpstreamFraming normalizedFraming(const StreamSpec & spec)
{
    /// A Content-Length stream without a usable length can only end when the upstream closes.
    if (spec.upstream_framing == UpstreamFraming::ContentLength && spec.content_length < 0)
        return UpstreamFraming::CloseDelimited;
    return spec.upstream_framing;
}

}

Stream::Stream(StreamSpec && spec)
    : client_(spec.client, *this)
    , upstream_(spec.upstream, *this)
    , api_id_(std::move(spec.api_id))
    , method_(std::move(spec.method))
    , path_(std::move(spec.path))
    , client_address_(std::move(spec.client_address))
    , upstream_prefetched_(std::move(spec.upstream_prefetched))
    , client_prefetched_(std::move(spec.client_prefetched))
    , started_(spec.started)
    , content_remaining_(spec.content_length)
    , status_(spec.status)
    , upstream_framing_(normalizedFraming(spec))
    , client_framing_(spec.upstream_framing == UpstreamFraming::Tunnel ? ClientFraming::Raw : spec.client_framing)
    , sse_(spec.sse && spec.upstream_framing != UpstreamFraming::Tunnel)
{
}

void Stream::start(PumpContext & ctx)
{
    last_activity_ = ctx.now;
    last_client_send_ = ctx.now;
    for (StreamSide * side : {&client_, &upstream_})
    {
        std::string error = side->prepare();
        if (!error.empty())
        {
            ctx.log.warn("stream setup failed api={} path={}: {}", api_id_, path_, error);
            setOutcome(ClosedBy::Gateway, "setup_failed");
            finish(ctx);
            return;
        }
    }
    if (!isTunnel())
        client_.setWatchHangup();
    sync(ctx, client_);
    if (finished())
        return;
    sync(ctx, upstream_);
    if (finished())
        return;
    processPrefetched(ctx);
    if (phase_ == Phase::Relaying && upstream_framing_ == UpstreamFraming::ContentLength && content_remaining_ == 0)
        endStream(ctx, ClosedBy::Upstream, "end_of_stream", Ending::Complete);
}

void Stream::processPrefetched(PumpContext & ctx)
{
    std::string from_client = std::move(client_prefetched_);
    std::string from_upstream = std::move(upstream_prefetched_);
    if (isTunnel() && !from_client.empty())
    {
        bytes_from_client_ += from_client.size();
        relayClientBytes(ctx, from_client.data(), from_client.size());
    }
    /// Copied into the shared buffer piece by piece: framing in place needs its head- and tailroom.
    for (size_t offset = 0; offset < from_upstream.size() && phase_ == Phase::Relaying;)
    {
        size_t len = std::min(ctx.read_size, from_upstream.size() - offset);
        std::memcpy(ctx.read_buffer, from_upstream.data() + offset, len);
        offset += len;
        relayUpstreamBytes(ctx, ctx.read_buffer, len);
    }
}

void Stream::onEvent(PumpContext & ctx, StreamSide & side, uint32_t events)
{
    if (finished() || !side.isOpen())
        return; /// closed earlier in this same batch of events
    if (&side == &client_)
        onClientEvent(ctx, events);
    else
        onUpstreamEvent(ctx, events);
}

void Stream::onClientEvent(PumpContext & ctx, uint32_t events)
{
    if ((events & kWriteEvents) && client_.queued() != 0)
    {
        flushClient(ctx);
        if (finished())
            return;
    }
    if ((events & kReadEvents) && client_.wantsRead())
        readClient(ctx, events);
}

void Stream::onUpstreamEvent(PumpContext & ctx, uint32_t events)
{
    if ((events & kWriteEvents) && upstream_.queued() != 0)
    {
        flushUpstream(ctx);
        if (finished())
            return;
    }
    if ((events & kReadEvents) && upstream_.wantsRead())
        readUpstream(ctx);
}

void Stream::readClient(PumpContext & ctx, uint32_t events)
{
    bool relay = isTunnel() && phase_ == Phase::Relaying;
    /// Outside a tunnel the client has nothing more to say: a hang-up of any kind means it left.
    if (!relay && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
    {
        clientGone(ctx);
        return;
    }
    size_t len = 0;
    switch (client_.receive(ctx.read_buffer, ctx.read_size, len))
    {
        case StreamSide::ReadStatus::Data:
            bytes_from_client_ += len;
            if (relay)
            {
                last_activity_ = ctx.now;
                relayClientBytes(ctx, ctx.read_buffer, len);
            }
            return;
        case StreamSide::ReadStatus::Again:
            return;
        case StreamSide::ReadStatus::Eof:
            if (relay)
                tunnelSideEof(ctx, client_, upstream_);
            else
                clientGone(ctx);
            return;
        case StreamSide::ReadStatus::Failed:
            clientGone(ctx);
            return;
    }
}

void Stream::readUpstream(PumpContext & ctx)
{
    size_t len = 0;
    switch (upstream_.receive(ctx.read_buffer, ctx.read_size, len))
    {
        case StreamSide::ReadStatus::Data:
            last_activity_ = ctx.now;
            relayUpstreamBytes(ctx, ctx.read_buffer, len);
            return;
        case StreamSide::ReadStatus::Again:
            return;
        case StreamSide::ReadStatus::Eof:
            upstreamEof(ctx);
            return;
        case StreamSide::ReadStatus::Failed:
            upstreamFailed(ctx);
            return;
    }
}

void Stream::relayUpstreamBytes(PumpContext & ctx, char * data, size_t len)
{
    switch (upstream_framing_)
    {
        case UpstreamFraming::Chunked:
        {
            size_t payload = decoder_.decode(data, len, data);
            if (payload != 0)
                forwardToClient(ctx, data, payload);
            if (phase_ != Phase::Relaying)
                return;
            if (decoder_.failed())
                endStream(ctx, ClosedBy::Upstream, "bad_chunk", Ending::Broken);
            else if (decoder_.done())
                endStream(ctx, ClosedBy::Upstream, "end_of_stream", Ending::Complete);
            return;
        }
        case UpstreamFraming::ContentLength:
        {
            size_t take = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(len), content_remaining_));
            content_remaining_ -= static_cast<int64_t>(take);
            if (take != 0)
                forwardToClient(ctx, data, take);
            if (phase_ == Phase::Relaying && content_remaining_ == 0)
                endStream(ctx, ClosedBy::Upstream, "end_of_stream", Ending::Complete);
            return;
        }
        case UpstreamFraming::CloseDelimited:
        case UpstreamFraming::Tunnel:
            forwardToClient(ctx, data, len);
            return;
    }
}

void Stream::forwardToClient(PumpContext & ctx, char * payload, size_t len)
{
    bytes_to_client_ += len;
    if (sse_)
        events_.feed(payload, len);
    if (!chunkedClient())
    {
        sendToClient(ctx, payload, len);
        return;
    }
    auto [frame, frame_len] = ChunkWriter::frameInPlace(payload, len);
    sendToClient(ctx, frame, frame_len);
}

void Stream::sendToClient(PumpContext & ctx, const char * data, size_t len)
{
    if (client_.send(data, len, ctx.now) == StreamSide::SendStatus::Failed)
    {
        clientGone(ctx);
        return;
    }
    last_client_send_ = ctx.now;
    balance(ctx, client_, upstream_);
    if (!finished())
        sync(ctx, client_);
}

void Stream::relayClientBytes(PumpContext & ctx, const char * data, size_t len)
{
    if (upstream_.send(data, len, ctx.now) == StreamSide::SendStatus::Failed)
    {
        upstreamFailed(ctx);
        return;
    }
    balance(ctx, upstream_, client_);
    if (!finished())
        sync(ctx, upstream_);
}

void Stream::flushClient(PumpContext & ctx)
{
    if (!client_.flush(ctx.now))
    {
        clientGone(ctx);
        return;
    }
    if (phase_ == Phase::Flushing && client_.queued() == 0)
    {
        client_.shutdownAndDrain(ctx.read_buffer, ctx.read_size);
        finish(ctx);
        return;
    }
    balance(ctx, client_, upstream_);
    if (finished())
        return;
    sync(ctx, client_);
    if (!finished() && isTunnel())
        finishTunnelIfDone(ctx);
}

void Stream::flushUpstream(PumpContext & ctx)
{
    if (!upstream_.flush(ctx.now))
    {
        upstreamFailed(ctx);
        return;
    }
    balance(ctx, upstream_, client_);
    if (finished())
        return;
    sync(ctx, upstream_);
    if (!finished())
        finishTunnelIfDone(ctx);
}

void Stream::balance(PumpContext & ctx, StreamSide & writer, StreamSide & reader)
{
    if (!reader.isOpen())
        return;
    size_t limit = ctx.settings.client_buffer_limit;
    if (!reader.paused() && writer.queued() > limit)
        reader.setPaused(true);
    else if (reader.paused() && writer.queued() <= limit / 2)
    {
        reader.setPaused(false);
        last_activity_ = ctx.now; /// a paused reader was silent because of us, not because its peer was idle
    }
    else
        return;
    sync(ctx, reader);
}

void Stream::sync(PumpContext & ctx, StreamSide & side)
{
    std::string error = side.syncInterest(ctx.epoll_fd);
    if (error.empty())
        return;
    ctx.log.error("stream api={} path={}: {}", api_id_, path_, error);
    setOutcome(ClosedBy::Gateway, "epoll_failed");
    finish(ctx);
}

}
