/// Issue 3: a reload that changes listen_port opens the new socket before the switch (a port it cannot get
/// refuses the reload) and lets go of the old one after: old streams finish on the old port, new connections go to
/// the new one, and once the old generation has drained the old port refuses connections.

#include "support/GatewayTest.h"
#include "support/LoopbackSocket.h"
#include "support/ProcessInfo.h"
#include "support/ReloadSteps.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

namespace sluice::test
{
namespace
{

class ReloadListenSocket : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        upstream_.on("/plain", UpstreamReply::text(200, "plain"));
    }

    /// Rewrites listen_port in the gateway file as it is now.
    void setListenPort(uint16_t port)
    {
        Poco::JSON::Parser parser;
        auto config = parser.parse(readFile(sluice_->confPath())).extract<Poco::JSON::Object::Ptr>();
        config->set("listen_port", port);
        std::ostringstream text;
        config->stringify(text, 2);
        sluice_->dir().write("sluice.json", text.str());
    }

    std::string plainOn(uint16_t port)
    {
        HttpTestClient::Exchange reply;
        auto ok = HttpTestClient::exchange(port, HttpTestClient::getRequest("/sse/plain"), reply, Millis(3000));
        return ok ? std::to_string(reply.head.status) + " " + reply.body : ok.message();
    }
};

/// A socket listening on 127.0.0.1:<ephemeral>, so that a reload to its port must fail.
struct BusyPort
{
    BusyPort()
    {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd == -1 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == -1
            || ::listen(fd, 8) == -1 || ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == -1)
            ADD_FAILURE() << "cannot listen on 127.0.0.1:0: " << errnoText();
        port = ntohs(address.sin_port);
    }
    ~BusyPort() { ::close(fd); }
    int fd = -1;
    uint16_t port = 0;
};

TEST_F(ReloadListenSocket, PortChangeMovesTheSocketAndFreesTheOldPortAfterTheDrain)
{
    SluiceOptions options;
    options.drain_timeout_s = 2;
    ASSERT_TRUE(startGateway(options));
    const uint16_t old_port = port();
    std::vector<pid_t> old_workers;
    ASSERT_TRUE(sluice_->waitForWorkers(2, Millis(2000), &old_workers));
    std::unique_ptr<HttpTestClient> stream;
    ASSERT_TRUE(openStream(stream));

    /// A port somebody else holds: refused before anything changes.
    {
        BusyPort busy;
        setListenPort(busy.port);
        ASSERT_TRUE(sluice_->signal(SIGHUP));
        ASSERT_TRUE(sluice_->waitForLog("reload refused: " + sluice_->confPath() + ": listen_port: ", Millis(2000)));
        EXPECT_EQ(1u, sluice_->countLog(":" + std::to_string(busy.port) + ": "));
        EXPECT_EQ(0u, sluice_->countLog("generation 2 starting"));
        EXPECT_EQ(old_workers, sluice_->workerPids());
        EXPECT_EQ("200 plain", plainOn(old_port));
    }

    const uint16_t new_port = freeLoopbackPort();
    setListenPort(new_port);
    ASSERT_TRUE(reloadBySignal(*sluice_, 2));
    const auto drain_started = Clock::now();
    EXPECT_EQ(1u, sluice_->countLog("listening socket moved from 127.0.0.1:" + std::to_string(old_port)
                                    + " to 127.0.0.1:" + std::to_string(new_port)));
    EXPECT_EQ("200 plain", plainOn(new_port));
    /// The stream accepted on the old port goes on until the drain deadline.
    ASSERT_TRUE(relayEvent(*stream, numberedEvent(1)));

    ASSERT_TRUE(stream->readBody(Millis(2000 + 1500)));
    EXPECT_TRUE(stream->terminalChunkSeen());
    EXPECT_GE(elapsedMs(drain_started, Clock::now()), 1700.0);
    ASSERT_TRUE(waitForProcessesGone(old_workers, Millis(2000)));

    /// Nobody holds the old socket any more: a connect is refused and the port can be bound again.
    int fd = connectLoopback(old_port);
    int connect_errno = errno;
    if (fd != -1)
        ::close(fd);
    EXPECT_EQ(-1, fd) << "127.0.0.1:" << old_port << " still accepts connections after the old generation drained";
    EXPECT_EQ(ECONNREFUSED, connect_errno) << std::strerror(connect_errno);
    std::string why;
    EXPECT_TRUE(portIsFree(old_port, why)) << why;
    EXPECT_EQ("200 plain", plainOn(new_port));
}

}
}
