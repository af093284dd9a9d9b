#include "nodes/archive_install.h"

namespace chainvisor::nodes {
namespace {

// Arguments arrive as $1…$7, never inside the script text. Exit 3: checksum mismatch; 4: the
// archive does not unpack.
constexpr const char* kInstallScript = R"(set -eu
product=$1 version=$2 archive=$3 url=$4 sha=$5 user=$6 data=$7
root=/opt/$product
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir "$data" --shell /usr/sbin/nologin "$user"
fi
install -d -o "$user" -g "$user" -m 0750 "$data"
install -d -m 0755 "$root"
if [ ! -d "$root/$version" ]; then
  if [ -n "$url" ]; then
    install -d -m 0755 "${archive%/*}"
    if command -v curl >/dev/null 2>&1; then
      curl -fsSL --retry 3 -o "$archive.part" "$url"
    elif command -v wget >/dev/null 2>&1; then
      wget -q -O "$archive.part" "$url"
    else
      python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$url" "$archive.part"
    fi
    mv -f "$archive.part" "$archive"
  fi
  if [ -n "$sha" ] && ! echo "$sha  $archive" | sha256sum -c --status -; then
    echo "$archive: SHA-256 differs from source.sha256" >&2
    rm -f "$archive"
    exit 3
  fi
  tmp=$(mktemp -d "$root/.unpack.XXXXXX")
  if ! tar -xzf "$archive" -C "$tmp" --strip-components=1 --no-same-owner; then
    rm -rf "$tmp"
    echo "$archive does not unpack as a gzip'd tar archive" >&2
    exit 4
  fi
  chmod 0755 "$tmp"
  mv -T "$tmp" "$root/$version"
fi
ln -sfn "$version" "$root/.current.new"
mv -T "$root/.current.new" "$root/current"
rm -f "$archive"
)";

}  // namespace

std::string currentDir(const ArchiveRelease& release) {
    return "/opt/" + release.product + "/current";
}

InstallPlan archiveInstallPlan(const ArchiveRelease& release, const spec::Network& network) {
    const std::string version = network.version.str();
    const std::string archive =
        "/var/cache/chainvisor-node/" + release.product + "-" + version + ".tar.gz";
    InstallPlan plan;
    if (!network.source.path.empty()) {
        plan.uploads.push_back({network.source.path, archive, network.source.sha256});
    }
    plan.commands.push_back({"sh", "-c", kInstallScript, "install", release.product, version,
                             archive, network.source.url, network.source.sha256, release.user,
                             release.dataDir});
    return plan;
}

}  // namespace chainvisor::nodes
