#include "net/ssh_exec.h"

#include <algorithm>
#include <array>

namespace chainvisor::net::detail {

namespace {

constexpr std::size_t kReadChunk = 32 * 1024;

// The operation whose packet libssh2 holds half-sent: only it may send next (ssh_session.h).
enum class Owner { None, Write, Eof, Read, Drain };

class Exec {
public:
    Exec(SshSession& session, const RemoteCommand& command, Clock::time_point deadline)
        : session_(session), ssh_(session.get()), command_(command), deadline_(deadline) {}

    ExecResult run(const std::string& commandLine) {
        if (openChannel() && start(commandLine) && pump()) {
            finish();
        }
        return std::move(result_);
    }

private:
    bool expired(const char* stage) {
        session_.markBroken();
        result_.failure.timedOut = true;
        result_.failure.stage = stage;
        return false;
    }

    bool failed(int rc, const char* stage) {
        const bool lost = session_.lost() || rc == LIBSSH2_ERROR_SOCKET_SEND ||
                          rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT;
        session_.markBroken();
        result_.failure.what = std::string(lost ? "connection lost " : "SSH error ") + stage +
                               ": " + session_.describe(rc);
        return false;
    }

    bool openChannel() {
        for (;;) {
            channel_ = libssh2_channel_open_session(ssh_);
            if (channel_ != nullptr) {
                return true;
            }
            const int rc = libssh2_session_last_errno(ssh_);
            if (rc != LIBSSH2_ERROR_EAGAIN) {
                return failed(rc, "while opening a channel");
            }
            if (Clock::now() >= deadline_) {
                return expired("while opening a channel");
            }
            session_.wait(deadline_, false);
        }
    }

    bool start(const std::string& commandLine) {
        result_.commandSent = true;
        const int rc = session_.untilDone(deadline_, [&] {
            return libssh2_channel_process_startup(channel_, "exec", 4, commandLine.data(),
                                                   static_cast<unsigned>(commandLine.size()));
        });
        if (rc == LIBSSH2_ERROR_TIMEOUT) {
            return expired("while starting the command");
        }
        if (rc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED) {
            session_.markBroken();
            result_.failure.what = "the server refused to run the command";
            return false;
        }
        return rc == 0 || failed(rc, "while starting the command");
    }

    // Drops what goes beyond maxOutput, still reading it so the channel keeps moving.
    void keep(std::string& into, const char* data, std::size_t size) {
        const std::size_t room =
            command_.maxOutput > into.size() ? command_.maxOutput - into.size() : 0;
        into.append(data, std::min(room, size));
        if (size > room) {
            result_.outcome.truncated = true;
        }
    }

    // Both streams until neither has data. Returns 0, or EAGAIN with a half-sent window
    // adjustment, or an error.
    int readStreams(bool& progress) {
        for (const int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
            std::string& into = stream == 0 ? result_.outcome.out : result_.outcome.err;
            for (;;) {
                const ssize_t n =
                    libssh2_channel_read_ex(channel_, stream, buffer_.data(), buffer_.size());
                if (n > 0) {
                    keep(into, buffer_.data(), static_cast<std::size_t>(n));
                    progress = true;
                    continue;
                }
                if (n == LIBSSH2_ERROR_EAGAIN && session_.sendPending()) {
                    return LIBSSH2_ERROR_EAGAIN;
                }
                if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                    return static_cast<int>(n);
                }
                break;
            }
        }
        return 0;
    }

    int writeInput(bool& progress) {
        const std::string& input = command_.input;
        const ssize_t n =
            libssh2_channel_write_ex(channel_, 0, input.data() + written_, input.size() - written_);
        if (n > 0) {
            written_ += static_cast<std::size_t>(n);
            progress = true;
            return 0;
        }
        // 0: the server's window is full; it opens again as the command reads.
        return static_cast<int>(n);
    }

    int sendEof(bool& progress) {
        const int rc = libssh2_channel_send_eof(channel_);
        if (rc == 0) {
            eofSent_ = true;
            progress = true;
        }
        return rc;
    }

    // Runs `owner`'s operation; true when it went through or merely has to wait, and sets
    // owner_ when its packet is left half-sent.
    bool step(Owner owner, bool& progress) {
        int rc = 0;
        switch (owner) {
            case Owner::Write:
                rc = writeInput(progress);
                break;
            case Owner::Eof:
                rc = sendEof(progress);
                break;
            case Owner::Read:
                rc = readStreams(progress);
                break;
            case Owner::Drain:
                // Reads whatever arrived into libssh2's queue and sends nothing of its own:
                // the one call that is safe while another operation's packet is half-sent.
                rc = libssh2_channel_wait_eof(channel_);
                break;
            case Owner::None:
                return true;
        }
        if (rc == LIBSSH2_ERROR_EAGAIN) {
            if (!session_.sendPending()) {
                owner_ = owner_ == owner ? Owner::None : owner_;
            } else if (owner_ == Owner::None) {
                owner_ = owner;
            }
            return true;
        }
        if (rc < 0) {
            return failed(rc, "while running");
        }
        if (owner_ == owner) {
            owner_ = Owner::None;
        }
        return true;
    }

    bool pump() {
        bool inputDone = command_.input.empty();
        for (;;) {
            bool progress = false;
            if (owner_ != Owner::None && !step(owner_, progress)) {
                return false;
            }
            if (!step(Owner::Drain, progress)) {
                return false;
            }
            if (owner_ == Owner::None && !step(Owner::Read, progress)) {
                return false;
            }
            // Once the command's output has ended its input is no longer wanted (a command
            // that exits without reading all of it); what is left is dropped.
            const bool remoteEnded = libssh2_channel_eof(channel_) == 1;
            inputDone = inputDone || remoteEnded || written_ == command_.input.size();
            if (owner_ == Owner::None && !inputDone && !step(Owner::Write, progress)) {
                return false;
            }
            if (owner_ == Owner::None && inputDone && !eofSent_ && !step(Owner::Eof, progress)) {
                return false;
            }
            if (owner_ == Owner::None && eofSent_ && remoteEnded) {
                return true;
            }
            if (Clock::now() >= deadline_) {
                return expired("while running");
            }
            if (!progress) {
                auto until = deadline_;
                if (owner_ == Owner::None && inputDone) {
                    // A long quiet command: keep-alives show a vanished server to TCP.
                    const int next = session_.keepalive();
                    if (next < 0) {
                        return failed(LIBSSH2_ERROR_SOCKET_SEND, "while running");
                    }
                    if (next > 0) {
                        until = std::min(until, Clock::now() + std::chrono::seconds(next));
                    }
                }
                session_.wait(until, true);
            }
        }
    }

    void finish() {
        int rc = session_.untilDone(deadline_, [&] { return libssh2_channel_close(channel_); });
        if (rc == LIBSSH2_ERROR_TIMEOUT) {
            expired("while closing the channel");
            return;
        }
        if (rc < 0) {
            failed(rc, "while closing the channel");
            return;
        }
        auto& outcome = result_.outcome;
        outcome.exitCode = libssh2_channel_get_exit_status(channel_);
        char* signal = nullptr;
        std::size_t signalLength = 0;
        libssh2_channel_get_exit_signal(channel_, &signal, &signalLength, nullptr, nullptr, nullptr,
                                        nullptr);
        if (signal != nullptr) {
            // libssh2 reports status 0 for a command killed by a signal.
            outcome.exitSignal.assign(signal, signalLength);
            outcome.exitCode = -1;
            libssh2_free(ssh_, signal);
        }
        rc = session_.untilDone(deadline_, [&] { return libssh2_channel_free(channel_); });
        if (rc == LIBSSH2_ERROR_TIMEOUT) {
            expired("while closing the channel");
            return;
        }
        channel_ = nullptr;
    }

    SshSession& session_;
    LIBSSH2_SESSION* ssh_;
    const RemoteCommand& command_;
    const Clock::time_point deadline_;
    LIBSSH2_CHANNEL* channel_ = nullptr;  // left to the session's end after a failure
    Owner owner_ = Owner::None;
    std::size_t written_ = 0;
    bool eofSent_ = false;
    std::array<char, kReadChunk> buffer_{};
    ExecResult result_;
};

}  // namespace

ExecResult execute(SshSession& session, const std::string& commandLine,
                   const RemoteCommand& command, Clock::time_point deadline) {
    return Exec(session, command, deadline).run(commandLine);
}

}  // namespace chainvisor::net::detail
