#pragma once

#include "shared/Config.h"

#include <Poco/Net/ServerSocket.h>

#include <string>

namespace sluice::master
{

/// Opens the listening socket every worker shares. Non-blocking on purpose: workers that lose an accept race
/// get EAGAIN instead of blocking in accept() where they could not notice a drain (poco-notes §1).
/// Throws std::runtime_error naming the address and the reason.
Poco::Net::ServerSocket openListenSocket(const GatewayConfig & gateway);

/// "127.0.0.1:8080" as bound (the real port when listen_port is 0).
std::string boundAddress(const Poco::Net::ServerSocket & socket);

}
