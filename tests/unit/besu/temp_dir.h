// A temporary directory for one test, removed with everything in it at the end.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

namespace chainvisor::nodes::besu::test {

class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "chainvisor-besu-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    std::filesystem::path write(const std::string& name, const std::string& text,
                                unsigned mode = 0600) const {
        const auto file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::FILE* f = std::fopen(file.c_str(), "wb");
        REQUIRE(f != nullptr);
        REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
        std::fclose(f);
        REQUIRE(::chmod(file.c_str(), mode) == 0);
        return file;
    }

private:
    std::filesystem::path path_;
};

}  // namespace chainvisor::nodes::besu::test
