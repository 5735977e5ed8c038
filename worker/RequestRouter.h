#pragma once

#include "worker/WorkerServices.h"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

/// Poco's handler factory for a worker: control routes first (/hello, /ready, /tyk/), then Tyk's path cleaning
/// (301), then the API route table; no match -> Tyk's 404 "Not Found".
namespace sluice::worker
{

class RequestRouter : public Poco::Net::HTTPRequestHandlerFactory
{
public:
    explicit RequestRouter(WorkerServices & services);

    Poco::Net::HTTPRequestHandler * createRequestHandler(const Poco::Net::HTTPServerRequest & request) override;

private:
    /// The handler for `request` (createRequestHandler wraps it so that draining answers carry Connection: close).
    Poco::Net::HTTPRequestHandler * route(const Poco::Net::HTTPServerRequest & request);

    WorkerServices & services_;
    const std::string hello_path_;
    const std::string ready_path_;
};

}
