// Loading a cluster file: the I/O edge (loadClusterFile) and the pure pipeline (loadClusterText):
// text check → YAML document → schema and defaults → checks across entries.
#include "spec/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <tuple>

#include "spec/cluster_reader.h"
#include "spec/field_reader.h"
#include "spec/text_check.h"
#include "spec/validate.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec {
namespace {

std::string tooLarge(std::size_t size) {
    return "the file is " + std::to_string(size) + " bytes; the largest accepted cluster file is " +
           std::to_string(kMaxClusterFileBytes) + " bytes (" +
           std::to_string(kMaxClusterFileBytes / (1024 * 1024)) + " MiB)";
}

// Most diagnostics returned: past that, the file is not a cluster file gone slightly wrong.
constexpr std::size_t kMaxDiagnostics = detail::Reader::kMaxDiagnostics;

LoadResult finish(Diagnostics& diags, std::optional<Cluster> cluster, std::size_t suppressed = 0) {
    LoadResult result;
    result.diagnostics = diags.all();
    // File order, whole-file problems (no line) first.
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.location.line, a.location.column) <
                                std::tie(b.location.line, b.location.column);
                     });
    if (result.diagnostics.size() > kMaxDiagnostics) {
        suppressed += result.diagnostics.size() - kMaxDiagnostics;
        result.diagnostics.resize(kMaxDiagnostics);
    }
    if (suppressed > 0) {
        result.diagnostics.push_back(
            {Severity::Error,
             diags.file(),
             {},
             "",
             std::to_string(suppressed) +
                 " more problems are not shown; fix the ones above and load again"});
    }
    if (!diags.hasErrors()) {
        result.cluster = std::move(cluster);
    }
    return result;
}

LoadResult failure(const std::string& file, std::string message) {
    Diagnostics diags(file);
    diags.error({}, "", std::move(message));
    return finish(diags, std::nullopt);
}

// Closes a file descriptor on every path out.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

}  // namespace

LoadResult loadClusterText(std::string_view text, const std::string& fileName,
                           const FileProbe& files) {
    Diagnostics diags(fileName);
    if (text.size() > kMaxClusterFileBytes) {
        diags.error({}, "", tooLarge(text.size()));
        return finish(diags, std::nullopt);
    }
    if (auto bad = detail::findNonText(text)) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(bad->byte));
        diags.error({}, "",
                    std::string("not a text file (byte ") + hex + " at line " +
                        std::to_string(bad->where.line) + ", column " +
                        std::to_string(bad->where.column) + "); a cluster file is UTF-8 YAML text");
        return finish(diags, std::nullopt);
    }
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (text.substr(0, kBom.size()) == kBom) {
        text.remove_prefix(kBom.size());
    }
    auto document = yaml::parseDocument(text, diags);
    if (!document) {
        return finish(diags, std::nullopt);
    }
    SourceMap source;
    detail::Reader reader(*document, diags, source);
    detail::ClusterReader clusterReader(reader, files);
    clusterReader.read();
    detail::validateCluster(reader, clusterReader.cluster(), clusterReader.facts());
    Cluster cluster = std::move(clusterReader.cluster());
    cluster.source = std::move(source);
    return finish(diags, std::move(cluster), reader.suppressed());
}

LoadResult loadClusterFile(const std::filesystem::path& path, const FileProbe& files) {
    const std::string name = path.string();
    Fd file;
    // O_NONBLOCK: a FIFO must not hang the daemon; it is refused below as not a regular file.
    file.fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (file.fd < 0) {
        const int err = errno;
        return failure(name, std::string("cannot open the file: ") + std::strerror(err));
    }
    struct ::stat st {};
    if (::fstat(file.fd, &st) != 0) {
        const int err = errno;
        return failure(name, std::string("cannot stat the file: ") + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        return failure(name,
                       "is a directory; expected a cluster file such as "
                       "/etc/chainvisor/cluster.yaml");
    }
    if (!S_ISREG(st.st_mode)) {
        return failure(name, "is not a regular file; expected a cluster file");
    }
    if (static_cast<std::uintmax_t>(st.st_size) > kMaxClusterFileBytes) {
        return failure(name, tooLarge(static_cast<std::size_t>(st.st_size)));
    }
    // Read at most one byte more than accepted, in case the file grew after fstat.
    std::string text(kMaxClusterFileBytes + 1, '\0');
    std::size_t used = 0;
    while (used < text.size()) {
        const ssize_t n = ::read(file.fd, text.data() + used, text.size() - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int err = errno;
            return failure(name, std::string("cannot read the file: ") + std::strerror(err));
        }
        if (n == 0) {
            break;
        }
        used += static_cast<std::size_t>(n);
    }
    if (used > kMaxClusterFileBytes) {
        return failure(name, "the file grew beyond " + std::to_string(kMaxClusterFileBytes) +
                                 " bytes while being read; the largest accepted cluster file is " +
                                 std::to_string(kMaxClusterFileBytes / (1024 * 1024)) + " MiB");
    }
    text.resize(used);
    return loadClusterText(text, name, files);
}

}  // namespace chainvisor::spec
