#include "worker/CountedConnectionFactory.h"

#include <Poco/Net/HTTPServerConnection.h>

namespace sluice::worker
{

namespace
{

class CountedConnection : public Poco::Net::HTTPServerConnection
{
public:
    CountedConnection(const Poco::Net::StreamSocket & socket, Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory::Ptr factory, std::atomic<uint64_t> & finished)
        : Poco::Net::HTTPServerConnection(socket, params, factory), finished_(finished)
    {
    }

    ~CountedConnection() override { finished_.fetch_add(1); }

private:
    std::atomic<uint64_t> & finished_;
};

}

CountedConnectionFactory::CountedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                                                   Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                                                   std::atomic<uint64_t> & finished)
    : params_(std::move(params)), factory_(std::move(factory)), finished_(finished)
{
}

Poco::Net::TCPServerConnection * CountedConnectionFactory::createConnection(const Poco::Net::StreamSocket & socket)
{
    return new CountedConnection(socket, params_, factory_, finished_);
}

}
