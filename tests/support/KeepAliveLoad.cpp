#include "support/KeepAliveLoad.h"

#include "support/HttpTestClient.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <memory>
#include <sstream>

namespace sluice::test
{

namespace
{

constexpr Millis kRequestTimeout(3000);
constexpr size_t kMaxSamples = 10;

/// The client's port, which the gateway's access log shows as client=127.0.0.1:<port>.
int localPort(int fd)
{
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == -1)
        return -1;
    return ntohs(address.sin_port);
}

}

std::string LoadCounts::summary() const
{
    std::ostringstream out;
    out << "ok=" << ok << " failures=" << failures() << " (connect_failed=" << connect_failed
        << " send_failed=" << send_failed << " eof_before_response=" << eof_before_response << " reset=" << reset
        << " timeout=" << timeout << " bad_status=" << bad_status << " bad_body=" << bad_body
        << ") connections=" << connections << " closes_announced=" << closes_announced;
    return out.str();
}

KeepAliveLoad::KeepAliveLoad(uint16_t port, std::string target, std::string expected_body, int clients,
                             Millis max_duration)
    : port_(port)
    , request_("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
               + "\r\nUser-Agent: sluice-keepalive-load\r\nAccept: */*\r\n\r\n")
    , expected_body_(std::move(expected_body))
    , clients_(clients)
    , max_duration_(max_duration)
{
}

KeepAliveLoad::~KeepAliveLoad()
{
    stop();
}

void KeepAliveLoad::start()
{
    for (int i = 0; i < clients_; ++i)
        threads_.emplace_back([this] { runClient(); });
}

void KeepAliveLoad::stop()
{
    stop_ = true;
    for (auto & thread : threads_)
        thread.join();
    threads_.clear();
}

::testing::AssertionResult KeepAliveLoad::waitForOk(uint64_t count, Millis timeout)
{
    auto result = waitFor([&] { return counts().ok >= count; }, timeout, std::to_string(count) + " successful requests");
    if (!result)
        result << "; load: " << counts().summary();
    return result;
}

LoadCounts KeepAliveLoad::counts() const
{
    std::lock_guard lock(mutex_);
    return counts_;
}

void KeepAliveLoad::record(uint64_t LoadCounts::*counter, const std::string & what)
{
    std::lock_guard lock(mutex_);
    ++(counts_.*counter);
    if (!what.empty() && counts_.samples.size() < kMaxSamples)
        counts_.samples.push_back(what);
}

void KeepAliveLoad::runClient()
{
    const auto give_up = Clock::now() + max_duration_;
    std::unique_ptr<HttpTestClient> client;
    uint64_t on_this_connection = 0;
    while (!stop_ && Clock::now() < give_up)
    {
        if (!client)
        {
            client = std::make_unique<HttpTestClient>(port_);
            if (!client->connected())
            {
                record(&LoadCounts::connect_failed, client->connected().message());
                client.reset();
                std::this_thread::sleep_for(Millis(1));
                continue;
            }
            record(&LoadCounts::connections, "");
            on_this_connection = 0;
        }
        /// Which request on the connection failed tells a reused connection closed under the client (nginx's
        /// failure) from a fresh one that never worked.
        std::string where = " (request " + std::to_string(on_this_connection + 1) + " on its connection from port "
                            + std::to_string(localPort(client->fd())) + ")";
        ++on_this_connection;
        if (auto sent = client->send(request_); !sent)
        {
            record(&LoadCounts::send_failed, sent.message() + where);
            client.reset();
            continue;
        }
        auto head = client->readHead(kRequestTimeout);
        auto body = head ? client->readBody(kRequestTimeout) : head;
        if (!body)
        {
            if (!client->eof())
                record(&LoadCounts::timeout, body.message() + where);
            else if (client->endReason() == "eof")
                record(&LoadCounts::eof_before_response, body.message() + where);
            else
                record(&LoadCounts::reset, body.message() + where);
            client.reset();
            continue;
        }
        if (client->head().status != 200)
            record(&LoadCounts::bad_status, "status " + std::to_string(client->head().status) + where);
        else if (client->body() != expected_body_)
            record(&LoadCounts::bad_body, "body \"" + client->body() + "\"" + where);
        else
            record(&LoadCounts::ok, "");
        if (equalsIgnoreCase(client->head().headers.value("Connection"), "close"))
        {
            record(&LoadCounts::closes_announced, "");
            client.reset();
        }
    }
}

}
