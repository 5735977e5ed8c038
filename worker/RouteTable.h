#pragma once

#include "shared/Config.h"

#include <string>
#include <vector>

/// Tyk's API routing (tyk-compat.md §3.3): APIs sorted by listen-path length, longest first (APIs with a custom
/// domain first); each API answers at prefix "/<api_id>/" and at its listen path; the first match wins;
/// matching is a raw, case-sensitive string prefix. Control routes (/hello, /ready, /tyk/) are the factory's job
/// and always come before this table.
namespace sluice::worker
{

struct RouteMatch
{
    const ApiDefinition * api = nullptr;
    /// The path to join onto the target's path: the listen path stripped if the API asks for it and the
    /// request came in through the listen path (never through "/<api_id>/").
    std::string rest;
};

class RouteTable
{
public:
    explicit RouteTable(const Plan & plan);

    /// `path` is the request path without the query; `host` the Host header without the port.
    /// Returns a match with api == nullptr when nothing matches (or a strict route refuses the path).
    RouteMatch match(const std::string & path, const std::string & host) const;

    size_t size() const { return routes_.size(); }

private:
    struct Route
    {
        std::string prefix;
        const ApiDefinition * api;
        bool via_listen_path;   /// false for the "/<api_id>/" route
        bool strict;            /// enable_strict_routes applied to this listen path
        std::string domain;     /// exact Host required when non-empty
    };

    std::vector<Route> routes_;
};

}
