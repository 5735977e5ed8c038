#pragma once

#include "worker/WorkerServices.h"

#include <Poco/Net/HTTPRequestHandler.h>

/// Tyk's control routes (tyk-compat.md §4): /hello and /ready without a secret, /tyk/... behind the
/// x-tyk-authorization secret, with Tyk's JSON shapes and bytes.
namespace sluice::worker
{

class HealthHandler : public Poco::Net::HTTPRequestHandler
{
public:
    enum class Kind
    {
        Liveness,  /// /hello
        Readiness, /// /ready: 503 once the worker drains
    };

    HealthHandler(WorkerServices & services, Kind kind) : services_(services), kind_(kind) {}
    void handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response) override;

private:
    WorkerServices & services_;
    Kind kind_;
};

/// Everything under /tyk/.
class TykApiHandler : public Poco::Net::HTTPRequestHandler
{
public:
    explicit TykApiHandler(WorkerServices & services) : services_(services) {}
    void handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response) override;

private:
    int route(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response,
              const std::string & path);

    WorkerServices & services_;
};

}
