#include "worker/HeaderRules.h"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace sluice::worker
{

namespace
{

std::string trim(const std::string & s)
{
    return Poco::trim(s);
}

std::string lower(const std::string & s)
{
    return Poco::toLower(s);
}

/// Lower-cased tokens of every Connection header value.
std::set<std::string> connectionTokens(const Poco::Net::NameValueCollection & headers)
{
    std::set<std::string> tokens;
    for (auto it = headers.find("Connection"); it != headers.end() && Poco::icompare(it->first, "Connection") == 0;
         ++it)
    {
        const std::string & value = it->second;
        size_t start = 0;
        while (start <= value.size())
        {
            size_t comma = value.find(',', start);
            if (comma == std::string::npos)
                comma = value.size();
            std::string token = lower(trim(value.substr(start, comma - start)));
            if (!token.empty())
                tokens.insert(token);
            start = comma + 1;
        }
    }
    return tokens;
}

}

bool isHopByHopHeader(const std::string & name)
{
    static const char * const kNames[] = {"connection", "proxy-connection", "keep-alive", "proxy-authenticate",
                                          "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"};
    std::string l = lower(name);
    return std::any_of(std::begin(kNames), std::end(kNames), [&](const char * n) { return l == n; });
}

void copyEndToEndHeaders(const Poco::Net::NameValueCollection & from, Poco::Net::NameValueCollection & to,
                         bool drop_content_length)
{
    std::set<std::string> listed = connectionTokens(from);
    for (const auto & [name, value] : from)
    {
        std::string l = lower(name);
        if (l == "te" && lower(trim(value)) == "trailers")
        {
            to.add(name, value);
            continue;
        }
        if (isHopByHopHeader(name) || listed.count(l) != 0)
            continue;
        if (drop_content_length && l == "content-length")
            continue;
        to.add(name, value);
    }
}

std::string forwardedFor(const Poco::Net::NameValueCollection & request_headers, const std::string & peer_ip)
{
    std::string joined;
    for (auto it = request_headers.find("X-Forwarded-For");
         it != request_headers.end() && Poco::icompare(it->first, "X-Forwarded-For") == 0; ++it)
    {
        if (!joined.empty())
            joined += ", ";
        joined += it->second;
    }
    if (joined.empty())
        return peer_ip;
    return joined + ", " + peer_ip;
}

bool isUpgradeRequest(const Poco::Net::NameValueCollection & request_headers)
{
    return lower(trim(request_headers.get("Connection", ""))) == "upgrade"
        && !trim(request_headers.get("Upgrade", "")).empty();
}

bool isValidHeaderName(const std::string & name)
{
    static const std::string kTokenSymbols = "!#$%&'*+-.^_`|~";
    if (name.empty())
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || kTokenSymbols.find(c) != std::string::npos;
    });
}

bool isEventStream(const std::string & content_type)
{
    std::string media = lower(trim(content_type.substr(0, content_type.find(';'))));
    return media == "text/event-stream";
}

}
