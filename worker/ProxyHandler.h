#pragma once

#include "worker/RouteTable.h"
#include "worker/WorkerServices.h"

#include <Poco/Net/HTTPRequestHandler.h>

namespace Poco::Net
{
class HTTPClientSession;
class HTTPResponse;
class HTTPRequest;
}

/// Proxies one request to its API's upstream. Fixed-length responses are relayed in this (Poco) thread and
/// flushed per flush_interval; streams (text/event-stream, unknown length, 101 upgrades) get their headers sent at
/// once and are then handed, sockets detached, to the worker's StreamPump, which frees this thread.
namespace sluice::worker
{

class ProxyHandler : public Poco::Net::HTTPRequestHandler
{
public:
    ProxyHandler(WorkerServices & services, RouteMatch match);

    void handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response) override;

private:
    struct Outcome
    {
        int status = 0;
        int64_t bytes = 0;
        bool streamed = false;
        std::string upstream;
        std::string error; /// why the upstream exchange failed, for the log
    };

    Outcome proxy(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response);
    const UpstreamTarget & pickTarget();
    Poco::Net::HTTPRequest buildUpstreamRequest(Poco::Net::HTTPServerRequest & request, const UpstreamTarget & target,
                                                bool upgrade) const;
    Outcome relayResponse(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response,
                          UpstreamPool::SessionPtr session, Poco::Net::HTTPResponse & upstream_response,
                          std::istream & upstream_body, const UpstreamTarget & target, bool upgrade);
    Outcome handOffStream(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response,
                          UpstreamPool::SessionPtr session, Poco::Net::HTTPResponse & upstream_response, bool tunnel,
                          bool sse);

    WorkerServices & services_;
    const RouteMatch match_;
};

}
