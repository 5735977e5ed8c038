#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sluice::master
{

struct CommandLine
{
    std::string conf_path = "/etc/sluice/sluice.json";
    std::string port_file;
    bool test_only = false; /// -t: validate the configuration and exit (nginx -t)
    bool version = false;
    bool help = false;
};

/// Parses argv; std::nullopt and `error` set when the arguments are wrong.
std::optional<CommandLine> parseCommandLine(const std::vector<std::string> & args, std::string & error);

const char * usageText();

}
