#pragma once

#include "support/HeaderList.h"
#include "support/WaitFor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace sluice::test
{

/// One TCP connection driven byte by byte, with no HTTP framing after the head: the client side of a
/// tunnel (WebSocket after 101) and the upstream side of a ScriptedUpstream connection. Everything
/// received is kept in received() until the test takes it.
class RawConnection
{
public:
    /// Connects to 127.0.0.1:port (check connected()).
    static RawConnection connectTo(uint16_t port);
    /// Adopts an open socket (closed by the destructor).
    explicit RawConnection(int fd) : fd_(fd) {}
    ~RawConnection();
    RawConnection(RawConnection && other) noexcept;
    RawConnection & operator=(RawConnection && other) noexcept;
    RawConnection(const RawConnection &) = delete;
    RawConnection & operator=(const RawConnection &) = delete;

    ::testing::AssertionResult connected() const;
    ::testing::AssertionResult send(const std::string & bytes);
    /// Reads until received() contains `needle`.
    ::testing::AssertionResult readUntil(const std::string & needle, Millis timeout);
    /// Reads until received() holds at least `size` bytes.
    ::testing::AssertionResult readAtLeast(size_t size, Millis timeout);
    /// Reads until received() holds a whole HTTP head, then removes the head from received() and
    /// splits it into the first line and the header fields.
    ::testing::AssertionResult readHead(std::string & first_line, HeaderList & headers, Millis timeout);
    /// Waits for EOF (or a reset) from the peer; bytes arriving meanwhile are kept.
    ::testing::AssertionResult waitEof(Millis timeout);
    /// True when nothing arrives (and the peer does not close) for `quiet`.
    ::testing::AssertionResult staysQuiet(Millis quiet);
    /// shutdown(SHUT_WR): our FIN, while we keep reading.
    void shutdownWrite();
    void close();

    const std::string & received() const { return received_; }
    /// Returns received() and empties it.
    std::string take();
    bool eof() const { return eof_; }
    /// "" while open, "eof", or the recv() error text.
    const std::string & endReason() const { return end_reason_; }

private:
    /// One poll()+recv() before `deadline`; false on timeout or when already at EOF.
    bool receive(Clock::time_point deadline);
    ::testing::AssertionResult fail(const std::string & what) const;

    int fd_ = -1;
    std::string connect_error_;
    std::string received_;
    bool eof_ = false;
    std::string end_reason_;
};

/// Escapes CR, LF and non-printable bytes so failure messages show the exact bytes.
std::string visibleBytes(const std::string & bytes, size_t limit = 600);

}
