#include "worker/RequestRouter.h"

#include "worker/AccessLog.h"
#include "worker/ControlApi.h"
#include "worker/ErrorResponses.h"
#include "worker/HeaderRules.h"
#include "worker/ProxyHandler.h"
#include "worker/UpstreamPath.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <memory>

namespace sluice::worker
{

using Poco::Net::HTTPResponse;

namespace
{

/// Answers with fixed bytes: Tyk's 404, the 301 of path cleaning, and the refusals of requests whose head cannot be
/// trusted (400, 501), which also close the connection: what follows such a head is not surely the next request.
class FixedAnswerHandler : public Poco::Net::HTTPRequestHandler
{
public:
    FixedAnswerHandler(WorkerServices & services, HTTPResponse::HTTPStatus status, std::string body,
                       std::string location = "")
        : services_(services), status_(status), body_(std::move(body)), location_(std::move(location))
    {
    }

    void handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response) override
    {
        auto started = std::chrono::steady_clock::now();
        if (!location_.empty())
            response.set("Location", location_);
        if (status_ == HTTPResponse::HTTP_BAD_REQUEST || status_ == HTTPResponse::HTTP_NOT_IMPLEMENTED)
            response.setKeepAlive(false);
        sendBody(response, status_, "text/plain; charset=utf-8", body_);
        logAccess(*services_.access, request, status_, "", started, 0, false);
    }

private:
    WorkerServices & services_;
    HTTPResponse::HTTPStatus status_;
    std::string body_;
    std::string location_;
};

/// Every response of a draining worker says `Connection: close`, and only responses that say so end their
/// connection. Poco decides twice: the response's Connection header from HTTPServerParams before the handler runs,
/// and whether to keep the connection from the same params after it. Flipping the shared params at the drain
/// (params->setKeepAlive(false)) lets a request in flight answer "Keep-Alive" and then lose its connection, so the
/// client's next request on it hits a close (EOF or reset). Deciding per response, before it is sent, keeps the
/// header and the connection's fate the same.
class CloseWhenDrainingHandler : public Poco::Net::HTTPRequestHandler
{
public:
    CloseWhenDrainingHandler(WorkerServices & services, Poco::Net::HTTPRequestHandler * inner)
        : services_(services), inner_(inner)
    {
    }

    void handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response) override
    {
        services_.requests_total.fetch_add(1, std::memory_order_relaxed);
        if (services_.draining.load())
            response.setKeepAlive(false);
        inner_->handleRequest(request, response);
    }

private:
    WorkerServices & services_;
    std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
};

std::string hostWithoutPort(const std::string & host)
{
    if (!host.empty() && host.front() == '[')
        return host.substr(0, host.find(']') + 1);
    return host.substr(0, host.find(':'));
}

}

RequestRouter::RequestRouter(WorkerServices & services)
    : services_(services)
    , hello_path_("/" + services.gateway.health_check_endpoint_name)
    , ready_path_("/" + services.gateway.readiness_check_endpoint_name)
{
}

Poco::Net::HTTPRequestHandler * RequestRouter::createRequestHandler(const Poco::Net::HTTPServerRequest & request)
{
    return new CloseWhenDrainingHandler(services_, route(request));
}

Poco::Net::HTTPRequestHandler * RequestRouter::route(const Poco::Net::HTTPServerRequest & request)
{
    /// Poco takes a header line without a colon as a header named by the whole line; Go (Tyk) answers 400, and a
    /// proxy must not pass such a line on (request smuggling).
    for (const auto & header : request)
        if (!isValidHeaderName(header.first))
            return new FixedAnswerHandler(services_, HTTPResponse::HTTP_BAD_REQUEST,
                                          "400 Bad Request: malformed header line");
    /// Only "chunked" is understood; any other coding would leave the body unframed (Go answers 501 too).
    if (request.has("Transfer-Encoding") && !request.getChunkedTransferEncoding())
        return new FixedAnswerHandler(services_, HTTPResponse::HTTP_NOT_IMPLEMENTED,
                                      "501 Not Implemented: unsupported transfer encoding");

    const std::string & uri = request.getURI();
    size_t q = uri.find('?');
    std::string path = uri.substr(0, q);

    if (!services_.gateway.http.skip_url_cleaning)
        if (auto cleaned = cleanRequestPath(path))
            return new FixedAnswerHandler(services_, HTTPResponse::HTTP_MOVED_PERMANENTLY, "",
                                          *cleaned + (q == std::string::npos ? "" : uri.substr(q)));

    if (path == hello_path_)
        return new HealthHandler(services_, HealthHandler::Kind::Liveness);
    if (path == ready_path_)
        return new HealthHandler(services_, HealthHandler::Kind::Readiness);
    if (path.rfind("/tyk/", 0) == 0)
        return new TykApiHandler(services_);

    RouteMatch match = services_.routes.match(path, hostWithoutPort(request.get("Host", "")));
    if (!match.api)
        return new FixedAnswerHandler(services_, HTTPResponse::HTTP_NOT_FOUND, "Not Found");
    return new ProxyHandler(services_, std::move(match));
}

}
