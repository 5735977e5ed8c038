#include "worker/RouteTable.h"

#include "worker/UpstreamPath.h"

#include <algorithm>

namespace sluice::worker
{

namespace
{

bool startsWith(const std::string & s, const std::string & prefix)
{
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}

RouteTable::RouteTable(const Plan & plan)
{
    const GatewayConfig & gw = plan.gateway;
    std::vector<const ApiDefinition *> apis;
    for (const ApiDefinition & api : plan.apis)
        apis.push_back(&api);

    auto domain_of = [&gw](const ApiDefinition * api) {
        if (gw.enable_custom_domains && !api->domain.empty())
            return api->domain;
        return gw.hostname;
    };
    std::stable_sort(apis.begin(), apis.end(), [&](const ApiDefinition * a, const ApiDefinition * b) {
        bool a_domain = gw.enable_custom_domains && !a->domain.empty();
        bool b_domain = gw.enable_custom_domains && !b->domain.empty();
        if (a_domain != b_domain)
            return a_domain;
        /// Tyk's order: longest listen path first ({var} paths, which Tyk weighs differently, are refused at load).
        return a->listen_path.size() > b->listen_path.size();
    });

    for (const ApiDefinition * api : apis)
    {
        const std::string & lp = api->listen_path;
        bool strict = gw.http.enable_strict_routes && !lp.empty() && lp.back() != '/';
        /// The listen path first: when an API's id equals its listen path ("sse" at "/sse/"), requests must be
        /// stripped as the listen path says, not passed through whole as the id route would.
        routes_.push_back(Route{lp, api, true, strict, domain_of(api)});
        routes_.push_back(Route{"/" + api->api_id + "/", api, false, false, domain_of(api)});
    }
}

RouteMatch RouteTable::match(const std::string & path, const std::string & host) const
{
    for (const Route & route : routes_)
    {
        if (!route.domain.empty() && route.domain != host)
            continue;
        if (!startsWith(path, route.prefix))
            continue;
        if (route.strict && path.size() > route.prefix.size() && path[route.prefix.size()] != '/')
            return RouteMatch{}; /// strict: "/app" must not serve "/apple", nor fall through (Tyk)
        RouteMatch m;
        m.api = route.api;
        if (route.via_listen_path && route.api->strip_listen_path)
            m.rest = stripListenPath(path, route.prefix);
        else
            m.rest = path;
        return m;
    }
    return RouteMatch{};
}

}
