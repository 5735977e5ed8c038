#include "support/RawConnection.h"

#include "support/LoopbackSocket.h"
#include "support/ReceiveOnce.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace sluice::test
{

std::string visibleBytes(const std::string & bytes, size_t limit)
{
    std::string out;
    for (size_t i = 0; i < bytes.size() && i < limit; ++i)
    {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c < 0x20 || c >= 0x7f)
        {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
        else
            out += static_cast<char>(c);
    }
    if (bytes.size() > limit)
        out += "...(" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

RawConnection RawConnection::connectTo(uint16_t port)
{
    RawConnection connection(connectLoopback(port));
    if (connection.fd_ == -1)
        connection.connect_error_ = "connect(127.0.0.1:" + std::to_string(port) + ") failed: " + errnoText();
    return connection;
}

RawConnection::RawConnection(RawConnection && other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , connect_error_(std::move(other.connect_error_))
    , received_(std::move(other.received_))
    , eof_(other.eof_)
    , end_reason_(std::move(other.end_reason_))
{
}

RawConnection & RawConnection::operator=(RawConnection && other) noexcept
{
    if (this != &other)
    {
        close();
        fd_ = std::exchange(other.fd_, -1);
        connect_error_ = std::move(other.connect_error_);
        received_ = std::move(other.received_);
        eof_ = other.eof_;
        end_reason_ = std::move(other.end_reason_);
    }
    return *this;
}

RawConnection::~RawConnection()
{
    close();
}

void RawConnection::close()
{
    if (fd_ != -1)
        ::close(fd_);
    fd_ = -1;
}

void RawConnection::shutdownWrite()
{
    if (fd_ != -1)
        ::shutdown(fd_, SHUT_WR);
}

::testing::AssertionResult RawConnection::connected() const
{
    if (fd_ != -1)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << (connect_error_.empty() ? "no socket" : connect_error_);
}

::testing::AssertionResult RawConnection::fail(const std::string & what) const
{
    return ::testing::AssertionFailure() << what << "; end=" << (end_reason_.empty() ? "open" : end_reason_)
                                         << "; unread bytes: \"" << visibleBytes(received_) << "\"";
}

::testing::AssertionResult RawConnection::send(const std::string & bytes)
{
    if (fd_ == -1)
        return ::testing::AssertionFailure() << "send() on a closed RawConnection";
    if (!sendAll(fd_, bytes))
        return ::testing::AssertionFailure() << "send() failed: " << errnoText();
    return ::testing::AssertionSuccess();
}

bool RawConnection::receive(Clock::time_point deadline)
{
    return receiveOnce(fd_, deadline, received_, eof_, end_reason_) != Received::Nothing;
}

::testing::AssertionResult RawConnection::readUntil(const std::string & needle, Millis timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (received_.find(needle) == std::string::npos)
    {
        if (eof_ || fd_ == -1)
            return fail("connection ended before \"" + visibleBytes(needle) + "\" arrived");
        if (!receive(deadline) && Clock::now() >= deadline)
            return fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for \""
                        + visibleBytes(needle) + "\"");
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult RawConnection::readAtLeast(size_t size, Millis timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (received_.size() < size)
    {
        if (eof_ || fd_ == -1)
            return fail("connection ended after " + std::to_string(received_.size()) + " of " + std::to_string(size)
                        + " bytes");
        if (!receive(deadline) && Clock::now() >= deadline)
            return fail("timed out after " + std::to_string(timeout.count()) + " ms with "
                        + std::to_string(received_.size()) + " of " + std::to_string(size) + " bytes");
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult RawConnection::readHead(std::string & first_line, HeaderList & headers, Millis timeout)
{
    if (auto ok = readUntil("\r\n\r\n", timeout); !ok)
        return ok << " (reading an HTTP head)";
    size_t end = received_.find("\r\n\r\n");
    if (!parseHead(received_.substr(0, end), first_line, headers))
        return fail("malformed HTTP head");
    received_.erase(0, end + 4);
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult RawConnection::waitEof(Millis timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (!eof_)
    {
        if (fd_ == -1)
            return ::testing::AssertionFailure() << "waitEof() on a connection we closed ourselves";
        if (!receive(deadline) && Clock::now() >= deadline)
            return fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for the peer to close");
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult RawConnection::staysQuiet(Millis quiet)
{
    const auto deadline = Clock::now() + quiet;
    size_t before = received_.size();
    while (Clock::now() < deadline)
    {
        receive(deadline);
        if (eof_)
            return fail("the peer closed during the quiet period");
        if (received_.size() != before)
            return fail("bytes arrived during the quiet period");
    }
    return ::testing::AssertionSuccess();
}

std::string RawConnection::take()
{
    return std::exchange(received_, std::string());
}

}
