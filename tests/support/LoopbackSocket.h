#pragma once

#include <cstdint>
#include <string>

/// Raw loopback socket helpers for the test support code. All descriptors are close-on-exec so a
/// sluice process started by a test never inherits the test's own connections.
namespace sluice::test
{

/// Connects a blocking TCP socket to 127.0.0.1:port. Returns the fd, or -1 with errno set.
int connectLoopback(uint16_t port);

/// Sends everything (MSG_NOSIGNAL). False with errno set when the peer is gone.
bool sendAll(int fd, const std::string & bytes);

/// True when a fresh listening socket can bind 127.0.0.1:port (SO_REUSEADDR only, as a server
/// restarting on the port would); `why` gets the errno text otherwise.
bool portIsFree(uint16_t port, std::string & why);

/// strerror(errno) as a std::string.
std::string errnoText();

}
