// SystemProcessRunner: posix_spawnp (glibc's clone(CLONE_VFORK) implementation, safe in a
// multi-threaded daemon and reporting exec failures as an errno), a new process group, three
// pipes multiplexed with poll(), and a pidfd to learn of the child's exit without reaping it
// early (the group id stays reserved until we reap, so a late SIGKILL to the group can never hit
// an unrelated process).
#include "os/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;  // NOLINT: POSIX

namespace chainvisor::os {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// After the direct child exits, how long to keep reading output that a grandchild may still hold
// open (a daemonising tool's stragglers); then we stop listening.
constexpr auto kDrainAfterExit = 200ms;
// After SIGKILL, how long to wait for the exit before handing the reaping to a detached thread
// (a process stuck in uninterruptible sleep must not block the caller forever).
constexpr auto kReapAfterKill = 5s;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_ = -1;
};

struct Pipe {
    Fd read;
    Fd write;
};

bool makePipe(Pipe& p) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return false;
    }
    p.read = Fd(fds[0]);
    p.write = Fd(fds[1]);
    return true;
}

void setNonBlocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) {
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
}

ProcessResult startFailure(const std::string& program, const std::string& what, int err) {
    ProcessResult r;
    r.startFailed = true;
    r.err = "cannot run " + program + ": " + what + ": " + std::strerror(err);
    return r;
}

// Blocks SIGPIPE on this thread while we write to the child's stdin, so a child that exits
// without reading does not kill the daemon; a SIGPIPE our writes raised is consumed on exit.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigemptyset(&pipeSet_);
        sigaddset(&pipeSet_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipeSet_, &old_);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        wasPending_ = sigismember(&pending, SIGPIPE) == 1;
    }
    ~SigpipeGuard() {
        if (!wasPending_) {
            sigset_t pending;
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{};
                sigtimedwait(&pipeSet_, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t pipeSet_{};
    sigset_t old_{};
    bool wasPending_ = false;
};

class SpawnAttributes {
public:
    SpawnAttributes() {
        posix_spawnattr_init(&attr_);
        posix_spawn_file_actions_init(&actions_);
    }
    ~SpawnAttributes() {
        posix_spawn_file_actions_destroy(&actions_);
        posix_spawnattr_destroy(&attr_);
    }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;

    posix_spawnattr_t* attr() { return &attr_; }
    posix_spawn_file_actions_t* actions() { return &actions_; }

private:
    posix_spawnattr_t attr_{};
    posix_spawn_file_actions_t actions_{};
};

// Every signal but SIGKILL and SIGSTOP, for "reset to SIG_DFL in the child". glibc's sigfillset
// leaves out its two internal signals (32 and 33), and posix_spawn then sets those to SIG_IGN in
// the child, a disposition exec keeps: every program we start (and everything lxc-attach runs in
// a container) would inherit them ignored. Setting the bits directly asks for SIG_DFL instead;
// the kernel's layout (bit n-1 for signal n) is the one sigset_t holds.
sigset_t everySignal() {
    sigset_t set;
    sigfillset(&set);
    constexpr std::size_t kBits = 8 * sizeof(unsigned long);
    unsigned long words[sizeof(sigset_t) / sizeof(unsigned long)];
    std::memcpy(words, &set, sizeof words);
    for (int sig = 1; sig < NSIG; ++sig) {
        const auto bit = static_cast<std::size_t>(sig - 1);
        words[bit / kBits] |= 1UL << (bit % kBits);
    }
    std::memcpy(&set, words, sizeof words);
    sigdelset(&set, SIGKILL);
    sigdelset(&set, SIGSTOP);
    return set;
}

// Appends up to `cap` bytes of `data` to `out`; the rest is dropped.
void appendCapped(std::string& out, const char* data, std::size_t n, std::size_t cap) {
    if (out.size() < cap) {
        out.append(data, std::min(n, cap - out.size()));
    }
}

// Reads everything available from `fd`; closes it on EOF or error.
void drain(Fd& fd, std::string& out, std::size_t cap) {
    char buf[65536];
    while (fd.valid()) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n > 0) {
            appendCapped(out, buf, static_cast<std::size_t>(n), cap);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        fd.reset();  // EOF or a read error: nothing more to come
    }
}

bool hasExited(pid_t pid) {
    siginfo_t info{};
    // WNOWAIT: look, do not reap, so the process group id stays reserved until we are done.
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return errno == ECHILD;  // someone else reaped it: treat as gone
    }
    return info.si_pid == pid;
}

int pollTimeoutMs(SteadyClock::time_point now, SteadyClock::time_point until) {
    if (until <= now) {
        return 0;
    }
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
    return static_cast<int>(std::min<long long>(ms, 1000));
}

}  // namespace

ProcessResult SystemProcessRunner::run(const std::vector<std::string>& argv,
                                       const ProcessOptions& options) {
    if (argv.empty() || argv.front().empty()) {
        return startFailure("(nothing)", "empty command line", EINVAL);
    }
    const std::string& program = argv.front();

    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));  // posix_spawn does not modify them
    }
    args.push_back(nullptr);

    Pipe in;
    Pipe out;
    Pipe err;
    if (!makePipe(in) || !makePipe(out) || !makePipe(err)) {
        return startFailure(program, "pipe", errno);
    }

    SpawnAttributes spawn;
    posix_spawn_file_actions_adddup2(spawn.actions(), in.read.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(spawn.actions(), out.write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(spawn.actions(), err.write.get(), STDERR_FILENO);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
    // Descriptors someone opened without O_CLOEXEC must not leak into the child.
    posix_spawn_file_actions_addclosefrom_np(spawn.actions(), STDERR_FILENO + 1);
#endif
    sigset_t noSignals;
    sigemptyset(&noSignals);
    const sigset_t allSignals = everySignal();
    posix_spawnattr_setflags(
        spawn.attr(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(spawn.attr(), 0);  // its own group: the deadline kills all of it
    posix_spawnattr_setsigmask(spawn.attr(), &noSignals);
    posix_spawnattr_setsigdefault(spawn.attr(), &allSignals);

    pid_t pid = -1;
    const int spawnError =
        ::posix_spawnp(&pid, program.c_str(), spawn.actions(), spawn.attr(), args.data(), environ);
    if (spawnError != 0) {
        return startFailure(program, "exec", spawnError);
    }
    in.read.reset();
    out.write.reset();
    err.write.reset();

    SigpipeGuard sigpipe;
    ProcessResult result;
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    std::size_t inputOffset = 0;
    if (options.input.empty()) {
        in.write.reset();
    } else {
        setNonBlocking(in.write.get());
    }
    setNonBlocking(out.read.get());
    setNonBlocking(err.read.get());

    const auto started = SteadyClock::now();
    const auto deadline = started + options.deadline;
    bool exited = false;
    bool killed = false;
    SteadyClock::time_point killAt{};
    SteadyClock::time_point drainUntil{};
    SteadyClock::time_point giveUpAt{};

    for (;;) {
        if (!exited && hasExited(pid)) {
            exited = true;
            drainUntil = SteadyClock::now() + kDrainAfterExit;
        }
        const auto now = SteadyClock::now();
        if (exited && ((!out.read.valid() && !err.read.valid()) || now >= drainUntil)) {
            break;
        }
        if (!exited && !result.timedOut && now >= deadline) {
            result.timedOut = true;
            ::kill(-pid, SIGTERM);
            killAt = now + options.killGrace;
        }
        if (!exited && result.timedOut && !killed && now >= killAt) {
            ::kill(-pid, SIGKILL);
            killed = true;
            giveUpAt = now + kReapAfterKill;
        }
        if (!exited && killed && now >= giveUpAt) {
            // Unkillable for now (uninterruptible sleep): reap it in the background.
            std::thread([pid] {
                int ignored = 0;
                ::waitpid(pid, &ignored, 0);
            }).detach();
            result.exitCode = -1;
            result.signal = SIGKILL;
            return result;
        }

        SteadyClock::time_point wakeAt = exited            ? drainUntil
                                         : killed          ? giveUpAt
                                         : result.timedOut ? killAt
                                                           : deadline;
        int timeout = pollTimeoutMs(now, wakeAt);
        if (!pidfd.valid() && !exited) {
            timeout = std::min(timeout, 20);  // no pidfd (old kernel): look for the exit often
        }

        pollfd fds[4];
        nfds_t count = 0;
        auto add = [&](const Fd& fd, short events) {
            if (fd.valid()) {
                fds[count++] = pollfd{fd.get(), events, 0};
            }
        };
        add(in.write, POLLOUT);
        add(out.read, POLLIN);
        add(err.read, POLLIN);
        if (!exited) {
            add(pidfd, POLLIN);
        }
        const int ready = ::poll(fds, count, timeout);
        if (ready <= 0) {  // timeout, EINTR, or (ENOMEM) a retry: the deadline still holds
            continue;
        }
        for (nfds_t i = 0; i < count; ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            if (fds[i].fd == in.write.get()) {
                const ssize_t n = ::write(in.write.get(), options.input.data() + inputOffset,
                                          options.input.size() - inputOffset);
                if (n > 0) {
                    inputOffset += static_cast<std::size_t>(n);
                    if (inputOffset == options.input.size()) {
                        in.write.reset();  // EOF for the child
                    }
                } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                    in.write.reset();  // EPIPE: the child does not want the rest
                }
            } else if (fds[i].fd == out.read.get()) {
                drain(out.read, result.out, options.maxOutput);
            } else if (fds[i].fd == err.read.get()) {
                drain(err.read, result.err, options.maxOutput);
            }
        }
    }

    // Whatever is left in the pipes after the drain window.
    drain(out.read, result.out, options.maxOutput);
    drain(err.read, result.err, options.maxOutput);
    in.write.reset();
    if (result.timedOut) {
        // Stragglers of a killed command (a shell's children) go with it; the child is not
        // reaped yet, so its group id cannot have been reused.
        ::kill(-pid, SIGKILL);
    }

    int status = 0;
    pid_t reaped = -1;
    do {
        reaped = ::waitpid(pid, &status, 0);
    } while (reaped < 0 && errno == EINTR);
    if (reaped != pid) {
        result.exitCode = -1;  // reaped by someone else: the status is lost
        return result;
    }
    if (WIFEXITED(status)) {
        result.exitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exitCode = -1;
        result.signal = WTERMSIG(status);
    }
    return result;
}

}  // namespace chainvisor::os
