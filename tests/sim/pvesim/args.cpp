#include "args.h"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstdlib>
#include <set>

#include "params.h"

namespace pvesim {

std::string usage() {
    return std::string(
               "usage: pvesim --listen 127.0.0.1:PORT --cert FILE --key FILE --nodes pve1,pve2\n"
               "              --token 'root@pam!NAME=SECRET[:admin|:audit|:noaudit]' [--token …]\n"
               "              [--task-seconds S] [--faults SPEC] [--ready-file PATH]\n"
               "              [--auth-fail-delay-ms MS] [--lock-wait S] [--idle-timeout-ms MS]\n"
               "              [--no-gzip] [--seed N] [--quiet]\n"
               "\n"
               "A Proxmox VE API simulator (HTTPS, /api2/json) for tests. State is in memory.\n"
               "PORT 0 picks a free port; when ready it prints 'listening on HOST:PORT' and\n"
               "writes the port to --ready-file. Only loopback addresses may be used.\n"
               "\n"
               "  --task-seconds S       how long each task runs (fractions allowed; default 1)\n"
               "  --auth-fail-delay-ms   delay of a 401 answer (default 3000, like pveproxy)\n"
               "  --lock-wait S          how long a call waits for a CT's config lock before\n"
               "                         'got timeout' (default 10; create waits half)\n"
               "  --idle-timeout-ms MS   keep-alive idle timeout (default 5000)\n"
               "  --no-gzip              never gzip responses (pveproxy gzips bodies > 1 KiB\n"
               "                         when the client accepts gzip)\n"
               "  --seed N               seed for the model's randomness (MAC addresses)\n"
               "  --quiet                no access log (one line per request on stderr)\n"
               "  Token suffix :audit gives only VM.Audit/Sys.Audit, :noaudit no privileges.\n"
               "\n"
               "Fault SPEC (--faults, or POST /_sim/faults spec=SPEC at run time):\n") +
           kFaultGrammar +
           "\n"
           "Control endpoints (same token auth): GET|POST /_sim/faults, POST\n"
           "/_sim/node/NODE/offline|online, GET /_sim/stats (request counts), DELETE "
           "/_sim/stats.\n";
}

namespace {

bool parse_double(const std::string& v, double& out) {
    char* end = nullptr;
    out = std::strtod(v.c_str(), &end);
    return !v.empty() && end == v.c_str() + v.size();
}

bool parse_int(const std::string& v, long long& out) {
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    return !v.empty() && r.ec == std::errc() && r.ptr == v.data() + v.size();
}

}  // namespace

ParsedArgs parse_args(const std::vector<std::string>& args) {
    ParsedArgs result;
    Options o;
    bool have_listen = false;
    std::string faults_text;
    bool have_faults = false;
    auto fail = [&](const std::string& msg) {
        result.error = msg;
        return result;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        std::string value;
        bool has_inline = false;
        if (arg.rfind("--", 0) == 0) {
            auto eq = arg.find('=');
            if (eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                has_inline = true;
            }
        }
        auto need = [&]() -> bool {
            if (has_inline) {
                return true;
            }
            if (i + 1 >= args.size()) {
                return false;
            }
            value = args[++i];
            return true;
        };
        if (arg == "--help" || arg == "-h") {
            result.help = true;
            return result;
        }
        if (arg == "--no-gzip") {
            o.gzip = false;
            continue;
        }
        if (arg == "--quiet") {
            o.quiet = true;
            continue;
        }
        static const std::set<std::string> with_value = {"--listen",
                                                         "--cert",
                                                         "--key",
                                                         "--nodes",
                                                         "--token",
                                                         "--task-seconds",
                                                         "--faults",
                                                         "--ready-file",
                                                         "--auth-fail-delay-ms",
                                                         "--lock-wait",
                                                         "--idle-timeout-ms",
                                                         "--seed"};
        if (with_value.count(arg) == 0) {
            return fail("unknown argument '" + arg + "' (see --help)");
        }
        if (!need()) {
            return fail(arg + " needs a value");
        }
        if (arg == "--listen") {
            auto colon = value.rfind(':');
            if (colon == std::string::npos) {
                return fail("--listen " + value + ": expected HOST:PORT, e.g. 127.0.0.1:0");
            }
            std::string host = value.substr(0, colon);
            if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
                host = host.substr(1, host.size() - 2);
            }
            long long port = -1;
            if (!parse_int(value.substr(colon + 1), port) || port < 0 || port > 65535) {
                return fail("--listen " + value + ": port must be 0..65535");
            }
            boost::system::error_code ec;
            auto addr = boost::asio::ip::make_address(host, ec);
            if (ec) {
                return fail("--listen " + value + ": '" + host +
                            "' is not an IP address (use 127.0.0.1 or ::1)");
            }
            if (!addr.is_loopback()) {
                return fail("--listen " + value +
                            ": only loopback addresses are allowed (the simulator must never "
                            "listen beyond loopback)");
            }
            o.listen_host = host;
            o.listen_port = static_cast<std::uint16_t>(port);
            have_listen = true;
        } else if (arg == "--cert" || arg == "--key") {
            if (access(value.c_str(), R_OK) != 0) {
                return fail(arg + " " + value + ": cannot read the file");
            }
            (arg == "--cert" ? o.cert_file : o.key_file) = value;
        } else if (arg == "--nodes") {
            o.nodes.clear();
            std::set<std::string> seen;
            std::size_t s = 0;
            while (s <= value.size()) {
                std::size_t comma = value.find(',', s);
                std::string n = value.substr(s, comma == std::string::npos ? comma : comma - s);
                s = comma == std::string::npos ? value.size() + 1 : comma + 1;
                if (format_pve_node(n)) {
                    return fail("--nodes " + value + ": '" + n + "' is not a valid node name");
                }
                if (!seen.insert(n).second) {
                    return fail("--nodes " + value + ": '" + n + "' is listed twice");
                }
                o.nodes.push_back(n);
            }
        } else if (arg == "--token") {
            std::string err;
            auto t = parse_token_spec(value, err);
            if (!t) {
                return fail("--token: " + err);
            }
            for (const auto& other : o.tokens) {
                if (other.id() == t->id()) {
                    return fail("--token: '" + t->id() + "' is given twice");
                }
            }
            o.tokens.push_back(*t);
        } else if (arg == "--task-seconds" || arg == "--lock-wait") {
            double d = 0;
            if (!parse_double(value, d) || d < 0 || d > 86400) {
                return fail(arg + " " + value + ": expected seconds >= 0 (fractions allowed)");
            }
            (arg == "--task-seconds" ? o.task_seconds : o.lock_wait_seconds) = d;
        } else if (arg == "--auth-fail-delay-ms" || arg == "--idle-timeout-ms") {
            long long ms = 0;
            if (!parse_int(value, ms) || ms < 0 || ms > 3600000) {
                return fail(arg + " " + value + ": expected milliseconds >= 0");
            }
            (arg == "--auth-fail-delay-ms" ? o.auth_fail_delay_ms : o.idle_timeout_ms) =
                static_cast<int>(ms);
        } else if (arg == "--faults") {
            faults_text = value;
            have_faults = true;
        } else if (arg == "--ready-file") {
            o.ready_file = value;
        } else if (arg == "--seed") {
            long long s = 0;
            if (!parse_int(value, s) || s < 0) {
                return fail("--seed " + value + ": expected a non-negative integer");
            }
            o.seed = static_cast<std::uint64_t>(s);
        }
    }
    if (!have_listen) {
        return fail("--listen HOST:PORT is required (e.g. --listen 127.0.0.1:0)");
    }
    if (o.cert_file.empty() || o.key_file.empty()) {
        return fail("--cert FILE and --key FILE are required (a PEM certificate and its key)");
    }
    if (o.nodes.empty()) {
        return fail("--nodes is required (e.g. --nodes pve1,pve2)");
    }
    if (o.tokens.empty()) {
        return fail("at least one --token 'USER@REALM!NAME=SECRET' is required");
    }
    if (have_faults) {
        std::string err;
        auto spec = parse_fault_spec(faults_text, err);
        if (!spec) {
            return fail("--faults: " + err);
        }
        for (const auto& n : spec->offline) {
            if (std::find(o.nodes.begin(), o.nodes.end(), n) == o.nodes.end()) {
                return fail("--faults: offline=" + n + ": no such node in --nodes");
            }
        }
        o.faults = *spec;
    }
    result.options = o;
    return result;
}

}  // namespace pvesim
