#include "support/SluiceProcess.h"

#ifndef SLUICE_BINARY
#    error "SLUICE_BINARY must name the sluice executable (set by tests/CMakeLists.txt)"
#endif

namespace sluice::test
{

const char * sluiceBinary()
{
    return SLUICE_BINARY;
}

}
