#include "support/HttpMessage.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

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

void ChunkParser::parse(std::string & buffer, std::vector<std::string> & pieces)
{
    size_t pos = 0;
    while (state_ != State::Done && state_ != State::Error)
    {
        if (state_ == State::Data)
        {
            size_t take = std::min(remaining_, buffer.size() - pos);
            current_.append(buffer, pos, take);
            pos += take;
            remaining_ -= take;
            if (remaining_ > 0)
                break;
            pieces.push_back(std::move(current_));
            current_.clear();
            state_ = State::DataEnd;
            continue;
        }
        size_t eol = buffer.find("\r\n", pos);
        if (eol == std::string::npos)
            break;
        std::string line = buffer.substr(pos, eol - pos);
        pos = eol + 2;
        if (state_ == State::DataEnd)
        {
            if (!line.empty())
            {
                state_ = State::Error;
                error_ = "chunk data not followed by CRLF";
            }
            else
                state_ = State::Size;
        }
        else if (state_ == State::Size)
        {
            std::string digits = line.substr(0, line.find(';'));
            char * end = nullptr;
            unsigned long long size = std::strtoull(digits.c_str(), &end, 16);
            if (digits.empty() || *end != '\0')
            {
                state_ = State::Error;
                error_ = "bad chunk size line \"" + line + "\"";
            }
            else if (size == 0)
                state_ = State::Trailer;
            else
            {
                remaining_ = size;
                state_ = State::Data;
            }
        }
        else if (state_ == State::Trailer && line.empty())
            state_ = State::Done;
    }
    buffer.erase(0, pos);
}

std::string chunk(const std::string & data)
{
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
}

}
