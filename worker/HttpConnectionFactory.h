#pragma once

#include "worker/HttpConnection.h"

#include <Poco/Net/TCPServerConnectionFactory.h>

namespace sluice::worker
{

/// Makes an HttpConnection for each accepted socket, all sharing one ConnectionContext.
class HttpConnectionFactory : public Poco::Net::TCPServerConnectionFactory
{
public:
    /// `finished` counts destroyed connections; it must outlive every connection.
    HttpConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                          std::atomic<uint64_t> & finished);

    /// Lets idle keep-alive connections see when others wait for a thread (the dispatcher is built from this
    /// factory, so it can only be given afterwards).
    void watchQueueOf(Poco::Net::TCPServerDispatcher * dispatcher) { context_.dispatcher = dispatcher; }

    /// Stops every live connection: at once when `abort` (the drain deadline), else after its current request.
    void stopConnections(bool abort) { context_.stopped.notify(this, abort); }

    Poco::Net::TCPServerConnection * createConnection(const Poco::Net::StreamSocket & socket) override;

private:
    ConnectionContext context_;
};

}
