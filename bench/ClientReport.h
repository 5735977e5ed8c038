#pragma once

#include "bench/SseClient.h"

#include <string>

namespace sluice::bench
{

/// One JSON object on one line, flat except for the two reason maps, so bench/run.sh can pick fields
/// with sed and other tools with a JSON parser.
std::string clientReportJson(const ClientOptions & options, const ClientResult & result);

/// One line a person can read at a glance.
std::string clientReportHuman(const ClientOptions & options, const ClientResult & result);

}
