#include "shared/UpstreamTarget.h"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace sluice
{

namespace
{

bool isHostChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
}

bool isIpv6Char(char c)
{
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

uint16_t parsePort(const std::string & text)
{
    if (text.empty())
        return 80; /// "host:" is a valid URL with the default port (Go agrees)
    if (text.size() > 5 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw std::invalid_argument("invalid port \"" + text + "\"");
    int port = std::stoi(text);
    if (port < 1 || port > 65535)
        throw std::invalid_argument("port " + text + " is out of range");
    return static_cast<uint16_t>(port);
}

/// Splits "host[:port]" or "[v6][:port]" into target.host and target.port.
void parseAuthority(const std::string & authority, UpstreamTarget & target)
{
    if (authority.find('@') != std::string::npos)
        throw std::invalid_argument("credentials in the URL are not supported");
    std::string port_text;
    if (!authority.empty() && authority[0] == '[')
    {
        size_t close = authority.find(']');
        if (close == std::string::npos)
            throw std::invalid_argument("unterminated IPv6 address");
        target.host = authority.substr(1, close - 1);
        std::string after = authority.substr(close + 1);
        if (!after.empty() && after[0] != ':')
            throw std::invalid_argument("unexpected \"" + after + "\" after the IPv6 address");
        port_text = after.empty() ? "" : after.substr(1);
        bool ok = !target.host.empty() && std::all_of(target.host.begin(), target.host.end(), isIpv6Char);
        if (!ok)
            throw std::invalid_argument("invalid IPv6 address \"" + target.host + "\"");
    }
    else
    {
        size_t colon = authority.find(':');
        target.host = authority.substr(0, colon);
        port_text = colon == std::string::npos ? "" : authority.substr(colon + 1);
        if (!std::all_of(target.host.begin(), target.host.end(), isHostChar))
            throw std::invalid_argument("invalid host \"" + target.host + "\"");
    }
    if (target.host.empty())
        throw std::invalid_argument("the URL has no host");
    target.port = parsePort(port_text);
}

}

UpstreamTarget parseUpstreamTarget(const std::string & url)
{
    if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; }))
        throw std::invalid_argument("the URL contains whitespace or control characters");
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos)
        throw std::invalid_argument("expected an http:// URL, got \"" + url + "\"");
    std::string scheme = Poco::toLower(url.substr(0, scheme_end));
    if (scheme == "https" || scheme == "wss")
        throw std::invalid_argument("https upstreams are not supported yet");
    if (scheme != "http" && scheme != "ws")
        throw std::invalid_argument("unsupported scheme \"" + scheme + "\" (expected http or ws)");

    UpstreamTarget target;
    target.url = url;
    size_t authority_begin = scheme_end + 3;
    size_t authority_end = url.find_first_of("/?#", authority_begin);
    if (authority_end == std::string::npos)
        authority_end = url.size();
    target.host_header = url.substr(authority_begin, authority_end - authority_begin);
    parseAuthority(target.host_header, target);

    std::string rest = url.substr(authority_end);
    rest = rest.substr(0, rest.find('#'));
    size_t question = rest.find('?');
    target.path = rest.substr(0, question);
    if (question != std::string::npos)
        target.query = rest.substr(question + 1);
    return target;
}

}
