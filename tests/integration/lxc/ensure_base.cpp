// chainvisor_ensure_base [CACHE_DIR [MIRROR]]: makes sure the shared base root filesystem exists,
// building it with debootstrap exactly as the LXC host provider does (hosts::lxc::BaseRootfs), and
// prints its path. For test fixtures that need the base without going through LxcHost (the `pct`
// stand-in overlays it). Exit 0 when the base is ready, 1 with the reason on stderr otherwise.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

#include "hosts/lxc/base_rootfs.h"
#include "hosts/lxc/lxc_host.h"
#include "os/process.h"

int main(int argc, char** argv) {
    const chainvisor::hosts::lxc::LxcHostOptions defaults;
    if (argc > 3 || (argc > 1 && std::string(argv[1]).rfind('-', 0) == 0)) {
        std::cerr << "usage: chainvisor_ensure_base [CACHE_DIR [MIRROR]]\n"
                  << "  CACHE_DIR defaults to " << defaults.cacheDir.string() << ", MIRROR to "
                  << defaults.mirror << "\n";
        return 2;
    }
    const std::filesystem::path cacheDir = argc > 1 ? argv[1] : defaults.cacheDir;
    const std::string mirror = argc > 2 ? argv[2] : defaults.mirror;
    chainvisor::os::SystemProcessRunner runner;
    chainvisor::hosts::lxc::BaseRootfs base(cacheDir.lexically_normal(), mirror, runner,
                                            defaults.baseBuildDeadline);
    if (auto ready = base.ensure(); !ready) {
        std::cerr << "chainvisor_ensure_base: " << ready.error().message << "\n";
        return 1;
    }
    std::cout << base.path().string() << "\n";
    return 0;
}
