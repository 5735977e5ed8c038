#include "support/HttpTestClient.h"

#include "support/LoopbackSocket.h"
#include "support/ReceiveOnce.h"

#include <unistd.h>

#include <cstdlib>

namespace sluice::test
{

namespace
{

constexpr size_t kMaxHead = 1 << 20;

/// Escapes control characters so failure messages show CR/LF exactly.
std::string printable(const std::string & bytes, size_t limit = 2000)
{
    std::string out;
    for (size_t i = 0; i < bytes.size() && i < limit; ++i)
    {
        char c = bytes[i];
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n\n";
        else
            out += c;
    }
    if (bytes.size() > limit)
        out += "...(" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

}

HttpTestClient::HttpTestClient(uint16_t port)
{
    fd_ = connectLoopback(port);
    if (fd_ == -1)
        connect_error_ = "connect(127.0.0.1:" + std::to_string(port) + ") failed: " + errnoText();
}

HttpTestClient::~HttpTestClient()
{
    close();
}

void HttpTestClient::close()
{
    if (fd_ != -1)
        ::close(fd_);
    fd_ = -1;
}

::testing::AssertionResult HttpTestClient::connected() const
{
    if (fd_ != -1 || eof_)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << connect_error_;
}

::testing::AssertionResult HttpTestClient::fail(const std::string & what) const
{
    return ::testing::AssertionFailure() << what << "; end=" << (end_reason_.empty() ? "open" : end_reason_)
                                         << "; received so far:\n" << printable(raw_);
}

::testing::AssertionResult HttpTestClient::send(const std::string & bytes)
{
    if (fd_ == -1)
        return ::testing::AssertionFailure() << "not connected: " << connect_error_;
    if (!sendAll(fd_, bytes))
        return ::testing::AssertionFailure() << "send() failed: " << errnoText();
    return ::testing::AssertionSuccess();
}

bool HttpTestClient::receive(Clock::time_point deadline)
{
    const size_t before = buffer_.size();
    Clock::time_point received_at;
    Received what = receiveOnce(fd_, deadline, buffer_, eof_, end_reason_, &received_at);
    if (what != Received::Recv)
        return what == Received::Interrupted;
    raw_.append(buffer_, before, std::string::npos);
    if (have_head_)
        decodeBody(received_at);
    return true;
}

void HttpTestClient::decodeBody(Clock::time_point at)
{
    if (body_complete_)
        return;
    if (framing_ == Framing::Chunked)
    {
        std::vector<std::string> done;
        chunks_.parse(buffer_, done);
        for (auto & piece : done)
        {
            body_ += piece;
            pieces_.push_back(BodyPiece{std::move(piece), at});
        }
        body_complete_ = chunks_.done();
        if (chunks_.failed())
            framing_error_ = chunks_.error();
        return;
    }
    size_t take = buffer_.size();
    if (framing_ == Framing::Length)
        take = std::min(take, length_remaining_);
    if (framing_ == Framing::None)
        take = 0;
    if (take > 0)
    {
        body_.append(buffer_, 0, take);
        pieces_.push_back(BodyPiece{buffer_.substr(0, take), at});
        buffer_.erase(0, take);
    }
    if (framing_ == Framing::Length)
        length_remaining_ -= take;
    body_complete_ = framing_ == Framing::None || (framing_ == Framing::Length && length_remaining_ == 0)
                     || (framing_ == Framing::UntilClose && eof_);
}

::testing::AssertionResult HttpTestClient::readHead(Millis timeout)
{
    if (have_head_ && !body_complete_)
        return fail("readHead() before the previous body was complete");
    have_head_ = false;
    const auto deadline = Clock::now() + timeout;
    size_t end = std::string::npos;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
    {
        if (buffer_.size() > kMaxHead)
            return fail("response head larger than 1 MiB");
        if (eof_ || fd_ == -1)
            return fail("connection ended before a complete response head");
        if (!receive(deadline) && Clock::now() >= deadline)
            return fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for a response head");
    }
    std::string status_line;
    head_ = ResponseHead{};
    if (!parseHead(buffer_.substr(0, end), status_line, head_.headers))
        return fail("malformed response head");
    buffer_.erase(0, end + 4);
    size_t sp1 = status_line.find(' ');
    size_t sp2 = status_line.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || status_line.compare(0, 5, "HTTP/") != 0)
        return fail("malformed status line \"" + status_line + "\"");
    head_.version = status_line.substr(0, sp1);
    head_.status = std::atoi(status_line.substr(sp1 + 1, sp2 - sp1 - 1).c_str());
    head_.reason = sp2 == std::string::npos ? "" : status_line.substr(sp2 + 1);

    body_.clear();
    pieces_.clear();
    body_complete_ = false;
    chunks_ = ChunkParser{};
    framing_error_.clear();
    auto encoding = head_.headers.get("Transfer-Encoding");
    auto length = head_.headers.get("Content-Length");
    if (head_.status / 100 == 1 || head_.status == 204 || head_.status == 304)
        framing_ = Framing::None;
    else if (encoding && equalsIgnoreCase(*encoding, "chunked"))
        framing_ = Framing::Chunked;
    else if (length)
    {
        framing_ = Framing::Length;
        length_remaining_ = std::strtoull(length->c_str(), nullptr, 10);
    }
    else
        framing_ = Framing::UntilClose;
    have_head_ = true;
    decodeBody(Clock::now());
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult HttpTestClient::readUntil(const std::string & needle, Millis timeout)
{
    if (!have_head_)
        return fail("readUntil() without a response head");
    const auto deadline = Clock::now() + timeout;
    while (body_.find(needle) == std::string::npos)
    {
        if (!framing_error_.empty())
            return fail("bad chunked framing: " + framing_error_);
        if (body_complete_ || eof_ || fd_ == -1)
            return fail("body ended without \"" + needle + "\"");
        if (!receive(deadline) && Clock::now() >= deadline)
            return fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for \"" + needle + "\"");
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult HttpTestClient::readBody(Millis timeout)
{
    if (!have_head_)
        return fail("readBody() without a response head");
    const auto deadline = Clock::now() + timeout;
    while (!body_complete_)
    {
        if (!framing_error_.empty())
            return fail("bad chunked framing: " + framing_error_);
        if (eof_ || fd_ == -1)
            return fail("connection ended before the body was complete");
        if (!receive(deadline) && Clock::now() >= deadline)
            return fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for the end of the body");
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult HttpTestClient::waitEof(Millis timeout)
{
    const auto deadline = Clock::now() + timeout;
    while (!eof_)
    {
        if (fd_ == -1)
            return ::testing::AssertionFailure() << "waitEof() on a connection we closed ourselves";
        if (!receive(deadline) && Clock::now() >= deadline)
            return fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for the server to close");
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult HttpTestClient::exchange(uint16_t port, const std::string & request, Exchange & out,
                                                    Millis timeout)
{
    HttpTestClient client(port);
    if (auto ok = client.connected(); !ok)
        return ok;
    if (auto ok = client.send(request); !ok)
        return ok;
    if (auto ok = client.readHead(timeout); !ok)
        return ok;
    if (auto ok = client.readBody(timeout); !ok)
        return ok;
    out.head = client.head();
    out.body = client.body();
    return ::testing::AssertionSuccess();
}

std::string HttpTestClient::getRequest(const std::string & target, const std::string & extra_headers)
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "Connection: close\r\n\r\n";
}

}
