#include "shared/UpstreamTarget.h"
#include "worker/UpstreamPath.h"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace sluice;
using namespace sluice::worker;

namespace
{

/// The upstream request URI for `request` ("/path?query") through an API, composed the way the proxy does:
/// strip (when asked), join onto the target's path, join the queries.
std::string upstreamUri(const std::string & listen_path, bool strip, bool disable_strip_slash,
                        const std::string & target_url, const std::string & request)
{
    UpstreamTarget target = parseUpstreamTarget(target_url);
    size_t question = request.find('?');
    std::string path = request.substr(0, question);
    std::string query = question == std::string::npos ? "" : request.substr(question + 1);
    std::string rest = strip ? stripListenPath(path, listen_path) : path;
    std::string joined_query = joinQuery(target.query, query);
    return joinUpstreamPath(target.path, rest, disable_strip_slash) + (joined_query.empty() ? "" : "?" + joined_query);
}

}

/// Every row of tyk-compat.md §3.4.
TEST(UpstreamPath, TykStripAndJoinTable)
{
    EXPECT_EQ(upstreamUri("/sse/", true, false, "http://u:9000", "/sse/ev?x=1"), "/ev?x=1");
    EXPECT_EQ(upstreamUri("/sse/", true, false, "http://u/base/", "/sse/"), "/base");
    EXPECT_EQ(upstreamUri("/sse/", true, true, "http://u/base/", "/sse/"), "/base/"); /// slash kept only so
    EXPECT_EQ(upstreamUri("/sse/", false, false, "http://u/base", "/sse/a"), "/base/sse/a");
    EXPECT_EQ(upstreamUri("/sse", true, false, "http://u/b?k=1", "/sse/a?x=2"), "/b/a?k=1&x=2");
    EXPECT_EQ(upstreamUri("/sse", true, false, "http://u", "/ssefoo"), "/foo");
}

TEST(UpstreamPath, StripRemovesTheListenPathOnceAndKeepsALeadingSlash)
{
    EXPECT_EQ(stripListenPath("/sse/ev", "/sse/"), "/ev");
    EXPECT_EQ(stripListenPath("/sse/", "/sse/"), "/");
    EXPECT_EQ(stripListenPath("/sse", "/sse"), "/");
    EXPECT_EQ(stripListenPath("/sse/sse/x", "/sse"), "/sse/x");
    EXPECT_EQ(stripListenPath("/other", "/sse/"), "/other");
    EXPECT_EQ(stripListenPath("/x", "/"), "/x");
}

TEST(UpstreamPath, JoinIsSingleJoiningSlash)
{
    EXPECT_EQ(joinUpstreamPath("", "", false), "/");
    EXPECT_EQ(joinUpstreamPath("", "/", false), "/");
    EXPECT_EQ(joinUpstreamPath("", "/", true), "/");
    EXPECT_EQ(joinUpstreamPath("/base", "", false), "/base");
    EXPECT_EQ(joinUpstreamPath("/base", "", true), "/base");
    EXPECT_EQ(joinUpstreamPath("/base/", "/", true), "/base/");
    EXPECT_EQ(joinUpstreamPath("/base//", "//x", false), "/base/x");
    EXPECT_EQ(joinUpstreamPath("/base", "x/y/", false), "/base/x/y/");
    EXPECT_EQ(joinUpstreamPath("/base/", "/x", true), "/base/x"); /// disable_strip_slash only matters for "" and "/"
    EXPECT_EQ(joinUpstreamPath("/", "", false), "/");
}

TEST(UpstreamPath, QueriesJoinWithAnAmpersandOnlyWhenBothExist)
{
    EXPECT_EQ(joinQuery("", ""), "");
    EXPECT_EQ(joinQuery("k=1", ""), "k=1");
    EXPECT_EQ(joinQuery("", "x=2"), "x=2");
    EXPECT_EQ(joinQuery("k=1", "x=2"), "k=1&x=2");
}

TEST(UpstreamPath, CleanRequestPathReturnsOnlyChangedPaths)
{
    EXPECT_EQ(cleanRequestPath("/a/b"), std::nullopt);
    EXPECT_EQ(cleanRequestPath("/"), std::nullopt);
    EXPECT_EQ(cleanRequestPath("/a/"), std::nullopt);
    EXPECT_EQ(cleanRequestPath("/a//b"), "/a/b");
    EXPECT_EQ(cleanRequestPath("//"), "/");
    EXPECT_EQ(cleanRequestPath("/a/./b/../c/"), "/a/c/");
    EXPECT_EQ(cleanRequestPath("/a/.."), "/");
    EXPECT_EQ(cleanRequestPath("/.."), "/");
    EXPECT_EQ(cleanRequestPath("/a/b/.."), "/a");
    EXPECT_EQ(cleanRequestPath("/a/b/../"), "/a/");
    EXPECT_EQ(cleanRequestPath("/sse/./"), "/sse/");
    EXPECT_EQ(cleanRequestPath(""), "/");
    EXPECT_EQ(cleanRequestPath("/a.b/..c/d."), std::nullopt); /// dots inside names are not segments
}

TEST(UpstreamTarget, ParsesHostPortAndHostHeader)
{
    UpstreamTarget plain = parseUpstreamTarget("http://upstream");
    EXPECT_EQ(plain.host, "upstream");
    EXPECT_EQ(plain.port, 80);
    EXPECT_EQ(plain.host_header, "upstream");
    EXPECT_EQ(plain.path, "");
    EXPECT_EQ(plain.query, "");

    UpstreamTarget v6 = parseUpstreamTarget("http://[::1]:8001/p?q");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, 8001);
    EXPECT_EQ(v6.host_header, "[::1]:8001");
    EXPECT_EQ(v6.path, "/p");
    EXPECT_EQ(v6.query, "q");

    UpstreamTarget ws = parseUpstreamTarget("ws://127.0.0.1:7000?only=query");
    EXPECT_EQ(ws.port, 7000);
    EXPECT_EQ(ws.path, "");
    EXPECT_EQ(ws.query, "only=query");

    EXPECT_EQ(parseUpstreamTarget("http://h:/x").port, 80); /// an empty port is the default, as in Go
}

TEST(UpstreamTarget, RefusesWhatCannotBeProxied)
{
    std::pair<const char *, const char *> cases[] = {
        {"https://h", "https upstreams are not supported yet"},
        {"127.0.0.1:8000", "expected an http:// URL, got \"127.0.0.1:8000\""},
        {"http://", "the URL has no host"},
        {"http:///path", "the URL has no host"},
        {"http://:80", "the URL has no host"},
        {"http://h:0", "port 0 is out of range"},
        {"http://h:65536", "port 65536 is out of range"},
        {"http://h:80x", "invalid port \"80x\""},
        {"http://user:pw@h", "credentials in the URL are not supported"},
        {"http://h x/", "the URL contains whitespace or control characters"},
        {"http://[::1/x", "unterminated IPv6 address"},
        {"http://[::1]x", "unexpected \"x\" after the IPv6 address"},
        {"http://a^b", "invalid host \"a^b\""},
    };
    for (auto [url, reason] : cases)
    {
        try
        {
            parseUpstreamTarget(url);
            ADD_FAILURE() << url << " was accepted";
        }
        catch (const std::invalid_argument & e)
        {
            EXPECT_STREQ(e.what(), reason) << url;
        }
    }
}
