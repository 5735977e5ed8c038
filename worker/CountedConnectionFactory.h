#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <atomic>
#include <cstdint>

/// Poco's HTTPServerConnectionFactory, plus a count of the connections that have finished. With the Acceptor's
/// count of connections handed over, a draining worker knows exactly how many it still owes an answer.
/// TCPServerDispatcher's own counters cannot tell: between dequeuing a connection and beginConnection() it is
/// neither queued nor current, and a worker that exits in that window drops a client that got no answer.
namespace sluice::worker
{

class CountedConnectionFactory : public Poco::Net::TCPServerConnectionFactory
{
public:
    /// `finished` is incremented once per connection, when its HTTPServerConnection is destroyed (its last
    /// response written, or its socket detached into the StreamPump); it must outlive every connection.
    CountedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                             Poco::Net::HTTPRequestHandlerFactory::Ptr factory, std::atomic<uint64_t> & finished);

    Poco::Net::TCPServerConnection * createConnection(const Poco::Net::StreamSocket & socket) override;

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
    std::atomic<uint64_t> & finished_;
};

}
