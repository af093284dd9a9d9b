// A TCP relay on 127.0.0.1 for the SSH tests: forwards one connection at a time to a target port
// through small buffers, and can stop forwarding for a while, as a congested path would. While
// paused the client's sends back up, which makes libssh2 leave packets half-sent.
#pragma once

#include <atomic>
#include <thread>

namespace chainvisor::net::test {

class TcpRelay {
public:
    explicit TcpRelay(int targetPort);
    ~TcpRelay();
    TcpRelay(const TcpRelay&) = delete;
    TcpRelay& operator=(const TcpRelay&) = delete;

    int port() const { return port_; }
    void pause(bool paused) { paused_ = paused; }
    // Bytes forwarded from the client so far.
    long long forwarded() const { return forwarded_; }

private:
    void serve();
    void relay(int client, int server);

    const int target_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> paused_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<long long> forwarded_{0};
    std::thread thread_;  // last: started once the rest exists
};

// Shrinks the send buffer of this process's TCP connection to 127.0.0.1:`peerPort`, as on a
// path with little room: the SSH client's socket, found among this process's descriptors.
// False when there is no such connection.
bool shrinkSendBufferTo(int peerPort, int bytes);

}  // namespace chainvisor::net::test
