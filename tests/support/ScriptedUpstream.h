#pragma once

#include "support/RawConnection.h"
#include "support/WaitFor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::test
{

/// A listening socket on 127.0.0.1:<ephemeral> with no thread of its own: the test accepts each
/// connection and plays the upstream by hand on it (read the request, answer 101, echo...). Made
/// for exchanges FakeUpstream's request/reply model cannot express, such as a WebSocket tunnel.
class ScriptedUpstream
{
public:
    ScriptedUpstream();
    ~ScriptedUpstream();
    ScriptedUpstream(const ScriptedUpstream &) = delete;
    ScriptedUpstream & operator=(const ScriptedUpstream &) = delete;

    uint16_t port() const { return port_; }
    /// "http://127.0.0.1:<port>"
    std::string url() const;
    /// Accepts the next connection the gateway makes; nullopt (with a failure in `result`) on timeout.
    std::optional<RawConnection> accept(Millis timeout, ::testing::AssertionResult & result);

private:
    int listen_fd_ = -1;
    uint16_t port_ = 0;
};

}
