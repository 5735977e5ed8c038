#pragma once

#include <cstdint>

namespace sluice::test
{

/// A loopback port nothing listens on (bound to learn a free number, then closed): an upstream
/// that refuses connections. 0 when no socket could be bound.
uint16_t unusedLoopbackPort();

}
