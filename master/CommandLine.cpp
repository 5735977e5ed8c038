#include "master/CommandLine.h"

namespace sluice::master
{

std::optional<CommandLine> parseCommandLine(const std::vector<std::string> & args, std::string & error)
{
    CommandLine cl;
    for (size_t i = 0; i < args.size(); ++i)
    {
        const std::string & a = args[i];
        auto value = [&](const std::string & name) -> std::optional<std::string> {
            if (a.rfind(name + "=", 0) == 0)
                return a.substr(name.size() + 1);
            if (i + 1 < args.size())
                return args[++i];
            error = "option " + name + " needs a value";
            return std::nullopt;
        };
        if (a == "-t" || a == "--test")
            cl.test_only = true;
        else if (a == "-v" || a == "--version")
            cl.version = true;
        else if (a == "-h" || a == "--help")
            cl.help = true;
        else if (a == "-c" || a == "--conf" || a.rfind("--conf=", 0) == 0)
        {
            auto v = value(a == "-c" ? "-c" : "--conf");
            if (!v)
                return std::nullopt;
            cl.conf_path = *v;
        }
        else if (a == "--port-file" || a.rfind("--port-file=", 0) == 0)
        {
            auto v = value("--port-file");
            if (!v)
                return std::nullopt;
            cl.port_file = *v;
        }
        else
        {
            error = "unknown argument '" + a + "'";
            return std::nullopt;
        }
    }
    return cl;
}

const char * usageText()
{
    return "usage: sluice [--conf FILE] [--port-file FILE] [-t] [--version]\n"
           "  --conf FILE       Tyk-style gateway config (default /etc/sluice/sluice.json)\n"
           "  -t, --test        check the configuration and every API definition, then exit\n"
           "  --port-file FILE  write the bound port here once every worker serves\n"
           "  --version         print the version\n";
}

}
