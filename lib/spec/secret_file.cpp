#include "spec/secret_file.h"

#include <cstdio>

#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {
namespace {

std::string octalMode(unsigned mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
    return buf;
}

// The path as a shell word, quoted when it needs to be, for a command to copy.
std::string shellWord(const std::string& path) {
    const bool plain = path.find_first_not_of(
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+") ==
                       std::string::npos;
    if (plain) {
        return path;
    }
    std::string out = "'";
    for (char c : path) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

}  // namespace

void checkSecretFile(Reader& reader, const Field& field, const std::string& path,
                     const FileProbe& files) {
    const auto info = files.stat(path);
    if (!info) {
        reader.error(field, yaml::quote(path) +
                                " does not exist or cannot be read; create it with mode 0600");
        return;
    }
    if (!info->isRegular) {
        reader.error(field, yaml::quote(path) +
                                " is not a regular file; accepted: a regular file with mode "
                                "0600 or 0400");
        return;
    }
    if ((info->mode & 077u) != 0) {
        reader.error(field, yaml::quote(path) + " has mode " + octalMode(info->mode) +
                                ", so group or others can read it; run chmod 600 " +
                                shellWord(path));
    }
}

}  // namespace chainvisor::spec::detail
