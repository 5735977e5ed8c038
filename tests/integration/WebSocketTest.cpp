/// WebSocket upgrades through the real binary (tyk-compat.md §2): with enable_websockets an
/// `Upgrade: websocket` request goes up with its upgrade headers, the upstream's 101 reaches the
/// client, and from then on bytes are relayed raw both ways until either side closes. Without
/// enable_websockets, or with a Connection token list (Tyk's quirk), the upgrade headers are
/// stripped and the request is plain HTTP.

#include "support/GatewayTest.h"
#include "support/RawConnection.h"
#include "support/ScriptedUpstream.h"

#include <cctype>
#include <optional>

namespace sluice::test
{
namespace
{

/// RFC 6455 §1.3's sample key and the accept value derived from it.
constexpr const char * kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char * kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string upgradeRequest(const std::string & target, uint16_t port, const std::string & connection = "Upgrade")
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: " + connection
           + "\r\nUpgrade: websocket\r\nSec-WebSocket-Key: " + kKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

std::string switchingProtocols()
{
    return std::string("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: ")
           + kAccept + "\r\n\r\n";
}

/// Bytes a text or HTTP-aware relay would damage: NUL, CR/LF, an HTTP head and a chunk terminator
/// look-alike, WebSocket frame headers and high bytes.
std::string awkwardBytes(char tag)
{
    std::string bytes("\x81\x05hello\x00\xff\r\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", 35);
    bytes += tag;
    return bytes;
}

/// Deterministic binary payload larger than the pump's 64 KiB client buffer.
std::string bigPayload(size_t size)
{
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 167 + i / 13) & 0xff);
    return bytes;
}

class WebSocket : public GatewayTest
{
protected:
    /// The gateway with API "ws" at /ws/ (no strip) in front of the hand-played upstream.
    ::testing::AssertionResult startWithWebSocketApi()
    {
        makeGateway().addApi("ws", "/ws/", scripted_.url(), false);
        return startGateway();
    }

    /// Client upgrade through the gateway; the upstream reads the request and answers 101 with
    /// `first_bytes` right behind the head. Leaves the client after the 101 head.
    void openTunnel(std::optional<RawConnection> & client, std::optional<RawConnection> & upstream,
                    const std::string & client_extra = "", const std::string & first_bytes = "")
    {
        client.emplace(RawConnection::connectTo(port()));
        ASSERT_TRUE(client->connected());
        ASSERT_TRUE(client->send(upgradeRequest("/ws/", port()) + client_extra));
        ::testing::AssertionResult accepted = ::testing::AssertionSuccess();
        upstream = scripted_.accept(Millis(2000), accepted);
        ASSERT_TRUE(accepted);
        std::string request_line;
        HeaderList seen;
        ASSERT_TRUE(upstream->readHead(request_line, seen, Millis(2000)));
        EXPECT_EQ("GET /ws/ HTTP/1.1", request_line);
        EXPECT_TRUE(equalsIgnoreCase("Upgrade", seen.value("Connection"))) << seen.dump();
        EXPECT_EQ("websocket", seen.value("Upgrade")) << seen.dump();
        EXPECT_EQ(kKey, seen.value("Sec-WebSocket-Key")) << seen.dump();
        EXPECT_EQ("13", seen.value("Sec-WebSocket-Version")) << seen.dump();
        EXPECT_EQ("127.0.0.1", seen.value("X-Forwarded-For")) << seen.dump();
        if (!client_extra.empty())
        {
            /// Before the 101 the client's early bytes are not a request body: nothing may reach the upstream.
            EXPECT_TRUE(upstream->staysQuiet(Millis(200)));
        }
        ASSERT_TRUE(upstream->send(switchingProtocols() + first_bytes));

        std::string status_line;
        HeaderList head;
        ASSERT_TRUE(client->readHead(status_line, head, Millis(2000)));
        EXPECT_EQ(0u, status_line.find("HTTP/1.1 101")) << status_line;
        EXPECT_TRUE(equalsIgnoreCase("websocket", head.value("Upgrade"))) << head.dump();
        EXPECT_TRUE(equalsIgnoreCase("Upgrade", head.value("Connection"))) << head.dump();
        EXPECT_EQ(kAccept, head.value("Sec-WebSocket-Accept")) << head.dump();
        /// A tunnel has no HTTP body framing: anything like it would corrupt the WebSocket frames.
        EXPECT_FALSE(head.has("Transfer-Encoding")) << head.dump();
        EXPECT_FALSE(head.has("Content-Length")) << head.dump();
    }

    /// `bytes` from `from` must arrive at `to` exactly, with nothing else.
    static void relay(RawConnection & from, RawConnection & to, const std::string & bytes, const char * direction)
    {
        ASSERT_TRUE(from.send(bytes)) << direction;
        ASSERT_TRUE(to.readAtLeast(bytes.size(), Millis(3000))) << direction;
        std::string got = to.take();
        EXPECT_EQ(bytes.size(), got.size()) << direction;
        EXPECT_TRUE(got == bytes) << direction << ": bytes differ; got \"" << visibleBytes(got) << "\"";
    }

    void TearDown() override { sluice_.reset(); } /// the gateway goes before the scripted upstream

    ScriptedUpstream scripted_;
};

TEST_F(WebSocket, UpgradeReaches101AndBytesFlowBothWaysUnchanged)
{
    ASSERT_TRUE(startWithWebSocketApi());
    std::optional<RawConnection> client;
    std::optional<RawConnection> upstream;
    /// A server greeting sent in the same write as the 101 head must not be lost.
    ASSERT_NO_FATAL_FAILURE(openTunnel(client, upstream, "", awkwardBytes('g')));
    ASSERT_TRUE(client->readUntil(awkwardBytes('g'), Millis(2000)));
    EXPECT_EQ(awkwardBytes('g'), client->take());

    for (char tag : {'1', '2', '3'})
    {
        ASSERT_NO_FATAL_FAILURE(relay(*client, *upstream, awkwardBytes(tag), "client -> upstream"));
        ASSERT_NO_FATAL_FAILURE(relay(*upstream, *client, awkwardBytes(tag), "upstream -> client (echo)"));
    }
    /// Three times the pump's buffer, so backpressure pauses and resumes each direction; small enough for
    /// loopback socket buffers to take the whole send() while the receiver is not reading yet.
    std::string big = bigPayload(192 * 1024);
    ASSERT_NO_FATAL_FAILURE(relay(*client, *upstream, big, "192 KiB client -> upstream"));
    ASSERT_NO_FATAL_FAILURE(relay(*upstream, *client, big, "192 KiB upstream -> client"));
}

TEST_F(WebSocket, BytesSentRightBehindTheRequestReachTheUpstreamAfterThe101)
{
    ASSERT_TRUE(startWithWebSocketApi());
    std::optional<RawConnection> client;
    std::optional<RawConnection> upstream;
    ASSERT_NO_FATAL_FAILURE(openTunnel(client, upstream, awkwardBytes('e')));
    ASSERT_TRUE(upstream->readUntil(awkwardBytes('e'), Millis(2000)));
    EXPECT_EQ(awkwardBytes('e'), upstream->take());
}

TEST_F(WebSocket, ClientCloseClosesTheUpstreamSide)
{
    ASSERT_TRUE(startWithWebSocketApi());
    std::optional<RawConnection> client;
    std::optional<RawConnection> upstream;
    ASSERT_NO_FATAL_FAILURE(openTunnel(client, upstream));
    ASSERT_NO_FATAL_FAILURE(relay(*client, *upstream, "ping", "client -> upstream"));
    client->close();
    ASSERT_TRUE(upstream->waitEof(Millis(1000)));
    EXPECT_EQ("", upstream->received());
    upstream->close();
    EXPECT_TRUE(sluice_->waitForLogRegex(R"(stream end api=ws method=GET path=/ws/ .*status=101 .*closed_by=client)",
                                         Millis(2000)));
}

TEST_F(WebSocket, UpstreamCloseClosesTheClient)
{
    ASSERT_TRUE(startWithWebSocketApi());
    std::optional<RawConnection> client;
    std::optional<RawConnection> upstream;
    ASSERT_NO_FATAL_FAILURE(openTunnel(client, upstream));
    ASSERT_NO_FATAL_FAILURE(relay(*upstream, *client, "bye", "upstream -> client"));
    upstream->close();
    ASSERT_TRUE(client->waitEof(Millis(1000)));
    EXPECT_EQ("", client->received());
    client->close();
    EXPECT_TRUE(sluice_->waitForLogRegex(R"(stream end api=ws .*status=101 .*closed_by=upstream)", Millis(2000)));
}

/// A plain request on an upgrade-less path: the upstream must see no upgrade, and the client
/// connection must still speak HTTP afterwards (a second request on it is answered).
void expectPlainRequest(FakeUpstream & upstream, uint16_t port, const std::string & connection)
{
    HttpTestClient client(port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(upgradeRequest("/sse/ws/", port, connection)));
    ASSERT_TRUE(client.readHead());
    EXPECT_EQ(200, client.head().status) << client.head().headers.dump();
    ASSERT_TRUE(client.readBody());
    EXPECT_EQ("plain answer", client.body());
    EXPECT_FALSE(client.head().headers.has("Upgrade")) << client.head().headers.dump();

    ASSERT_TRUE(upstream.waitForRequests(1, Millis(1000)));
    RecordedRequest seen = upstream.requests().front();
    EXPECT_EQ("/ws/", seen.target);
    EXPECT_FALSE(seen.headers.has("Upgrade")) << seen.headers.dump();
    std::string up_connection = seen.headers.value("Connection");
    for (auto & c : up_connection)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(std::string::npos, up_connection.find("upgrade")) << seen.headers.dump();
    /// Only hop-by-hop headers go: the WebSocket key is end to end.
    EXPECT_EQ(kKey, seen.headers.value("Sec-WebSocket-Key")) << seen.headers.dump();

    ASSERT_TRUE(client.send("GET /sse/again HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    ASSERT_TRUE(client.readHead());
    EXPECT_EQ(200, client.head().status);
    ASSERT_TRUE(upstream.waitForRequests(2, Millis(1000)));
    EXPECT_EQ("/again", upstream.requests().back().target);
}

TEST_F(WebSocket, DisabledWebsocketsStripTheUpgradeHeaders)
{
    upstream_.on("/", UpstreamReply::text(200, "plain answer"));
    SluiceOptions options;
    options.gateway_extra_json = R"({"http_server_options": {"enable_websockets": false}})";
    ASSERT_TRUE(startGateway(options));
    expectPlainRequest(upstream_, port(), "Upgrade");
}

/// Tyk's quirk: Connection must be exactly "upgrade"; a token list is a plain request.
TEST_F(WebSocket, ConnectionTokenListIsNotAnUpgrade)
{
    upstream_.on("/", UpstreamReply::text(200, "plain answer"));
    ASSERT_TRUE(startGateway());
    expectPlainRequest(upstream_, port(), "keep-alive, Upgrade");
}

}
}
