#include "worker/HttpConnection.h"

#include <Poco/Delegate.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace sluice::worker
{

namespace
{

using Clock = std::chrono::steady_clock;

/// How often an idle keep-alive connection looks at the dispatcher's queue and the stop flag.
constexpr std::chrono::milliseconds kIdleSlice{50};

/// HTTPSession::buffered() is protected; the wait needs it (a pipelined request may already be read).
class ServerSession : public Poco::Net::HTTPServerSession
{
public:
    using Poco::Net::HTTPServerSession::HTTPServerSession;
    int bufferedBytes() const { return buffered(); }
};

}

HttpConnection::HttpConnection(const Poco::Net::StreamSocket & socket, ConnectionContext & context)
    : Poco::Net::TCPServerConnection(socket), context_(context)
{
    context_.stopped += Poco::delegate(this, &HttpConnection::onServerStopped);
}

HttpConnection::~HttpConnection()
{
    context_.stopped -= Poco::delegate(this, &HttpConnection::onServerStopped);
    context_.finished.fetch_add(1);
}

bool HttpConnection::waitForRequest(Poco::Net::HTTPServerSession & session, bool first)
{
    /// A socket detached into the StreamPump (a stream or a tunnel) leaves the session with an empty one: the
    /// connection is no longer ours to wait on.
    if (!session.socket().impl()->initialized())
        return false;
    if (!first && !session.getKeepAlive())
        return false;
    if (static_cast<ServerSession &>(session).bufferedBytes() > 0)
        return true;
    const Poco::Timespan limit = first ? context_.params->getTimeout() : context_.params->getKeepAliveTimeout();
    const auto deadline = Clock::now() + std::chrono::microseconds(limit.totalMicroseconds());
    const int fd = session.socket().impl()->sockfd();
    while (!stopped_)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return false;
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::min(left, kIdleSlice).count()));
        if (n > 0)
            return true; /// data, or EOF/error: reading the request tells which
        if (n == -1 && errno != EINTR)
            return false;
        /// Between requests the connection is idle: give the thread to a waiting connection.
        Poco::Net::TCPServerDispatcher * dispatcher = context_.dispatcher.load();
        if (!first && dispatcher && dispatcher->queuedConnections() > 0)
            return false;
    }
    return false;
}

void HttpConnection::run()
{
    const std::string server = context_.params->getSoftwareVersion();
    ServerSession session(socket(), context_.params);
    for (bool first = true; !stopped_ && waitForRequest(session, first); first = false)
    {
        try
        {
            Poco::FastMutex::ScopedLock lock(mutex_);
            if (stopped_)
                break;
            Poco::Net::HTTPServerResponseImpl response(session);
            Poco::Net::HTTPServerRequestImpl request(response, session, context_.params);
            response.setDate(Poco::Timestamp());
            response.setVersion(request.getVersion());
            /// No session.canKeepAlive(): it counts down maxKeepAliveRequests inside Poco's own wait, which is not used
            /// here; Sluice sets no limit on requests per connection.
            response.setKeepAlive(context_.params->getKeepAlive() && request.getKeepAlive());
            if (!server.empty())
                response.set("Server", server);
            try
            {
                std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
                    context_.factory->createRequestHandler(request));
                if (!handler)
                {
                    sendErrorResponse(session, Poco::Net::HTTPResponse::HTTP_NOT_IMPLEMENTED);
                    continue;
                }
                if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
                    response.sendContinue();
                handler->handleRequest(request, response);
                session.setKeepAlive(context_.params->getKeepAlive() && response.getKeepAlive());
            }
            catch (Poco::Exception &)
            {
                if (!response.sent())
                {
                    try
                    {
                        sendErrorResponse(session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                    }
                    catch (const Poco::Exception &)
                    {
                        /// The client is gone; the rethrow below ends the connection.
                    }
                }
                throw;
            }
        }
        catch (const Poco::Net::NoMessageException &)
        {
            break; /// the client closed an idle connection
        }
        catch (const Poco::Net::MessageException &)
        {
            sendErrorResponse(session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
        }
        catch (const Poco::Exception &)
        {
            if (session.networkException())
                session.networkException()->rethrow();
            throw;
        }
    }
}

void HttpConnection::sendErrorResponse(Poco::Net::HTTPServerSession & session,
                                       Poco::Net::HTTPResponse::HTTPStatus status)
{
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(status);
    response.setKeepAlive(false);
    response.send();
    session.setKeepAlive(false);
}

void HttpConnection::onServerStopped(const bool & abort_current)
{
    stopped_ = true;
    /// abort: cut the connection now, even mid-request (the drain deadline has passed). Otherwise wait for the
    /// request in progress (the handler holds mutex_) before shutting the socket.
    std::unique_ptr<Poco::FastMutex::ScopedLock> lock;
    if (!abort_current)
        lock = std::make_unique<Poco::FastMutex::ScopedLock>(mutex_);
    try
    {
        socket().shutdown();
    }
    catch (const Poco::Exception &)
    {
        /// Already closed or never connected: nothing left to cut.
    }
}

}
