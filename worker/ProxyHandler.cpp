#include "worker/ProxyHandler.h"

#include "worker/AccessLog.h"
#include "worker/FixedBodyRelay.h"
#include "worker/HeaderRules.h"
#include "worker/UpstreamPath.h"

#include <Poco/Buffer.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

namespace sluice::worker
{

using Poco::Net::HTTPResponse;

namespace
{

constexpr const char * kProxyError = "There was a problem proxying the request";
constexpr const char * kTimeoutError = "Upstream service reached hard timeout.";

/// Where the exchange with the upstream failed decides the answer: no response headers in time is a 504,
/// everything else (refused, reset, garbage) a 502.
enum class Phase
{
    Send,
    Receive,
};

bool responseHasNoBody(const std::string & method, int status)
{
    return method == Poco::Net::HTTPRequest::HTTP_HEAD || status == 204 || status == 304
        || (status >= 100 && status < 200);
}

/// Poco's server sets its own Date on every response; the upstream's, when it sent one, is the one to keep
/// (as Go's server does), and never both.
void copyResponseHeaders(const HTTPResponse & upstream, Poco::Net::HTTPServerResponse & response,
                         bool drop_content_length)
{
    if (upstream.has("Date"))
        response.erase("Date");
    copyEndToEndHeaders(upstream, response, drop_content_length);
}

std::string readAtMost(std::istream & in, int64_t limit)
{
    std::string body;
    char buf[8192];
    while (static_cast<int64_t>(body.size()) < limit)
    {
        auto want = static_cast<std::streamsize>(std::min<int64_t>(sizeof buf, limit - static_cast<int64_t>(body.size())));
        in.read(buf, want);
        if (in.gcount() <= 0)
            break;
        body.append(buf, static_cast<size_t>(in.gcount()));
    }
    return body;
}

std::string rawPathAndQuery(const std::string & uri, std::string & query)
{
    size_t q = uri.find('?');
    query = q == std::string::npos ? std::string() : uri.substr(q + 1);
    return uri.substr(0, q);
}

}

ProxyHandler::ProxyHandler(WorkerServices & services, RouteMatch match) : services_(services), match_(std::move(match))
{
}

void ProxyHandler::handleRequest(Poco::Net::HTTPServerRequest & request, Poco::Net::HTTPServerResponse & response)
{
    auto started = std::chrono::steady_clock::now();
    Outcome outcome = proxy(request, response);
    if (!outcome.error.empty())
    {
        services_.upstream_errors_total.fetch_add(1, std::memory_order_relaxed);
        services_.log->warn("upstream error api={} upstream={} status={} error=\"{}\"", match_.api->api_id,
                            outcome.upstream, outcome.status, outcome.error);
    }
    logAccess(*services_.access, request, outcome.status, match_.api->api_id, started, outcome.bytes, outcome.streamed);
}

const UpstreamTarget & ProxyHandler::pickTarget()
{
    const ApiDefinition & api = *match_.api;
    if (api.target_list.empty())
        return api.target;
    uint64_t n = services_.balance_counter.fetch_add(1, std::memory_order_relaxed);
    return api.target_list[n % api.target_list.size()];
}

Poco::Net::HTTPRequest ProxyHandler::buildUpstreamRequest(Poco::Net::HTTPServerRequest & request,
                                                          const UpstreamTarget & target, bool upgrade) const
{
    const ApiDefinition & api = *match_.api;
    std::string client_query;
    rawPathAndQuery(request.getURI(), client_query);
    std::string uri = joinUpstreamPath(target.path, match_.rest, api.disable_strip_slash);
    std::string query = joinQuery(target.query, client_query);
    if (!query.empty())
        uri += "?" + query;

    Poco::Net::HTTPRequest upstream(request.getMethod(), uri, Poco::Net::HTTPMessage::HTTP_1_1);
    copyEndToEndHeaders(request, upstream, false);
    upstream.set("Host", api.preserve_host_header && request.has("Host") ? request.getHost() : target.host_header);
    std::string xff = forwardedFor(request, request.clientAddress().host().toString());
    while (upstream.has("X-Forwarded-For"))
        upstream.erase("X-Forwarded-For"); /// several incoming lines become the one joined value
    upstream.set("X-Forwarded-For", xff);
    if (upgrade)
    {
        upstream.set("Connection", "Upgrade");
        upstream.set("Upgrade", request.get("Upgrade"));
    }
    if (request.getChunkedTransferEncoding())
    {
        /// Chunked framing wins over a Content-Length sent with it (RFC 9112 §6.3, as Go does); forwarding both
        /// would let the upstream pick the other framing: request smuggling.
        upstream.erase("Content-Length");
        upstream.setChunkedTransferEncoding(true);
    }
    else if (!request.hasContentLength()
             && (request.getMethod() == Poco::Net::HTTPRequest::HTTP_POST
                 || request.getMethod() == Poco::Net::HTTPRequest::HTTP_PUT))
        upstream.setContentLength(0); /// no body: say so, or Poco would frame it as "until close"
    return upstream;
}

ProxyHandler::Outcome ProxyHandler::proxy(Poco::Net::HTTPServerRequest & request,
                                          Poco::Net::HTTPServerResponse & response)
{
    const ApiDefinition & api = *match_.api;
    const GatewayConfig & gw = services_.gateway;
    Outcome outcome;

    if (!api.version_error.empty())
    {
        sendTykError(response, HTTPResponse::HTTP_FORBIDDEN, api.version_error, services_.error_style);
        outcome.status = 403;
        return outcome;
    }
    const int64_t body_limit = gw.http.max_request_body_size;
    auto refuse_too_large = [&] {
        response.setKeepAlive(false); /// the unread body must not be parsed as the next request
        sendBody(response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "text/plain; charset=utf-8",
                 "Request Entity Too Large\n");
        outcome.status = 413;
        return outcome;
    };
    if (body_limit > 0 && request.hasContentLength() && request.getContentLength64() > body_limit)
        return refuse_too_large();
    /// A chunked body announces no length: with a limit set it is read first (never more than limit + 1 bytes)
    /// and refused before the upstream sees any of it, as Tyk, which buffers every body, does.
    std::optional<std::string> buffered_body;
    if (body_limit > 0 && request.getChunkedTransferEncoding())
    {
        buffered_body = readAtMost(request.stream(), body_limit + 1);
        if (static_cast<int64_t>(buffered_body->size()) > body_limit)
            return refuse_too_large();
    }
    /// Refuse with a 503 before descriptors run out (design.md §7): two per stream.
    if (services_.pump.activeStreams() >= services_.max_streams)
    {
        sendTykError(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "Service temporarily unavailable.",
                     services_.error_style);
        outcome.status = 503;
        outcome.error = "stream limit reached";
        return outcome;
    }

    const UpstreamTarget & target = pickTarget();
    outcome.upstream = target.host + ":" + std::to_string(target.port);
    bool upgrade = gw.http.enable_websockets && isUpgradeRequest(request);
    bool has_body = request.getChunkedTransferEncoding() || request.getContentLength64() > 0;

    for (int attempt = 0;; ++attempt)
    {
        UpstreamPool::Lease lease = services_.upstreams.acquire(target);
        Phase phase = Phase::Send;
        try
        {
            Poco::Net::HTTPRequest upstream_request = buildUpstreamRequest(request, target, upgrade);
            if (buffered_body)
            {
                upstream_request.setChunkedTransferEncoding(false);
                upstream_request.setContentLength64(static_cast<int64_t>(buffered_body->size()));
            }
            std::ostream & body_out = lease.session->sendRequest(upstream_request);
            if (buffered_body)
                body_out.write(buffered_body->data(), static_cast<std::streamsize>(buffered_body->size()));
            else if (has_body)
                Poco::StreamCopier::copyStream(request.stream(), body_out);
            phase = Phase::Receive;
            HTTPResponse upstream_response;
            std::istream & body_in = lease.session->receiveResponse(upstream_response);
            return relayResponse(request, response, std::move(lease.session), upstream_response, body_in, target,
                                 upgrade);
        }
        catch (const Poco::TimeoutException & e)
        {
            outcome.error = e.displayText();
            outcome.status = phase == Phase::Receive ? 504 : 502;
        }
        catch (const Poco::Exception & e)
        {
            /// A pooled connection the upstream closed while idle fails on first use; one fresh try is safe
            /// when no request body was consumed, or when it is buffered.
            if (lease.reused && (!has_body || buffered_body) && attempt == 0)
                continue;
            outcome.error = e.displayText();
            outcome.status = 502;
        }
        break;
    }
    if (!response.sent())
        sendTykError(response, static_cast<HTTPResponse::HTTPStatus>(outcome.status),
                     outcome.status == 504 ? kTimeoutError : kProxyError, services_.error_style);
    return outcome;
}

ProxyHandler::Outcome ProxyHandler::relayResponse(Poco::Net::HTTPServerRequest & request,
                                                  Poco::Net::HTTPServerResponse & response,
                                                  UpstreamPool::SessionPtr session, HTTPResponse & upstream_response,
                                                  std::istream & upstream_body, const UpstreamTarget & target,
                                                  bool upgrade)
{
    int status = upstream_response.getStatus();
    if (status == HTTPResponse::HTTP_SWITCHING_PROTOCOLS && upgrade)
        return handOffStream(request, response, std::move(session), upstream_response, true, false);

    bool no_body = responseHasNoBody(request.getMethod(), status);
    bool sse = isEventStream(upstream_response.getContentType());
    bool known_length = !upstream_response.getChunkedTransferEncoding() && upstream_response.hasContentLength();
    if (!no_body && (sse || !known_length))
        return handOffStream(request, response, std::move(session), upstream_response, false, sse);

    Outcome outcome;
    outcome.status = status;
    outcome.upstream = target.host + ":" + std::to_string(target.port);
    response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status), upstream_response.getReason());
    copyResponseHeaders(upstream_response, response, false);
    if (services_.gateway.close_connections)
        response.setKeepAlive(false);
    int64_t length = no_body ? 0 : upstream_response.getContentLength64();
    if (no_body)
    {
        /// Poco frames by Content-Length; a HEAD answer keeps the upstream's value but sends no body.
        response.send().flush();
        if (upstream_response.getKeepAlive())
            services_.upstreams.release(target, std::move(session));
        return outcome;
    }

    session->socket().setReceiveTimeout(services_.upstream_body_timeout);
    std::ostream & out = response.send();
    out.flush(); /// headers now; Tyk flushes once at the start too
    RelayResult relayed = relayFixedBody(upstream_body, session->socket().impl()->sockfd(), out, length,
                                         std::chrono::milliseconds(services_.gateway.http.flush_interval_ms));
    outcome.bytes = relayed.bytes;
    if (!relayed.complete && !relayed.client_gone)
    {
        outcome.error = "upstream body ended after " + std::to_string(relayed.bytes) + " of "
            + std::to_string(length) + " bytes";
        /// The client's framing can no longer be honoured: close its connection.
        response.setKeepAlive(false);
        static_cast<Poco::Net::HTTPServerRequestImpl &>(request).socket().shutdown();
    }
    if (relayed.complete && upstream_response.getKeepAlive())
        services_.upstreams.release(target, std::move(session));
    return outcome;
}

ProxyHandler::Outcome ProxyHandler::handOffStream(Poco::Net::HTTPServerRequest & request,
                                                  Poco::Net::HTTPServerResponse & response,
                                                  UpstreamPool::SessionPtr session, HTTPResponse & upstream_response,
                                                  bool tunnel, bool sse)
{
    Outcome outcome;
    outcome.status = upstream_response.getStatus();
    outcome.streamed = true;
    bool chunked_client = !tunnel && request.getVersion() == Poco::Net::HTTPMessage::HTTP_1_1;

    response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(outcome.status), upstream_response.getReason());
    copyResponseHeaders(upstream_response, response, true);
    if (tunnel)
    {
        response.set("Connection", "Upgrade");
        response.set("Upgrade", upstream_response.get("Upgrade", request.get("Upgrade", "")));
    }
    else
    {
        /// The stream owns the connection until it ends; a later request would wait behind it forever.
        /// Lower-case "close" as Go (Tyk) writes it; Poco's setKeepAlive(false) would write "Close".
        response.set("Connection", "close");
        response.setChunkedTransferEncoding(chunked_client);
    }
    std::ostream & out = response.send();
    out.flush(); /// headers on the wire now, not at the first event (poco-notes §3)
    if (!out)
    {
        outcome.error = "client gone before the stream started";
        return outcome;
    }

    auto & server_request = static_cast<Poco::Net::HTTPServerRequestImpl &>(request);
    StreamSpec spec;
    if (tunnel)
    {
        Poco::Buffer<char> client_bytes(0);
        server_request.session().drainBuffer(client_bytes);
        spec.client_prefetched.assign(client_bytes.begin(), client_bytes.size());
    }
    spec.client = server_request.detachSocket();
    Poco::Buffer<char> upstream_bytes(0);
    session->drainBuffer(upstream_bytes);
    spec.upstream_prefetched.assign(upstream_bytes.begin(), upstream_bytes.size());
    spec.upstream = session->detachSocket();

    if (tunnel)
        spec.upstream_framing = UpstreamFraming::Tunnel;
    else if (upstream_response.getChunkedTransferEncoding())
        spec.upstream_framing = UpstreamFraming::Chunked;
    else if (upstream_response.hasContentLength())
    {
        spec.upstream_framing = UpstreamFraming::ContentLength;
        spec.content_length = upstream_response.getContentLength64();
    }
    else
        spec.upstream_framing = UpstreamFraming::CloseDelimited;
    spec.client_framing = chunked_client ? ClientFraming::Chunked : ClientFraming::Raw;
    spec.sse = sse;
    spec.api_id = match_.api->api_id;
    spec.method = request.getMethod();
    std::string query;
    spec.path = rawPathAndQuery(request.getURI(), query);
    spec.client_address = request.clientAddress().toString();
    spec.status = outcome.status;
    if (services_.pump.adopt(std::move(spec)))
        services_.streams_total.fetch_add(1, std::memory_order_relaxed);
    else
        outcome.error = "stream refused: worker is closing";
    return outcome;
}

}
