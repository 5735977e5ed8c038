#pragma once

#include <Poco/Net/HTTPResponse.h>

#include <string>

namespace Poco::Net { class HTTPServerResponse; }

/// The bytes Tyk's gateway produces for its own errors (tyk-compat.md §5), so clients and monitors that parse
/// Tyk's answers keep working.
namespace sluice::worker
{

/// Tyk's error template: 4-space indent, no trailing newline, message JSON-escaped.
std::string tykErrorBody(const std::string & message);

struct ErrorStyle
{
    bool generator_header = true;    /// X-Generator: tyk.io (off with hide_generator_header)
    bool close_connection = false;   /// close_connections
};

/// Sends a complete JSON error response in Tyk's template.
void sendTykError(Poco::Net::HTTPServerResponse & response, Poco::Net::HTTPResponse::HTTPStatus status,
                  const std::string & message, const ErrorStyle & style);

/// Sends a complete response with an exact body (404 "Not Found", control API JSON...).
void sendBody(Poco::Net::HTTPServerResponse & response, Poco::Net::HTTPResponse::HTTPStatus status,
              const std::string & content_type, const std::string & body);

/// Compact JSON + "\n" with <, > and & escaped as \u003c..., as Tyk's doJSONWrite does.
std::string tykJsonLine(const std::string & compact_json);

}
