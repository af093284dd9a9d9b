// Diagnostics: located messages about a cluster file, in the form operators and editors know:
//   cluster.yaml:14:9: nodes[2].vmid: 106 is already used by nodes[0] (line 9)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace chainvisor::spec {

struct Location {
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based
};

enum class Severity { Error, Warning };

struct Diagnostic {
    Severity severity = Severity::Error;
    std::string file;
    Location location;
    std::string path;     // field path, e.g. "nodes[2].vmid"; empty for whole-file problems
    std::string message;  // what is wrong; what is accepted

    // "FILE:LINE:COL: PATH: MESSAGE", warnings with "warning: " before the path.
    std::string str() const;
};

// Where each field path of a loaded file was written. Keys are field paths as in diagnostics
// ("nodes[2].vmid"); a mapping's own path points at its first key.
class SourceMap {
public:
    void record(std::string path, Location where) { locations_[std::move(path)] = where; }
    // The location of `path`, else of its nearest recorded parent, else {0, 0}.
    Location find(std::string_view path) const;

private:
    std::map<std::string, Location, std::less<>> locations_;
};

class Diagnostics {
public:
    explicit Diagnostics(std::string file) : file_(std::move(file)) {}

    void error(Location where, std::string path, std::string message);
    void warning(Location where, std::string path, std::string message);

    const std::string& file() const { return file_; }
    const std::vector<Diagnostic>& all() const { return items_; }
    bool hasErrors() const;
    std::size_t errorCount() const;

private:
    std::string file_;
    std::vector<Diagnostic> items_;
};

}  // namespace chainvisor::spec
