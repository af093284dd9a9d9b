// Helpers shared by the spec tests: a fake FileProbe, loading from strings and files, and
// diagnostics as the strings operators read.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "spec/load.h"

namespace chainvisor::spec::test {

// Files that exist only in the test's imagination.
class FakeFileProbe final : public FileProbe {
public:
    FakeFileProbe& add(std::string path, unsigned mode = 0600, bool regular = true) {
        files_[std::move(path)] = Info{regular, mode};
        return *this;
    }
    std::optional<Info> stat(const std::string& path) const override {
        auto it = files_.find(path);
        if (it == files_.end()) {
            return std::nullopt;
        }
        return it->second;
    }

private:
    std::map<std::string, Info> files_;
};

// The files the fixtures and examples may refer to.
inline const FakeFileProbe& fixtureFiles() {
    static const FakeFileProbe files = [] {
        FakeFileProbe f;
        f.add("/etc/chainvisor/pve-token", 0600)
            .add("/etc/chainvisor/id_ed25519", 0600)
            .add("/etc/chainvisor/keys/val1.key", 0400)
            .add("/etc/chainvisor/keys/val2.key", 0600)
            .add("/etc/chainvisor/world-readable-token", 0644)
            .add("/etc/chainvisor/keys", 0755, false);
        return f;
    }();
    return files;
}

inline std::string sourcePath(const std::string& relative) {
    return std::string(CHAINVISOR_SOURCE_DIR) + "/" + relative;
}

inline std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Each diagnostic as "LINE:COL: path: message" (the file name left out).
inline std::vector<std::string> withoutFile(const LoadResult& result) {
    std::vector<std::string> out;
    for (const auto& d : result.diagnostics) {
        std::string s = d.str();
        s = s.substr(d.file.size() + 1);
        if (!s.empty() && s[0] == ' ') {
            s.erase(0, 1);
        }
        out.push_back(s);
    }
    return out;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += "  " + l + "\n";
    }
    return out;
}

inline LoadResult loadText(const std::string& text, const FileProbe& files = fixtureFiles()) {
    return loadClusterText(text, "cluster.yaml", files);
}

// A small valid cluster; tests append to it or replace parts of it.
inline const std::string kMinimalHead = R"(apiVersion: chainvisor/v1
name: test
hosts:
  - name: local
    type: local
networks:
  - name: devnet
    kind: besu
    chainId: 1337
    version: 26.1.0
    source: {path: /var/cache/chainvisor/besu-26.1.0.tar.gz}
)";

inline std::string fourValidators(const std::string& extra = "") {
    std::string s = kMinimalHead + "nodes:\n";
    for (int i = 1; i <= 4; ++i) {
        s += "  - {name: val" + std::to_string(i) +
             ", network: devnet, role: validator, host: local, vmid: " + std::to_string(100 + i) +
             extra + "}\n";
    }
    return s;
}

}  // namespace chainvisor::spec::test
