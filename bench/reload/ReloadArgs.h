#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace sluice::bench::reload
{

/// `--name value` options for the reload bench programs. An unknown option, a missing value or a value that is not
/// a number where one is expected throws std::invalid_argument naming the option, so a typo in run.sh fails loudly
/// instead of benchmarking a default.
class ReloadArgs
{
public:
    ReloadArgs(int argc, char ** argv, const std::set<std::string> & known);

    bool has(const std::string & name) const { return values_.count(name) != 0; }
    std::string text(const std::string & name, const std::string & fallback) const;
    int64_t integer(const std::string & name, int64_t fallback) const;
    /// The value must lie in [min, max].
    int64_t integerIn(const std::string & name, int64_t fallback, int64_t min, int64_t max) const;

private:
    std::map<std::string, std::string> values_;
};

}
