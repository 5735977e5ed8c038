#pragma once

#include <string>

namespace sluice
{

/// The whole content of `path`. Throws ConfigError(path, "", "cannot read file: <errno text>").
std::string readTextFile(const std::string & path);

}
