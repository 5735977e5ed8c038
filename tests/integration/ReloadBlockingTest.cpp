/// Issue 3 (c), seen by a script: once `GET /tyk/reload?block=true` has answered, the very next request must be
/// served with the new config. The master answers only when every old worker has reported that it stopped
/// accepting; before that, a fresh connection could still land in an old worker's accept loop.

#include "support/GatewayTest.h"
#include "support/ReloadSteps.h"

namespace sluice::test
{
namespace
{

class ReloadBlocking : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/plain", UpstreamReply::text(200, "one"));
        second_.on("/plain", UpstreamReply::text(200, "two"));
    }

    std::string plainStatus()
    {
        HttpTestClient::Exchange reply;
        auto ok = HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/plain"), reply, Millis(3000));
        return ok ? std::to_string(reply.head.status) + " " + reply.body : ok.message();
    }

    FakeUpstream second_;
};

TEST_F(ReloadBlocking, TheNextRequestAfterABlockingReloadSeesTheNewTarget)
{
    ASSERT_TRUE(startGateway());
    ASSERT_EQ("200 one", plainStatus());
    for (int round = 1; round <= 6; ++round)
    {
        bool to_second = round % 2 == 1;
        sluice_->addApi("sse", "/sse/", to_second ? second_.url() : upstream_.url());
        sluice_->writeConfig();
        HttpTestClient::Exchange reply;
        ASSERT_TRUE(tykReload(port(), true, "s3cret", reply));
        ASSERT_EQ(200, reply.head.status) << reply.body;
        /// Fresh connections, at once: any of them reaching a worker of the old generation gets the old target.
        for (int i = 0; i < 20; ++i)
            ASSERT_EQ(to_second ? "200 two" : "200 one", plainStatus()) << "round " << round << " request " << i;
    }
}

}
}
