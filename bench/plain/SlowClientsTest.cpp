/// Tests of the slow-client tool against fake servers on loopback: the closes it reports must be the
/// ones the server made, and a server that never answers must show as timeouts, not as silence.

#include "bench/BenchSocket.h"
#include "bench/plain/SlowClients.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

namespace sluice::bench
{
namespace
{

/// A one-thread server with a request-head deadline, as the proxies under test should have: a
/// connection whose first head is not complete `deadline_ms` after the accept is closed; complete
/// heads get a 2-byte 200, keep-alive.
class DeadlineServer
{
public:
    explicit DeadlineServer(int deadline_ms)
        : listen_fd_(listenTcp(parseHostPort("127.0.0.1:0"), 1024)), stop_fd_(::eventfd(0, EFD_CLOEXEC)), deadline_ms_(deadline_ms)
    {
        port_ = localPort(listen_fd_);
        thread_ = std::thread([this] { serve(); });
    }
    ~DeadlineServer()
    {
        uint64_t one = 1;
        EXPECT_EQ(::write(stop_fd_, &one, sizeof(one)), 8);
        thread_.join();
        ::close(stop_fd_);
        ::close(listen_fd_);
    }
    uint16_t port() const { return port_; }

private:
    struct Peer
    {
        int fd;
        int64_t accepted_ns;
        bool answered_once = false;
        std::string head;
    };

    void serve()
    {
        std::vector<Peer> peers;
        for (;;)
        {
            std::vector<pollfd> fds{{stop_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
            for (const Peer & peer : peers)
                fds.push_back({peer.fd, POLLIN, 0});
            ::poll(fds.data(), fds.size(), 10);
            if (fds[0].revents)
                break;
            int64_t now_ns = monotonicNs();
            std::vector<Peer> kept;
            for (size_t i = 0; i < peers.size(); ++i)
                if (keep(peers[i], fds[i + 2].revents, now_ns))
                    kept.push_back(std::move(peers[i]));
                else
                    ::close(peers[i].fd);
            peers = std::move(kept);
            for (int fd; fds[1].revents && (fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK)) != -1;)
                peers.push_back(Peer{fd, now_ns, false, {}});
        }
        for (const Peer & peer : peers)
            ::close(peer.fd);
    }

    bool keep(Peer & peer, short revents, int64_t now_ns)
    {
        if (revents)
        {
            char buffer[4096];
            ssize_t n = ::recv(peer.fd, buffer, sizeof(buffer), 0);
            if (n == 0 || (n == -1 && errno != EAGAIN))
                return false;
            if (n > 0)
                peer.head.append(buffer, static_cast<size_t>(n));
        }
        for (size_t end; (end = peer.head.find("\r\n\r\n")) != std::string::npos;)
        {
            peer.head.erase(0, end + 4);
            peer.answered_once = true;
            const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            if (::send(peer.fd, reply, sizeof(reply) - 1, MSG_NOSIGNAL) != sizeof(reply) - 1)
                return false;
        }
        return peer.answered_once || now_ns - peer.accepted_ns < deadline_ms_ * 1'000'000LL;
    }

    int listen_fd_;
    int stop_fd_;
    int deadline_ms_;
    uint16_t port_ = 0;
    std::thread thread_;
};

SlowClientsOptions optionsFor(uint16_t port)
{
    SlowClientsOptions options;
    for (auto * target : {&options.drippers.target_text, &options.paced.target_text})
        *target = "127.0.0.1:" + std::to_string(port);
    options.drippers.target = options.paced.target = parseHostPort(options.drippers.target_text);
    options.drippers.count = 20;
    options.drippers.interval_ms = 100;
    options.drippers.ramp = 7;
    options.drippers.deadline_ms = 1000;
    options.drippers.tolerance_ms = 300;
    options.paced.rate = 50;
    options.paced.connections = 2;
    options.paced.request_timeout_ms = 300;
    options.duration_s = 2;
    options.connect_phase_timeout_s = 5;
    return options;
}

TEST(SlowClients, CountsDrippersClosedAtTheServersDeadlineWhileTheNormalClientIsServed)
{
    DeadlineServer server(1000);
    SlowClientsResult result = runSlowClients(optionsFor(server.port()));
    EXPECT_EQ(result.drippers.connected, 20u);
    EXPECT_EQ(result.drippers.closed_on_time, 20u);
    EXPECT_EQ(result.drippers.closed_early + result.drippers.closed_late + result.drippers.open_at_end, 0u);
    size_t closes = 0;
    for (const auto & [kind, count] : result.drippers.close_kinds)
        closes += count; /// "eof", or a reset when the server closed with dripped bytes unread
    EXPECT_EQ(closes, 20u);
    EXPECT_NEAR(result.drippers.closed_after.p50_ms, 1000, 300);
    EXPECT_GE(result.drippers.bytes_sent, 20u * 8); /// about 10 bytes each before the deadline
    EXPECT_EQ(result.paced.scheduled, 100u);
    EXPECT_EQ(result.paced.ok, 100u);
    EXPECT_EQ(result.paced.timed_out + result.paced.failed, 0u);
    EXPECT_EQ(result.paced.connects, 2u); /// keep-alive: the two connections served every request
    EXPECT_LT(result.paced.latency.p50_ms, 50);
    EXPECT_EQ(result.paced.window_latency.count, 35u); /// scheduled in the first deadline - tolerance = 0.7 s
}

/// A listener nobody accepts from: the kernel completes the connects, nothing is ever read or answered.
TEST(SlowClients, ShowsDrippersNeverClosedAndRequestsNeverAnsweredAsSuch)
{
    int listen_fd = listenTcp(parseHostPort("127.0.0.1:0"), 64);
    SlowClientsOptions options = optionsFor(localPort(listen_fd));
    options.duration_s = 1;
    SlowClientsResult result = runSlowClients(options);
    ::close(listen_fd);
    EXPECT_EQ(result.drippers.connected, 20u);
    EXPECT_EQ(result.drippers.open_at_end, 20u);
    EXPECT_EQ(result.paced.scheduled, 50u);
    EXPECT_EQ(result.paced.answered, 0u);
    EXPECT_EQ(result.paced.timed_out, 50u);
    EXPECT_EQ(result.paced.latency.count, 0u);
    EXPECT_GT(result.paced.connects, 2u); /// each timeout drops the connection and opens another
}

}
}
