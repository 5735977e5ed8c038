#include "support/TempDir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace sluice::test
{

TempDir::TempDir()
{
    const char * base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/sluice-itest-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr)
        throw std::runtime_error("mkdtemp(" + pattern + ") failed: " + std::strerror(errno));
    path_ = buffer.data();
}

TempDir::~TempDir()
{
    std::error_code error;
    std::filesystem::remove_all(path_, error);
    /// A destructor cannot fail the test; say why the directory stayed.
    if (error)
        std::cerr << "TempDir: cannot remove " << path_ << ": " << error.message() << "\n";
}

std::string TempDir::file(const std::string & relative) const
{
    return path_ + "/" + relative;
}

std::string TempDir::write(const std::string & relative, const std::string & content) const
{
    std::string full = file(relative);
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    std::ofstream out(full, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + full);
    return full;
}

std::string TempDir::mkdir(const std::string & relative) const
{
    std::string full = file(relative);
    std::filesystem::create_directories(full);
    return full;
}

std::string readFile(const std::string & path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}
