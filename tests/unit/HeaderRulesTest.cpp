#include "worker/HeaderRules.h"

#include <Poco/Net/NameValueCollection.h>

#include <gtest/gtest.h>

using namespace sluice::worker;
using Poco::Net::NameValueCollection;

TEST(HeaderRules, DropsHopByHopAndConnectionListedHeaders)
{
    NameValueCollection from;
    from.add("Connection", "keep-alive, X-Private");
    from.add("Keep-Alive", "timeout=5");
    from.add("Transfer-Encoding", "chunked");
    from.add("Upgrade", "websocket");
    from.add("Proxy-Authorization", "Basic x");
    from.add("X-Private", "secret");
    from.add("Te", "gzip");
    from.add("Accept", "text/event-stream");
    from.add("Content-Length", "12");
    NameValueCollection to;
    copyEndToEndHeaders(from, to, false);
    EXPECT_EQ(to.size(), 2u);
    EXPECT_EQ(to.get("Accept"), "text/event-stream");
    EXPECT_EQ(to.get("Content-Length"), "12");
}

TEST(HeaderRules, KeepsTeTrailersAndDropsContentLengthWhenReframing)
{
    NameValueCollection from;
    from.add("TE", "trailers");
    from.add("Content-Length", "12");
    NameValueCollection to;
    copyEndToEndHeaders(from, to, true);
    EXPECT_EQ(to.size(), 1u);
    EXPECT_EQ(to.get("TE"), "trailers");
}

TEST(HeaderRules, AppendsThePeerToXForwardedForLikeTyk)
{
    NameValueCollection none;
    EXPECT_EQ(forwardedFor(none, "127.0.0.1"), "127.0.0.1");
    NameValueCollection two;
    two.add("X-Forwarded-For", "10.0.0.1");
    two.add("X-Forwarded-For", "10.0.0.2, 10.0.0.3");
    EXPECT_EQ(forwardedFor(two, "127.0.0.1"), "10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1");
}

TEST(HeaderRules, AcceptsOnlyAnExactUpgradeConnectionToken)
{
    NameValueCollection h;
    h.add("Connection", " Upgrade ");
    h.add("Upgrade", "websocket");
    EXPECT_TRUE(isUpgradeRequest(h));
    NameValueCollection list; /// Tyk's quirk: a token list does not count
    list.add("Connection", "keep-alive, Upgrade");
    list.add("Upgrade", "websocket");
    EXPECT_FALSE(isUpgradeRequest(list));
    NameValueCollection empty;
    empty.add("Connection", "upgrade");
    EXPECT_FALSE(isUpgradeRequest(empty));
}

TEST(HeaderRules, RecognisesEventStreamsInAnyCaseWithParameters)
{
    EXPECT_TRUE(isEventStream("text/event-stream"));
    EXPECT_TRUE(isEventStream("Text/Event-Stream; charset=utf-8"));
    EXPECT_TRUE(isEventStream(" text/event-stream ;x=y"));
    EXPECT_FALSE(isEventStream("text/plain"));
    EXPECT_FALSE(isEventStream(""));
    EXPECT_FALSE(isEventStream("text/event-streams"));
}

TEST(HeaderRules, HeaderNamesMustBeTokens)
{
    EXPECT_TRUE(isValidHeaderName("X-Forwarded-For"));
    EXPECT_TRUE(isValidHeaderName("x_custom.v2~!"));
    EXPECT_FALSE(isValidHeaderName(""));
    EXPECT_FALSE(isValidHeaderName("No colon here"));
    EXPECT_FALSE(isValidHeaderName("Bad:Name"));
    EXPECT_FALSE(isValidHeaderName("Tab\there"));
}
