#include "worker/ControlApi.h"

#include "worker/AccessLog.h"
#include "worker/ErrorResponses.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <sstream>

namespace sluice::worker
{

using Poco::Net::HTTPResponse;

namespace
{

constexpr const char * kJson = "application/json";
/// A reload waits for a whole new generation to report ready; the master gives up on one after 10 s.
constexpr std::chrono::milliseconds kBlockingReloadTimeout{60000};

std::string statusJson(const std::string & status, const std::string & message)
{
    /// Tyk's field order ("status" first); a default Poco object would sort the keys.
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("status", status);
    o.set("message", message);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(o, out);
    return tykJsonLine(out.str());
}

std::string healthJson(const std::string & status, const std::string & description)
{
    /// Tyk's HealthCheckResponse field order: status, version, description (details omitted while empty).
    return tykJsonLine("{\"status\":\"" + status + "\",\"version\":\"v" SLUICE_VERSION "\",\"description\":\""
                       + description + "\"}");
}

std::string pathOf(const std::string & uri)
{
    return uri.substr(0, uri.find('?'));
}

/// The definition as loaded, compacted, as GET /tyk/apis shows it.
std::string compactDefinition(const ApiDefinition & api)
{
    Poco::JSON::Parser parser;
    auto value = parser.parse(api.raw_json);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

}

void HealthHandler::handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response)
{
    auto started = std::chrono::steady_clock::now();
    int status = 200;
    if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET)
    {
        status = 405;
        sendBody(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "Method Not Allowed");
    }
    else if (kind_ == Kind::Liveness)
        sendBody(response, HTTPResponse::HTTP_OK, kJson, healthJson("pass", "Tyk GW"));
    else if (services_.draining.load())
    {
        status = 503;
        sendBody(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, kJson,
                 healthJson("fail", "Gateway is shutting down"));
    }
    else
        sendBody(response, HTTPResponse::HTTP_OK, kJson, healthJson("pass", "Tyk GW Ready"));
    logAccess(*services_.access, request, status, "", started, 0, false);
}

void TykApiHandler::handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response)
{
    auto started = std::chrono::steady_clock::now();
    int status;
    /// Tyk checks the secret before routing: an unknown /tyk/ path without the secret is a 403 too.
    if (request.get("X-Tyk-Authorization", "") != services_.gateway.secret)
    {
        status = 403;
        sendBody(response, HTTPResponse::HTTP_FORBIDDEN, kJson,
                 statusJson("error", "Attempted administrative access with invalid or missing key!"));
    }
    else
    {
        std::string path = pathOf(request.getURI()).substr(5); /// after "/tyk/"
        while (!path.empty() && path.back() == '/')
            path.pop_back();
        status = route(request, response, path);
    }
    logAccess(*services_.access, request, status, "", started, 0, false);
}

int TykApiHandler::route(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response,
                         const std::string & path)
{
    bool get = request.getMethod() == Poco::Net::HTTPRequest::HTTP_GET;
    if (path == "apis" || path.rfind("apis/", 0) == 0)
    {
        if (!get)
        {
            /// Writing definitions (POST/PUT/DELETE) is not offered: Sluice's config is files reloaded as a whole.
            sendBody(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, kJson,
                     statusJson("error", "Method not supported"));
            return 405;
        }
        const auto & apis = services_.plan->apis;
        if (path == "apis")
        {
            std::string body = "[";
            for (size_t i = 0; i < apis.size(); ++i)
                body += (i ? "," : "") + compactDefinition(apis[i]);
            sendBody(response, HTTPResponse::HTTP_OK, kJson, tykJsonLine(body + "]"));
            return 200;
        }
        std::string id = path.substr(5);
        for (const ApiDefinition & api : apis)
            if (api.api_id == id)
            {
                sendBody(response, HTTPResponse::HTTP_OK, kJson, tykJsonLine(compactDefinition(api)));
                return 200;
            }
        sendBody(response, HTTPResponse::HTTP_NOT_FOUND, kJson, statusJson("error", "API not found"));
        return 404;
    }
    if (path == "reload")
    {
        if (!get)
        {
            sendBody(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, kJson,
                     statusJson("error", "Method not supported"));
            return 405;
        }
        Poco::URI uri(request.getURI());
        bool block = false;
        for (const auto & [key, value] : uri.getQueryParameters())
            if (key == "block" && value == "true")
                block = true;
        /// Sluice reloads everything (tyk.conf included) by starting a new generation of workers; this one
        /// answers, then drains.
        ReloadRelay::Result result = services_.reload.request(block, kBlockingReloadTimeout);
        if (!result.ok)
        {
            sendBody(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, kJson,
                     statusJson("error", "reload failed: " + result.message));
            return 500;
        }
        sendBody(response, HTTPResponse::HTTP_OK, kJson, statusJson("ok", ""));
        return 200;
    }
    sendBody(response, HTTPResponse::HTTP_NOT_FOUND, "text/plain; charset=utf-8", "404 page not found\n");
    return 404;
}

}
