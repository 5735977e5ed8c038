#include "worker/UpstreamPath.h"

#include "shared/CleanPath.h"

namespace sluice::worker
{

std::string stripListenPath(const std::string & path, const std::string & listen_path)
{
    std::string rest = path;
    if (rest.compare(0, listen_path.size(), listen_path) == 0)
        rest.erase(0, listen_path.size());
    if (rest.empty() || rest[0] != '/')
        rest.insert(0, "/");
    return rest;
}

std::string joinUpstreamPath(const std::string & target_path, const std::string & rest, bool disable_strip_slash)
{
    std::string joined;
    if (disable_strip_slash && (rest.empty() || rest == "/"))
        joined = target_path;
    else
    {
        size_t target_end = target_path.find_last_not_of('/');
        joined = target_end == std::string::npos ? "" : target_path.substr(0, target_end + 1);
        size_t rest_begin = rest.find_first_not_of('/');
        if (rest_begin != std::string::npos)
            joined += "/" + rest.substr(rest_begin);
    }
    return joined.empty() ? "/" : joined;
}

std::string joinQuery(const std::string & target_query, const std::string & request_query)
{
    if (target_query.empty() || request_query.empty())
        return target_query + request_query;
    return target_query + "&" + request_query;
}

std::optional<std::string> cleanRequestPath(const std::string & path)
{
    std::string cleaned = cleanPath(path);
    if (cleaned == path)
        return std::nullopt;
    return cleaned;
}

}
