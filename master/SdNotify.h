#pragma once

#include <string>

/// systemd's notify protocol (Type=notify) through libsystemd; every call is a no-op outside systemd.
namespace sluice::master
{

void notifyReady(const std::string & status);
void notifyReloading(const std::string & status);
void notifyStopping(const std::string & status);

}
