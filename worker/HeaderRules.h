#pragma once

#include <Poco/Net/NameValueCollection.h>

#include <string>

/// Hop-by-hop header rules shared by both directions of the proxy (tyk-compat.md §2, RFC 9110 §7.6.1).
namespace sluice::worker
{

/// True for the fixed hop-by-hop names (case-insensitive). Content-Length is not one of them: callers that
/// re-frame a body drop it themselves.
bool isHopByHopHeader(const std::string & name);

/// Copies every end-to-end header of `from` into `to`: drops hop-by-hop names, names listed in `from`'s
/// Connection header, and Content-Length when `drop_content_length` (the body is re-framed).
/// "Te: trailers" is kept, as Go's reverse proxy does.
void copyEndToEndHeaders(const Poco::Net::NameValueCollection & from, Poco::Net::NameValueCollection & to,
                         bool drop_content_length);

/// Tyk's X-Forwarded-For: all incoming values joined with ", ", then ", <peer>"; or just the peer.
std::string forwardedFor(const Poco::Net::NameValueCollection & request_headers, const std::string & peer_ip);

/// True when the request asks for a protocol upgrade the way Tyk accepts it: Connection, trimmed and
/// lower-cased, is exactly "upgrade" and Upgrade is non-empty.
bool isUpgradeRequest(const Poco::Net::NameValueCollection & request_headers);

/// An RFC 9110 token: at least one of A-Z a-z 0-9 ! # $ % & ' * + - . ^ _ ` | ~ (no spaces, no separators).
bool isValidHeaderName(const std::string & name);

/// text/event-stream, any case, parameters allowed.
bool isEventStream(const std::string & content_type);

}
