#include "shared/Channel.h"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace sluice;

TEST(Channel, CarriesAFixedMessageBothWays)
{
    ChannelPair pair = openChannelPair();
    ChannelMessage out;
    out.command = ChannelCommand::Drain;
    out.generation = 7;
    out.slot = 1;
    out.deadline_ms = 30000;
    out.setText("reason here");
    ASSERT_TRUE(sendChannelMessage(pair.master_fd, out));

    ChannelMessage in;
    ASSERT_EQ(receiveChannelMessage(pair.worker_fd, in), ReceiveStatus::Message);
    EXPECT_EQ(in.command, ChannelCommand::Drain);
    EXPECT_EQ(in.generation, 7u);
    EXPECT_EQ(in.slot, 1);
    EXPECT_EQ(in.deadline_ms, 30000);
    EXPECT_EQ(in.textString(), "reason here");
    ::close(pair.master_fd);
    ::close(pair.worker_fd);
}

TEST(Channel, ReportsEofWhenThePeerIsGone)
{
    ChannelPair pair = openChannelPair();
    ::close(pair.master_fd);
    ChannelMessage in;
    EXPECT_EQ(receiveChannelMessage(pair.worker_fd, in), ReceiveStatus::Eof);
    ::close(pair.worker_fd);
}

TEST(Channel, TruncatesTextThatDoesNotFit)
{
    ChannelMessage m;
    m.setText(std::string(1000, 'x'));
    EXPECT_EQ(m.textString().size(), sizeof(m.text) - 1);
}
