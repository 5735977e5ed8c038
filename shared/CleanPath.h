#pragma once

#include <string>

namespace sluice
{

/// gorilla/mux cleanPath, used for both listen paths (Tyk normalises them this way at load) and request
/// paths (the worker answers 301 when cleaning changes one): "" -> "/", a leading '/' added, Go path.Clean
/// ("//", "." and ".." segments resolved, ".." never climbing above the root), and a trailing '/' put back
/// when the input had one ("/a//b/../c/" -> "/a/c/").
std::string cleanPath(const std::string & path);

}
