#include "worker/SseEventCounter.h"

namespace sluice::worker
{

void SseEventCounter::feed(const char * data, size_t len)
{
    for (size_t i = 0; i < len; ++i)
    {
        char c = data[i];
        if (after_cr_)
        {
            after_cr_ = false;
            if (c == '\n')
                continue;
        }
        if (c == '\r' || c == '\n')
        {
            if (at_line_start_)
            {
                if (block_has_field_)
                    ++events_;
                block_has_field_ = false;
                block_has_lines_ = false;
            }
            at_line_start_ = true;
            after_cr_ = c == '\r';
            continue;
        }
        if (at_line_start_)
        {
            block_has_lines_ = true;
            if (c != ':')
                block_has_field_ = true;
            at_line_start_ = false;
        }
    }
}

}
