#include "nodes/software_archive.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace chainvisor::nodes {

std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xF];
    }
    return out;
}

hosts::Result<std::string> readSoftwareArchive(const std::filesystem::path& path,
                                               std::string_view sha256) {
    const std::string where = "software archive " + path.string();
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return hosts::Error::permanent(where + ": " + ec.message() +
                                       "; put the release archive there or set source.url");
    }
    if (size > kMaxArchiveBytes) {
        return hosts::Error::permanent(where + ": " + std::to_string(size) +
                                       " bytes, more than the 1 GiB a release archive may have");
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes;
    bytes.reserve(static_cast<std::size_t>(size));
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return hosts::Error::permanent(where + ": read failed: " + std::strerror(errno));
    }
    if (!sha256.empty()) {
        if (const auto actual = sha256Hex(bytes); actual != sha256) {
            return hosts::Error::permanent(where + ": SHA-256 is " + actual +
                                           ", source.sha256 says " + std::string(sha256));
        }
    }
    return bytes;
}

}  // namespace chainvisor::nodes
