#include "support/HeaderList.h"

#include <cctype>

namespace sluice::test
{

bool equalsIgnoreCase(const std::string & a, const std::string & b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<std::string> HeaderList::get(const std::string & name) const
{
    for (const auto & [field, value] : fields_)
        if (equalsIgnoreCase(field, name))
            return value;
    return std::nullopt;
}

size_t HeaderList::count(const std::string & name) const
{
    size_t n = 0;
    for (const auto & field : fields_)
        n += equalsIgnoreCase(field.first, name) ? 1 : 0;
    return n;
}

std::string HeaderList::dump() const
{
    std::string text;
    for (const auto & [field, value] : fields_)
        text += field + ": " + value + "\n";
    return text;
}

namespace
{

std::string trim(const std::string & s)
{
    size_t begin = s.find_first_not_of(" \t");
    if (begin == std::string::npos)
        return "";
    size_t end = s.find_last_not_of(" \t");
    return s.substr(begin, end - begin + 1);
}

}

bool parseHead(const std::string & head, std::string & first_line, HeaderList & headers)
{
    size_t pos = head.find("\r\n");
    first_line = head.substr(0, pos);
    while (pos != std::string::npos)
    {
        size_t start = pos + 2;
        pos = head.find("\r\n", start);
        std::string line = head.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
        if (line.empty())
            continue;
        size_t colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
            return false;
        headers.add(line.substr(0, colon), trim(line.substr(colon + 1)));
    }
    return true;
}

}
