// Watches the cluster file for changes with inotify. Editors and config management replace the
// file (write a temporary, rename over) rather than write it in place, so the watch is on the
// directory, filtered to the file's name.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <filesystem>
#include <functional>
#include <string>

namespace chainvisor::daemon {

class FileWatch {
public:
    // An empty error when watching; otherwise why not (the daemon then relies on SIGHUP).
    FileWatch(boost::asio::io_context& io, const std::filesystem::path& file, std::string& error);

    // Calls onChange for every change of the file until close().
    boost::asio::awaitable<void> run(std::function<void()> onChange);
    void close();

private:
    boost::asio::posix::stream_descriptor stream_;
    std::string name_;
};

}  // namespace chainvisor::daemon
