#pragma once

#include <Poco/BasicEvent.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerDispatcher.h>

#include <atomic>
#include <cstdint>

namespace Poco::Net { class HTTPServerSession; }

/// One client connection: Poco's HTTPServerConnection loop (parse, hand to the handler, keep-alive) with a
/// different wait between keep-alive requests.
///
/// Poco holds a request thread for each connection, idle keep-alive ones included, for up to keepAliveTimeout; with
/// every thread so held, new connections wait in the dispatcher's queue. Here an idle keep-alive connection lets go
/// of its thread as soon as a connection is queued (HTTP/1.1 allows closing an idle connection at any time; clients
/// retry on a fresh one). The wait is also a plain poll(): Poco's Socket::poll() builds and closes an epoll set on
/// every call, four system calls per request.
namespace sluice::worker
{

/// What the connections of a worker share.
struct ConnectionContext
{
    Poco::Net::HTTPServerParams::Ptr params;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory;
    /// Incremented once per connection when it is destroyed (its last response written, or its socket detached into
    /// the StreamPump): with the Acceptor's count it tells a draining worker what it still owes.
    std::atomic<uint64_t> & finished;
    /// Set once the dispatcher exists (it is built from the factory that creates the connections).
    std::atomic<Poco::Net::TCPServerDispatcher *> dispatcher{nullptr};
    /// Fired at the end of a drain: every live connection stops (true: cut even a request in progress).
    Poco::BasicEvent<const bool> stopped;

    ConnectionContext(Poco::Net::HTTPServerParams::Ptr params_, Poco::Net::HTTPRequestHandlerFactory::Ptr factory_,
                      std::atomic<uint64_t> & finished_)
        : params(std::move(params_)), factory(std::move(factory_)), finished(finished_)
    {
    }
};

class HttpConnection : public Poco::Net::TCPServerConnection
{
public:
    HttpConnection(const Poco::Net::StreamSocket & socket, ConnectionContext & context);
    ~HttpConnection() override;

    void run() override;

private:
    /// True when a request is there to read; false to end the connection (timeout, idle while others queue,
    /// server stopped, peer gone).
    bool waitForRequest(Poco::Net::HTTPServerSession & session, bool first);
    void sendErrorResponse(Poco::Net::HTTPServerSession & session, Poco::Net::HTTPResponse::HTTPStatus status);
    void onServerStopped(const bool & abort_current);

    ConnectionContext & context_;
    std::atomic<bool> stopped_{false};
    Poco::FastMutex mutex_;
};

}
