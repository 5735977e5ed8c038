#pragma once

#include "support/ChunkParser.h"
#include "support/HeaderList.h"
#include "support/WaitFor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::test
{

struct ResponseHead
{
    std::string version; /// "HTTP/1.1"
    int status = 0;
    std::string reason;
    HeaderList headers;
};

/// A piece of response body as it arrived: one chunk for chunked bodies, one recv() otherwise.
struct BodyPiece
{
    std::string data;
    Clock::time_point at; /// when the recv() that completed it returned
};

/// A raw-socket HTTP/1.1 client on 127.0.0.1. The test chooses the exact request bytes; the client
/// reads the response head, then the body incrementally, timestamping every piece so that tests can
/// measure event latency and see how the gateway framed the stream. Keep-alive: call readHead()
/// again after a complete body to read the next response on the same connection.
class HttpTestClient
{
public:
    enum class Framing { Chunked, Length, UntilClose, None };

    explicit HttpTestClient(uint16_t port);
    ~HttpTestClient();
    HttpTestClient(const HttpTestClient &) = delete;
    HttpTestClient & operator=(const HttpTestClient &) = delete;

    /// Connection outcome of the constructor.
    ::testing::AssertionResult connected() const;
    ::testing::AssertionResult send(const std::string & bytes);
    /// Reads the status line and headers of the next response (the previous body must be complete).
    ::testing::AssertionResult readHead(Millis timeout = Millis(5000));
    /// Reads body pieces until the decoded body of the current response contains `needle`.
    ::testing::AssertionResult readUntil(const std::string & needle, Millis timeout);
    /// Reads until the body is complete: terminal chunk, Content-Length reached, or EOF when
    /// the body is delimited by the connection close.
    ::testing::AssertionResult readBody(Millis timeout = Millis(5000));
    /// Waits until the server closes the connection (EOF or reset). Bytes that arrive meanwhile are
    /// kept and decoded as body.
    ::testing::AssertionResult waitEof(Millis timeout);
    /// Closes our side (the "client disconnects" action).
    void close();

    const ResponseHead & head() const { return head_; }
    Framing framing() const { return framing_; }
    /// Decoded body of the current response so far.
    const std::string & body() const { return body_; }
    const std::vector<BodyPiece> & pieces() const { return pieces_; }
    bool bodyComplete() const { return body_complete_; }
    /// The chunked body ended with a well-formed terminal chunk ("0\r\n\r\n").
    bool terminalChunkSeen() const { return framing_ == Framing::Chunked && body_complete_; }
    bool eof() const { return eof_; }
    /// How the connection ended: "" (open), "eof", or the recv() error text (e.g. a reset).
    const std::string & endReason() const { return end_reason_; }
    /// Every byte received on the connection, framing included (for failure messages).
    const std::string & raw() const { return raw_; }
    int fd() const { return fd_; }

    /// A whole exchange: a new connection, `request` sent as is, head and complete body read.
    struct Exchange
    {
        ResponseHead head;
        std::string body;
    };
    static ::testing::AssertionResult exchange(uint16_t port, const std::string & request, Exchange & out,
                                               Millis timeout = Millis(5000));
    /// "GET <target> HTTP/1.1" with Host and `extra_headers` (each "Name: value\r\n") and Connection: close.
    static std::string getRequest(const std::string & target, const std::string & extra_headers = "");

private:
    /// One poll()+recv() before `deadline`; false on timeout. Sets eof_ on EOF/error.
    bool receive(Clock::time_point deadline);
    /// Decodes as much body as the buffer holds.
    void decodeBody(Clock::time_point at);
    ::testing::AssertionResult fail(const std::string & what) const;

    int fd_ = -1;
    std::string connect_error_;
    std::string buffer_; /// received, not yet consumed
    std::string raw_;
    ResponseHead head_;
    bool have_head_ = false;
    Framing framing_ = Framing::None;
    size_t length_remaining_ = 0;
    ChunkParser chunks_;
    std::string body_;
    std::vector<BodyPiece> pieces_;
    bool body_complete_ = false;
    bool eof_ = false;
    std::string end_reason_;
    std::string framing_error_;
};

}
