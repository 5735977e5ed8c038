#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace sluice::bench
{

/// Parses `--name value` and bare `--flag` arguments for the small bench programs. Unknown names, a
/// missing value or an unparsable number throw std::invalid_argument with a message naming the option,
/// so a typo in bench/run.sh or bench/reload/run.sh fails loudly instead of silently benchmarking the default.
class ArgParser
{
public:
    /// `valued` lists options that take a value, `flags` options that do not (names without "--").
    ArgParser(int argc, char ** argv, const std::set<std::string> & valued, const std::set<std::string> & flags);

    bool has(const std::string & name) const;
    std::string getString(const std::string & name, const std::string & fallback) const;
    int64_t getInt(const std::string & name, int64_t fallback) const;
    /// getInt() whose value must lie in [min, max]; outside it throws std::invalid_argument naming the option.
    int64_t getIntIn(const std::string & name, int64_t fallback, int64_t min, int64_t max) const;

private:
    std::map<std::string, std::string> values_;
};

}
