#include "worker/SseEventCounter.h"

#include <gtest/gtest.h>

#include <string>

using sluice::worker::SseEventCounter;

namespace
{

uint64_t countEvents(std::initializer_list<std::string> pieces)
{
    SseEventCounter counter;
    for (const std::string & piece : pieces)
        counter.feed(piece.data(), piece.size());
    return counter.events();
}

}

TEST(SseEventCounter, CountsEventsEndedByLf)
{
    EXPECT_EQ(countEvents({"data: a\n\ndata: b\nid: 2\n\n"}), 2u);
}

TEST(SseEventCounter, CountsEventsEndedByCrLf)
{
    EXPECT_EQ(countEvents({"data: a\r\n\r\nevent: x\r\ndata: b\r\n\r\n"}), 2u);
}

TEST(SseEventCounter, CountsEventsEndedByCr)
{
    EXPECT_EQ(countEvents({"data: a\r\rdata: b\r\r"}), 2u);
}

TEST(SseEventCounter, CountsACrLfSplitAcrossReadsOnce)
{
    /// Counted twice, "\r" + "\n" would look like a line end plus a blank line and end the event early.
    EXPECT_EQ(countEvents({"data: a\r", "\ndata: b\r\n", "\r", "\n"}), 1u);
    EXPECT_EQ(countEvents({"data: a\r", "\n", "\r", "\n"}), 1u);
}

TEST(SseEventCounter, CountsNoEventForCommentsOrBlankLinesAlone)
{
    EXPECT_EQ(countEvents({": ping\n\n"}), 0u);
    EXPECT_EQ(countEvents({"\n\n\r\n\r\r"}), 0u);
    EXPECT_EQ(countEvents({": comment\ndata: x\n\n"}), 1u);
}

TEST(SseEventCounter, CountsAMultiLineEventOnce)
{
    EXPECT_EQ(countEvents({"event: update\ndata: 1\ndata: 2\nid: 7\n\n"}), 1u);
}

TEST(SseEventCounter, CountsEventsSplitAcrossManyReads)
{
    EXPECT_EQ(countEvents({"da", "ta: a", "\n", "\n", "data", ": b\n", "\n"}), 2u);
}

TEST(SseEventCounter, KnowsWhenTheStreamIsAtAnEventBoundary)
{
    SseEventCounter counter;
    EXPECT_TRUE(counter.atEventBoundary()) << "nothing forwarded yet";
    auto feed = [&](const std::string & s) { counter.feed(s.data(), s.size()); };
    feed("data: a");
    EXPECT_FALSE(counter.atEventBoundary()) << "inside a line";
    feed("\n");
    EXPECT_FALSE(counter.atEventBoundary()) << "event not ended";
    feed("\n");
    EXPECT_TRUE(counter.atEventBoundary()) << "event ended";
    feed(": comment\n");
    EXPECT_FALSE(counter.atEventBoundary()) << "a comment block is open";
    feed("\r\n");
    EXPECT_TRUE(counter.atEventBoundary());
    feed("data: b\r\n\r");
    EXPECT_TRUE(counter.atEventBoundary()) << "the CR ended the event; a following LF belongs to it";
    feed("\n");
    EXPECT_TRUE(counter.atEventBoundary());
    EXPECT_EQ(counter.events(), 2u);
}
