#include "master/CommandLine.h"

#include <gtest/gtest.h>

using namespace sluice::master;

TEST(CommandLine, ReadsConfTestAndPortFileInBothSpellings)
{
    std::string error;
    auto a = parseCommandLine({"-t", "--conf", "/x.json", "--port-file=/p"}, error);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->test_only);
    EXPECT_EQ(a->conf_path, "/x.json");
    EXPECT_EQ(a->port_file, "/p");
    auto b = parseCommandLine({"--conf=/y.json"}, error);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->conf_path, "/y.json");
    EXPECT_FALSE(b->test_only);
}

TEST(CommandLine, RejectsUnknownArgumentsAndMissingValues)
{
    std::string error;
    EXPECT_FALSE(parseCommandLine({"--bogus"}, error));
    EXPECT_NE(error.find("--bogus"), std::string::npos);
    EXPECT_FALSE(parseCommandLine({"--conf"}, error));
    EXPECT_NE(error.find("needs a value"), std::string::npos);
}
