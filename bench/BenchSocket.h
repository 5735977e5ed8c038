#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>

/// Small syscall wrappers shared by the bench emitter and client. Failures throw std::system_error whose
/// message names the call, so a broken setup stops the run with a reason.
namespace sluice::bench
{

/// CLOCK_MONOTONIC in nanoseconds. The emitter embeds it in every event and the client subtracts it from
/// its own reading; both run on the same machine, so the difference is the one-way latency.
int64_t monotonicNs();

/// "host:port" (IPv4 literal or "localhost") to a socket address. Throws std::invalid_argument.
sockaddr_in parseHostPort(const std::string & text);

void setNonBlocking(int fd);

/// A non-blocking, close-on-exec listening TCP socket (SO_REUSEADDR) on `address`; port 0 = ephemeral.
int listenTcp(const sockaddr_in & address, int backlog);

/// The port a bound socket got (for port 0).
uint16_t localPort(int fd);

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
uint64_t raiseFdLimit();

/// Writes `text` to `path` through a temporary file and rename(), so a reader never sees half a file.
void writeFileAtomically(const std::string & path, const std::string & text);

}
