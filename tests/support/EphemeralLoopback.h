#pragma once

#include <cstdint>
#include <string>

namespace sluice::test
{

/// A close-on-exec TCP socket bound to 127.0.0.1 on a port the kernel picks: the listening socket of the fake
/// upstreams (`backlog` > 0: it also listens) and the probe behind the free-port helpers (`backlog` 0: only bound,
/// to learn a number). Returns the fd, which the caller closes, and sets `port`. On failure returns -1 and sets
/// `why`: "socket() failed: <errno text>", else "cannot listen on 127.0.0.1:0: ..." (or "cannot bind ..." when
/// `backlog` is 0).
int bindEphemeralLoopback(int backlog, uint16_t & port, std::string & why);

}
