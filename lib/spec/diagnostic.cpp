#include "spec/diagnostic.h"

#include <algorithm>

namespace chainvisor::spec {

std::string Diagnostic::str() const {
    std::string s = file;
    if (location.line > 0) {
        s += ":" + std::to_string(location.line) + ":" + std::to_string(location.column);
    }
    s += ": ";
    if (severity == Severity::Warning) {
        s += "warning: ";
    }
    if (!path.empty()) {
        s += path + ": ";
    }
    s += message;
    return s;
}

Location SourceMap::find(std::string_view path) const {
    std::string key(path);
    while (true) {
        if (auto it = locations_.find(key); it != locations_.end()) {
            return it->second;
        }
        // Walk up one level: "a.b[2].c" → "a.b[2]" → "a.b" → "a" → "".
        const auto cut = key.find_last_of(".[");
        if (cut == std::string::npos) {
            return {};
        }
        key.resize(cut);
    }
}

void Diagnostics::error(Location where, std::string path, std::string message) {
    items_.push_back({Severity::Error, file_, where, std::move(path), std::move(message)});
}

void Diagnostics::warning(Location where, std::string path, std::string message) {
    items_.push_back({Severity::Warning, file_, where, std::move(path), std::move(message)});
}

bool Diagnostics::hasErrors() const {
    return errorCount() > 0;
}

std::size_t Diagnostics::errorCount() const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](const auto& d) { return d.severity == Severity::Error; }));
}

}  // namespace chainvisor::spec
