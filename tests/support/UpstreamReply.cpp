#include "support/FakeUpstream.h"

/// The small value types of FakeUpstream: ready-made replies and request accessors.
namespace sluice::test
{

std::string RecordedRequest::query() const
{
    size_t mark = target.find('?');
    return mark == std::string::npos ? "" : target.substr(mark + 1);
}

UpstreamReply UpstreamReply::text(int status, std::string body, std::string content_type)
{
    UpstreamReply reply;
    reply.status = status;
    reply.reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Status";
    reply.headers = {{"Content-Type", std::move(content_type)}};
    reply.body = std::move(body);
    return reply;
}

UpstreamReply UpstreamReply::sse()
{
    UpstreamReply reply;
    reply.kind = Kind::Stream;
    reply.headers = {{"Content-Type", "text/event-stream"},
                     {"Cache-Control", "no-cache"},
                     {"Connection", "keep-alive"},
                     {"Transfer-Encoding", "chunked"}};
    return reply;
}

UpstreamReply UpstreamReply::closeAbruptly()
{
    UpstreamReply reply;
    reply.kind = Kind::CloseAbruptly;
    return reply;
}

UpstreamReply UpstreamReply::hang()
{
    UpstreamReply reply;
    reply.kind = Kind::Hang;
    return reply;
}

}
