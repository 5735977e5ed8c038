#pragma once

#include <cstdint>

namespace sluice::test
{

/// A loopback port nothing listens on (bound to learn a free number, then closed): an upstream
/// that refuses connections. 0 when no socket could be bound.
uint16_t unusedLoopbackPort();

/// A 127.0.0.1 port that was free a moment ago (bound to port 0, then closed): unusedLoopbackPort(), but
/// throws std::runtime_error naming the failed call when no socket could be bound.
uint16_t freeLoopbackPort();

}
