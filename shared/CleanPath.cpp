#include "shared/CleanPath.h"

#include <vector>

namespace sluice
{

std::string cleanPath(const std::string & path)
{
    if (path.empty())
        return "/";
    std::vector<std::string> segments;
    size_t pos = 0;
    while (pos <= path.size())
    {
        size_t slash = path.find('/', pos);
        if (slash == std::string::npos)
            slash = path.size();
        std::string segment = path.substr(pos, slash - pos);
        if (segment == "..")
        {
            if (!segments.empty())
                segments.pop_back();
        }
        else if (!segment.empty() && segment != ".")
            segments.push_back(std::move(segment));
        pos = slash + 1;
    }

    std::string cleaned;
    for (const std::string & segment : segments)
        cleaned += "/" + segment;
    if (cleaned.empty())
        return "/";
    if (path.back() == '/')
        cleaned += '/';
    return cleaned;
}

}
