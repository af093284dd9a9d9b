// pvesim: a Proxmox VE API simulator for chainvisor's tests. See `pvesim --help`.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "api.h"
#include "args.h"
#include "server.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    pvesim::ParsedArgs parsed = pvesim::parse_args(args);
    if (parsed.help) {
        std::cout << pvesim::usage();
        return 0;
    }
    if (!parsed.options) {
        std::cerr << "pvesim: " << parsed.error << "\n";
        return 2;
    }
    const pvesim::Options& options = *parsed.options;
    std::signal(SIGPIPE, SIG_IGN);

    std::string fingerprint;
    try {
        fingerprint = pvesim::certificate_fingerprint(options.cert_file);
    } catch (const std::exception& e) {
        std::cerr << "pvesim: --cert " << e.what() << "\n";
        return 2;
    }

    boost::asio::io_context ioc(1);
    pvesim::Api api(ioc.get_executor(), options, fingerprint);
    std::optional<pvesim::Server> server;
    try {
        server.emplace(ioc, options, api);
    } catch (const std::exception& e) {
        std::cerr << "pvesim: " << e.what() << "\n";
        return 2;
    }
    unsigned short port = 0;
    try {
        port = server->listen();
    } catch (const std::exception& e) {
        std::cerr << "pvesim: cannot listen on " << options.listen_host << ":"
                  << options.listen_port << ": " << e.what() << "\n";
        return 1;
    }
    std::string host = options.listen_host.find(':') != std::string::npos
                           ? "[" + options.listen_host + "]"
                           : options.listen_host;
    if (!options.ready_file.empty()) {
        std::string tmp = options.ready_file + ".tmp";
        {
            std::ofstream out(tmp);
            out << port << "\n";
        }
        if (std::rename(tmp.c_str(), options.ready_file.c_str()) != 0) {
            std::cerr << "pvesim: cannot write --ready-file " << options.ready_file << "\n";
            return 1;
        }
    }

    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) {
            server->stop();
            ioc.stop();
        }
    });
    server->start();
    std::printf("listening on %s:%u\n", host.c_str(), port);
    std::fflush(stdout);
    ioc.run();
    // Pending tasks and connections are simply abandoned: state lives only in memory.
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(0);
}
