#include "worker/HttpConnectionFactory.h"

namespace sluice::worker
{

HttpConnectionFactory::HttpConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                                             Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                                             std::atomic<uint64_t> & finished)
    : context_(std::move(params), std::move(factory), finished)
{
}

Poco::Net::TCPServerConnection * HttpConnectionFactory::createConnection(const Poco::Net::StreamSocket & socket)
{
    return new HttpConnection(socket, context_);
}

}
