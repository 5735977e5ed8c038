#include "bench/ArgParser.h"

#include <stdexcept>

namespace sluice::bench
{

ArgParser::ArgParser(int argc, char ** argv, const std::set<std::string> & valued, const std::set<std::string> & flags)
{
    for (int i = 1; i < argc; ++i)
    {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) != 0)
            throw std::invalid_argument("unexpected argument '" + arg + "'");
        std::string name = arg.substr(2);
        if (flags.count(name))
        {
            values_[name] = "1";
            continue;
        }
        if (!valued.count(name))
            throw std::invalid_argument("unknown option --" + name);
        if (i + 1 >= argc)
            throw std::invalid_argument("option --" + name + " needs a value");
        values_[name] = argv[++i];
    }
}

bool ArgParser::has(const std::string & name) const
{
    return values_.count(name) != 0;
}

std::string ArgParser::getString(const std::string & name, const std::string & fallback) const
{
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

int64_t ArgParser::getInt(const std::string & name, int64_t fallback) const
{
    auto it = values_.find(name);
    if (it == values_.end())
        return fallback;
    size_t used = 0;
    int64_t value = 0;
    try
    {
        value = std::stoll(it->second, &used, 10);
    }
    catch (const std::exception &)
    {
        used = 0; /// reported below with the option name, which std::stoll's message lacks
    }
    if (used == 0 || used != it->second.size())
        throw std::invalid_argument("option --" + name + ": '" + it->second + "' is not an integer");
    return value;
}

int64_t ArgParser::getIntIn(const std::string & name, int64_t fallback, int64_t min, int64_t max) const
{
    int64_t value = getInt(name, fallback);
    if (value < min || value > max)
        throw std::invalid_argument("option --" + name + ": " + std::to_string(value) + " is outside ["
                                    + std::to_string(min) + ", " + std::to_string(max) + "]");
    return value;
}

}
