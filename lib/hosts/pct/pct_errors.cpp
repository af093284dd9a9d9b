#include "hosts/pct/pct_errors.h"

#include <algorithm>
#include <cctype>

namespace chainvisor::hosts::pct {
namespace {

constexpr std::string_view kParameterFailure = "400 Parameter verification failed.";

std::vector<std::string_view> linesOf(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        const auto b = line.find_first_not_of(" \t\r");
        if (b == std::string_view::npos) {
            out.emplace_back();
            continue;
        }
        out.push_back(line.substr(b, line.find_last_not_of(" \t\r") - b + 1));
    }
    return out;
}

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool usageLine(std::string_view line) {
    std::string head(line.substr(0, 6));
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return head == "usage:";
}

// "memory: value must have a minimum value of 16"
bool parameterLine(std::string_view line) {
    const auto colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0) {
        return false;
    }
    return std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' ||
               c == '.' || c == '[' || c == ']';
    });
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) {
            out += separator;
        }
        out += i;
    }
    return out;
}

}  // namespace

std::vector<std::string> meaningfulLines(std::string_view text) {
    std::vector<std::string> out;
    for (auto line : linesOf(text)) {
        if (usageLine(line)) {
            break;
        }
        if (startsWith(line, "TASK ERROR: ")) {
            line.remove_prefix(12);
        }
        if (line.empty() || std::find(out.begin(), out.end(), line) != out.end()) {
            continue;
        }
        out.emplace_back(line);
    }
    return out;
}

std::string lastLines(std::string_view text, std::size_t count) {
    auto lines = meaningfulLines(text);
    if (lines.size() > count) {
        lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(count));
    }
    return joined(lines, " | ");
}

bool configMissing(std::string_view err) {
    const auto at = err.find("Configuration file '");
    return at != std::string_view::npos &&
           err.find("' does not exist", at) != std::string_view::npos;
}

std::vector<std::string> parameterErrors(std::string_view err) {
    std::vector<std::string> out;
    bool inside = false;
    for (const auto line : linesOf(err)) {
        if (!inside) {
            inside = line == kParameterFailure;
            continue;
        }
        if (!parameterLine(line)) {
            break;
        }
        out.emplace_back(line);
    }
    return out;
}

bool mentions(const net::RemoteOutcome& outcome, std::string_view text) {
    return outcome.ok() && outcome.err.find(text) != std::string::npos;
}

Error pctError(const net::RemoteOutcome& outcome, std::string_view what) {
    const std::string w(what);
    if (!outcome.ok()) {
        std::string message = w + ": " + outcome.error;
        if (outcome.timedOut) {
            message += " (it may still be running on the node)";
        }
        return Error{outcome.permanent ? ErrorKind::Permanent : ErrorKind::Transient, message};
    }
    if (!outcome.exitSignal.empty()) {
        return Error::transient(w + " was killed by signal " + outcome.exitSignal);
    }
    if (outcome.err.find(kParameterFailure) != std::string::npos) {
        const auto params = parameterErrors(outcome.err);
        return Error::permanent(w + ": parameter verification failed" +
                                (params.empty() ? std::string() : ": " + joined(params, "; ")));
    }
    const std::string lines = lastLines(outcome.err);
    const std::string detail = lines.empty() ? std::string("no message on stderr") : lines;
    if (outcome.exitCode == 127) {
        return Error::permanent(w + ": command not found (exit 127): " + detail +
                                "; is this a Proxmox VE node with pct in PATH?");
    }
    // Lock contention ("CT is locked (backup)", "can't lock file … - got timeout") and everything
    // else: the engine's retries with backoff are the right answer.
    return Error::transient(w + " failed (exit " + std::to_string(outcome.exitCode) +
                            "): " + detail);
}

}  // namespace chainvisor::hosts::pct
