#pragma once

#include <optional>
#include <string>

/// How a request path becomes the upstream path, exactly as Tyk does it (tyk-compat.md §3.4, §2, §3.3).
namespace sluice::worker
{

/// Tyk's StripListenPath: if `path` starts with `listen_path`, removes it once; the result always starts
/// with '/' ("/sse/ev" with "/sse/" -> "/ev"; "/ssefoo" with "/sse" -> "/foo").
std::string stripListenPath(const std::string & path, const std::string & listen_path);

/// Tyk's singleJoiningSlash: with `disable_strip_slash` and `rest` "" or "/", the target path unchanged;
/// otherwise rtrim(target_path, '/') + '/' + ltrim(rest, '/'), or just the trimmed target when rest is
/// empty. An empty result is "/" (what Go sends for an empty path).
std::string joinUpstreamPath(const std::string & target_path, const std::string & rest, bool disable_strip_slash);

/// The target's query and the request's, joined by '&' only when both are non-empty.
std::string joinQuery(const std::string & target_query, const std::string & request_query);

/// gorilla/mux path cleaning: the cleaned path when it differs from `path` (the caller answers 301 with it),
/// nullopt when `path` is already clean. A trailing '/' is kept.
std::optional<std::string> cleanRequestPath(const std::string & path);

}
