/// Errors the gateway writes itself carry Tyk's `X-Generator: tyk.io` (tyk-compat.md §5), unless
/// `hide_generator_header` is on.

#include "support/GatewayTest.h"
#include "support/UnusedPort.h"

namespace sluice::test
{
namespace
{

class GeneratorHeader : public GatewayTest
{
protected:
    /// Starts with a refused upstream ("down") and an API whose version_data always fails ("versions").
    ::testing::AssertionResult startWithFailingApis(const std::string & gateway_extra_json)
    {
        SluiceOptions options;
        options.gateway_extra_json = gateway_extra_json;
        SluiceProcess & gateway = makeGateway(options);
        uint16_t refused = unusedLoopbackPort();
        if (refused == 0)
            return ::testing::AssertionFailure() << "no free loopback port";
        gateway.addApi("down", "/down/", "http://127.0.0.1:" + std::to_string(refused), true);
        gateway.addApiFile("versions.json",
                           R"({"name": "versions", "api_id": "versions", "org_id": "default", "use_keyless": true,
            "version_data": {"not_versioned": true, "versions": {"a": {"name": "a"}, "b": {"name": "b"}}},
            "proxy": {"listen_path": "/versions/", "strip_listen_path": true, "target_url": ")"
                               + upstream_.url() + R"("}})");
        return startGateway();
    }

    /// Status and X-Generator value ("" when absent) of GET `target`.
    std::pair<int, std::string> generatorOf(const std::string & target)
    {
        HttpTestClient::Exchange reply;
        EXPECT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest(target), reply)) << target;
        EXPECT_LE(reply.head.headers.count("X-Generator"), 1u) << target << ": more than one X-Generator\n"
                                                               << reply.head.headers.dump();
        return {reply.head.status, reply.head.headers.value("X-Generator")};
    }
};

TEST_F(GeneratorHeader, GatewayErrorsCarryXGeneratorTykIo)
{
    ASSERT_TRUE(startWithFailingApis("{}"));
    EXPECT_EQ(std::make_pair(502, std::string("tyk.io")), generatorOf("/down/x"));
    EXPECT_EQ(std::make_pair(403, std::string("tyk.io")), generatorOf("/versions/x"));
}

TEST_F(GeneratorHeader, HideGeneratorHeaderRemovesIt)
{
    ASSERT_TRUE(startWithFailingApis(R"({"hide_generator_header": true})"));
    EXPECT_EQ(std::make_pair(502, std::string("")), generatorOf("/down/x"));
    EXPECT_EQ(std::make_pair(403, std::string("")), generatorOf("/versions/x"));
}

}
}
