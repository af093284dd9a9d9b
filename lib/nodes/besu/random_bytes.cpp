#include "nodes/besu/random_bytes.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace chainvisor::nodes::besu {

std::string fillRandom(std::span<std::uint8_t> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return std::string("getrandom: ") + std::strerror(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

}  // namespace chainvisor::nodes::besu
