#include "worker/ErrorResponses.h"

#include <Poco/Net/HTTPServerResponse.h>

#include <cstdio>

namespace sluice::worker
{

namespace
{

std::string jsonEscape(const std::string & s)
{
    std::string out;
    out.reserve(s.size() + 8);
    for (unsigned char c : s)
    {
        switch (c)
        {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '<': out += "\\u003c"; break;
            case '>': out += "\\u003e"; break;
            case '&': out += "\\u0026"; break;
            default:
                if (c < 0x20)
                {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                }
                else
                    out += static_cast<char>(c);
        }
    }
    return out;
}

}

std::string tykErrorBody(const std::string & message)
{
    return "{\n    \"error\": \"" + jsonEscape(message) + "\"\n}";
}

void sendBody(Poco::Net::HTTPServerResponse & response, Poco::Net::HTTPResponse::HTTPStatus status,
              const std::string & content_type, const std::string & body)
{
    response.setStatusAndReason(status);
    response.setContentType(content_type);
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.sendBuffer(body.data(), body.size());
}

void sendTykError(Poco::Net::HTTPServerResponse & response, Poco::Net::HTTPResponse::HTTPStatus status,
                  const std::string & message, const ErrorStyle & style)
{
    if (style.generator_header)
        response.set("X-Generator", "tyk.io");
    if (style.close_connection)
        response.setKeepAlive(false);
    sendBody(response, status, "application/json", tykErrorBody(message));
}

std::string tykJsonLine(const std::string & compact_json)
{
    std::string out;
    out.reserve(compact_json.size() + 1);
    for (char c : compact_json)
    {
        if (c == '<')
            out += "\\u003c";
        else if (c == '>')
            out += "\\u003e";
        else if (c == '&')
            out += "\\u0026";
        else
            out += c;
    }
    out += '\n';
    return out;
}

}
