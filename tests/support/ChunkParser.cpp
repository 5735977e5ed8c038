#include "support/ChunkParser.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace sluice::test
{

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
