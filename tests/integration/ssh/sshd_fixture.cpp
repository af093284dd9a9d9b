#include "sshd_fixture.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;  // NOLINT: POSIX

namespace chainvisor::net::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void writeFile(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
}

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

// Whether something accepts TCP connections on 127.0.0.1:port, asking for at most `wait`.
bool accepts(int port, std::chrono::milliseconds wait) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    if (!ok && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int error = 0;
        socklen_t size = sizeof(error);
        ok = ::poll(&p, 1, static_cast<int>(wait.count())) == 1 &&
             ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0;
    }
    ::close(fd);
    return ok;
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

}  // namespace

std::optional<std::string> missingSshRequirement() {
    if (::geteuid() != 0) {
        return "needs root (sshd must run as root to log a user in)";
    }
    if (::access(kSshd, X_OK) != 0) {
        return std::string(kSshd) + " is missing (apt-get install openssh-server)";
    }
    if (::access("/usr/bin/ssh-keygen", X_OK) != 0) {
        return "ssh-keygen is missing (apt-get install openssh-client)";
    }
    return std::nullopt;
}

os::ProcessResult runLocal(const std::vector<std::string>& argv,
                           std::chrono::milliseconds deadline) {
    os::SystemProcessRunner runner;
    os::ProcessOptions options;
    options.deadline = deadline;
    return runner.run(argv, options);
}

SshdFixture::SshdFixture() {
    char pattern[] = "/tmp/chainvisor-sshd-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    }
    dir_ = pattern;
    marker_ = "CHAINVISOR_SSHD_FIXTURE=" + dir_.string();
    try {
        const passwd* pw = ::getpwuid(::geteuid());
        if (pw == nullptr) {
            throw std::runtime_error("the current user has no passwd entry");
        }
        user_ = pw->pw_name;
        // Orphans of the server (a command whose session ended) are re-parented to this
        // process, so stop() can reap what it kills.
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        ::mkdir("/run/sshd", 0755);  // sshd's privilege separation directory
        for (const char* name : {"host_ed25519", "id_ed25519"}) {
            const auto made =
                runLocal({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                          std::string("chainvisor-test-") + name, "-f", (dir_ / name).string()});
            if (made.exitCode != 0) {
                throw std::runtime_error("ssh-keygen failed: " + made.err);
            }
        }
        writeFile(dir_ / "authorized_keys", readFile(dir_ / "id_ed25519.pub"));
        // Another process may take the free port before sshd binds it: try a few.
        for (int attempt = 0;; ++attempt) {
            port_ = freePort();
            try {
                start();
                break;
            } catch (const std::exception&) {
                stop();
                if (attempt == 2) {
                    throw;
                }
            }
        }
    } catch (...) {
        stop();
        std::error_code ec;
        fs::remove_all(dir_, ec);
        throw;
    }
}

SshdFixture::~SshdFixture() {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void SshdFixture::writeConfig() const {
    const std::string d = dir_.string();
    writeFile(dir_ / "sshd_config", "Port " + std::to_string(port_) +
                                        "\n"
                                        "ListenAddress 127.0.0.1\n"
                                        "HostKey " +
                                        d + "/host_ed25519\n" + "PidFile " + d +
                                        "/sshd.pid\n"
                                        "AuthorizedKeysFile " +
                                        d +
                                        "/authorized_keys\n"
                                        "StrictModes no\n"
                                        "UsePAM no\n"
                                        "PermitRootLogin prohibit-password\n"
                                        "PasswordAuthentication no\n"
                                        "KbdInteractiveAuthentication no\n"
                                        "PubkeyAuthentication yes\n"
                                        "PrintMotd no\n"
                                        "LogLevel DEBUG1\n"  // shows the client's keep-alives

                                        "MaxStartups 100\n"
                                        "MaxSessions 20\n"
                                        // Marks the users' commands too: sshd gives them a
                                        // fresh environment.
                                        "SetEnv " +
                                        marker_ + "\n");
}

void SshdFixture::start() {
    writeConfig();
    const std::string config = (dir_ / "sshd_config").string();
    // -E, not -e: logging to stderr would also reach the sessions' stderr at DEBUG1.
    std::vector<std::string> args{kSshd, "-D", "-E", (dir_ / "sshd.log").string(), "-f", config};
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        env.emplace_back(*e);
    }
    env.push_back(marker_);
    // Everything the child needs is made before fork: after it, only async-signal-safe calls.
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    const int logFd =
        ::open((dir_ / "sshd.stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (logFd < 0 || null < 0) {
        throw std::runtime_error(std::string("cannot open the sshd log: ") + std::strerror(errno));
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        // The listener dies with this test process even if it crashes.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(null, 0);
        ::dup2(logFd, 1);
        ::dup2(logFd, 2);
        ::execve(kSshd, argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(logFd);
    ::close(null);
    if (pid < 0) {
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    pid_ = pid;
    const auto until = Clock::now() + 10s;
    while (!accepts(port_, 200ms)) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("sshd exited at start: " + log());
        }
        if (Clock::now() >= until) {
            throw std::runtime_error("sshd does not accept connections after 10 s: " + log());
        }
        std::this_thread::sleep_for(20ms);  // between polls of the port, not a wait for it
    }
}

std::set<pid_t> SshdFixture::serverProcesses(bool freeze) const {
    struct Process {
        pid_t pid;
        pid_t parent;
        bool marked;
    };
    const std::string needle = marker_ + '\0';
    auto scan = [&] {
        std::vector<Process> out;
        DIR* proc = ::opendir("/proc");
        if (proc == nullptr) {
            return out;
        }
        while (const dirent* entry = ::readdir(proc)) {
            char* end = nullptr;
            const long pid = std::strtol(entry->d_name, &end, 10);
            if (*end != '\0' || pid <= 0 || pid == ::getpid()) {
                continue;
            }
            const fs::path dir = fs::path("/proc") / entry->d_name;
            // "pid (comm) state ppid …": the command name may hold spaces and parentheses.
            const std::string stat = readFile(dir / "stat");
            const auto close = stat.rfind(')');
            if (close == std::string::npos) {
                continue;
            }
            std::istringstream rest(stat.substr(close + 1));
            std::string state;
            long parent = 0;
            rest >> state >> parent;
            // Orphaned sshd processes come to this process (PR_SET_CHILD_SUBREAPER): they
            // are this server's, as tests run one server at a time.
            const bool orphan = parent == ::getpid() && firstLine(readFile(dir / "comm")) == "sshd";
            out.push_back({static_cast<pid_t>(pid), static_cast<pid_t>(parent),
                           orphan || readFile(dir / "environ").find(needle) != std::string::npos});
        }
        ::closedir(proc);
        return out;
    };
    std::set<pid_t> found;
    auto add = [&](pid_t pid) {
        if (found.insert(pid).second && freeze) {
            ::kill(pid, SIGSTOP);  // forks no more while the rest is found
        }
    };
    if (pid_ > 0) {
        add(pid_);
    }
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& p : scan()) {
            if (found.count(p.pid) == 0 && (p.marked || found.count(p.parent) != 0)) {
                add(p.pid);
                grew = true;
            }
        }
    }
    return found;
}

std::vector<pid_t> SshdFixture::processesNamed(const std::string& comm) const {
    std::vector<pid_t> out;
    for (const pid_t pid : serverProcesses(false)) {
        if (firstLine(readFile("/proc/" + std::to_string(pid) + "/comm")) == comm) {
            out.push_back(pid);
        }
    }
    return out;
}

void SshdFixture::stop() {
    // The listener's descendants (sshd rewrites its own environment for its process titles)
    // and whatever carries the marker (commands whose session already ended), all stopped
    // first so that none forks meanwhile, then killed.
    const auto doomed = serverProcesses(true);
    for (const pid_t pid : doomed) {
        ::kill(pid, SIGKILL);
    }
    pid_ = -1;
    // Reap them: the listener is this process's child, and the others become its children as
    // their parents die (PR_SET_CHILD_SUBREAPER). One not yet handed over is waited for.
    const auto until = Clock::now() + 10s;
    for (const pid_t pid : doomed) {
        for (;;) {
            int status = 0;
            const pid_t r = ::waitpid(pid, &status, WNOHANG);
            const bool gone = r == pid || (r < 0 && errno == ECHILD &&
                                           !fs::exists("/proc/" + std::to_string(pid)));
            if (gone || Clock::now() >= until) {
                break;
            }
            std::this_thread::sleep_for(5ms);  // between checks for the handover
        }
    }
}

void SshdFixture::replaceHostKey() {
    fs::remove(dir_ / "host_ed25519");
    fs::remove(dir_ / "host_ed25519.pub");
    const auto made = runLocal({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                                "chainvisor-test-host-2", "-f", (dir_ / "host_ed25519").string()});
    if (made.exitCode != 0) {
        throw std::runtime_error("ssh-keygen failed: " + made.err);
    }
}

void SshdFixture::trustHostKey() const {
    std::istringstream pub(readFile(hostKeyPub()));
    std::string type, key;
    pub >> type >> key;
    writeFile(knownHosts(), "[127.0.0.1]:" + std::to_string(port_) + " " + type + " " + key + "\n");
}

std::string SshdFixture::hostKeyFingerprint() const {
    const auto listed = runLocal({"ssh-keygen", "-l", "-E", "sha256", "-f", hostKeyPub().string()});
    std::istringstream fields(listed.out);
    std::string bits, fingerprint;
    fields >> bits >> fingerprint;
    return fingerprint;
}

SshOptions SshdFixture::clientOptions() const {
    SshOptions o;
    o.host = "127.0.0.1";
    o.port = port_;
    o.user = user_;
    o.keyFile = userKey().string();
    o.knownHostsFile = knownHosts().string();
    o.connectTimeout = 10s;
    return o;
}

int SshdFixture::acceptedLogins() const {
    const std::string text = log();
    int count = 0;
    for (auto at = text.find("Accepted publickey"); at != std::string::npos;
         at = text.find("Accepted publickey", at + 1)) {
        ++count;
    }
    return count;
}

std::string SshdFixture::log() const {
    return readFile(dir_ / "sshd.stderr") + readFile(dir_ / "sshd.log");
}

}  // namespace chainvisor::net::test
