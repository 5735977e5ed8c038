#include "worker/RouteTable.h"

#include <gtest/gtest.h>

using namespace sluice;
using namespace sluice::worker;

namespace
{

ApiDefinition api(const std::string & id, const std::string & listen_path, bool strip)
{
    ApiDefinition a;
    a.api_id = id;
    a.listen_path = listen_path;
    a.strip_listen_path = strip;
    return a;
}

}

TEST(RouteTable, LongestListenPathWins)
{
    Plan plan;
    plan.apis = {api("short", "/sse/", true), api("long", "/sse/admin/", true)};
    RouteTable table(plan);
    EXPECT_EQ(table.match("/sse/admin/x", "").api->api_id, "long");
    EXPECT_EQ(table.match("/sse/x", "").api->api_id, "short");
    EXPECT_EQ(table.match("/other", "").api, nullptr);
}

TEST(RouteTable, StripsOnlyThroughTheListenPath)
{
    Plan plan;
    plan.apis = {api("events", "/sse/", true)};
    RouteTable table(plan);
    EXPECT_EQ(table.match("/sse/events/", "").rest, "/events/");
    /// Requests through "/<api_id>/" are not stripped (Tyk).
    RouteMatch by_id = table.match("/events/x", "");
    ASSERT_NE(by_id.api, nullptr);
    EXPECT_EQ(by_id.rest, "/events/x");
}

TEST(RouteTable, MatchesARawCaseSensitivePrefix)
{
    Plan plan;
    plan.apis = {api("app", "/app", true)};
    RouteTable table(plan);
    EXPECT_NE(table.match("/apple", "").api, nullptr); /// Tyk: "/app" matches "/apple"
    EXPECT_EQ(table.match("/APP", "").api, nullptr);
    EXPECT_EQ(table.match("/sse", "").api, nullptr);
}

TEST(RouteTable, StrictRoutesRefuseLongerWordsWithoutFallingThrough)
{
    Plan plan;
    plan.gateway.http.enable_strict_routes = true;
    plan.apis = {api("app", "/app", true), api("root", "/", false)};
    RouteTable table(plan);
    EXPECT_EQ(table.match("/app/x", "").api->api_id, "app");
    EXPECT_EQ(table.match("/app", "").api->api_id, "app");
    EXPECT_EQ(table.match("/apple", "").api, nullptr);
    EXPECT_EQ(table.match("/other", "").api->api_id, "root");
}

TEST(RouteTable, CustomDomainsMatchTheHostExactly)
{
    Plan plan;
    plan.gateway.enable_custom_domains = true;
    ApiDefinition a = api("a", "/", false);
    a.domain = "a.example";
    plan.apis = {api("any", "/", false), a};
    RouteTable table(plan);
    EXPECT_EQ(table.match("/x", "a.example").api->api_id, "a");
    EXPECT_EQ(table.match("/x", "b.example").api->api_id, "any");
}
