// chainvisord: reads the command line, then does one of: validate a cluster file, print a plan,
// or run. Each mode reads top to bottom; option errors are reported before anything starts.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "credential_probe.h"
#include "options.h"
#include "plan/planner.h"
#include "run.h"
#include "spec/load.h"

namespace {

using namespace chainvisor;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void printDiagnostics(const std::vector<spec::Diagnostic>& diagnostics) {
    for (const auto& d : diagnostics) {
        std::cerr << d.str() << '\n';
    }
}

std::size_t countErrors(const std::vector<spec::Diagnostic>& diagnostics) {
    std::size_t n = 0;
    for (const auto& d : diagnostics) {
        n += d.severity == spec::Severity::Error ? 1 : 0;
    }
    return n;
}

std::optional<spec::Cluster> loadOrReport(const std::filesystem::path& file) {
    spec::SystemFileProbe system;
    const daemon::CredentialFileProbe files(system);  // offline: credentials at their source
    auto result = spec::loadClusterFile(file, files);
    printDiagnostics(result.diagnostics);
    if (!result.ok()) {
        const auto errors = countErrors(result.diagnostics);
        std::cerr << file.string() << ": " << errors << (errors == 1 ? " error" : " errors")
                  << "; nothing was done\n";
    }
    return std::move(result.cluster);
}

int checkConfig(const daemon::Options& options) {
    auto cluster = loadOrReport(options.config);
    if (!cluster) {
        return kExitFailure;
    }
    std::cout << options.config.string() << ": valid: cluster " << cluster->name << ", "
              << cluster->hosts.size() << " host(s), " << cluster->networks.size()
              << " network(s), " << cluster->nodes.size() << " node(s)\n";
    return kExitOk;
}

int printPlan(const daemon::Options& options) {
    auto cluster = loadOrReport(options.config);
    if (!cluster) {
        return kExitFailure;
    }
    // The preview shows every action; the concurrency limits only decide how many run at once,
    // so they are lifted here and stated instead.
    spec::Cluster unpaced = *cluster;
    std::string pacing;
    for (auto& host : unpaced.hosts) {
        pacing += "at most " + std::to_string(host.maxConcurrentOperations) +
                  " at a time on host " + host.name + ", ";
        host.maxConcurrentOperations = std::numeric_limits<int>::max() / 2;
    }
    pacing += std::to_string(cluster->policy.budgets.globalConcurrent) + " in all";
    unpaced.policy.budgets.globalConcurrent = std::numeric_limits<int>::max() / 2;
    const auto world = plan::emptyWorld(unpaced);
    const auto result = plan::plan(unpaced, world, plan::Clock::now());
    std::cout << "Plan for cluster " << cluster->name << " (" << options.config.string()
              << ") against an empty world; nodes are worked on " << pacing << ":\n\n"
              << plan::formatPlan(result);
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto parsed = daemon::parseOptions(args);
    if (!parsed.options) {
        std::cerr << "chainvisord: " << parsed.error << "\nTry 'chainvisord --help'.\n";
        return kExitUsage;
    }
    const auto& options = *parsed.options;
    switch (options.mode) {
        case daemon::Mode::Help:
            std::cout << daemon::usage();
            return kExitOk;
        case daemon::Mode::Version:
            std::cout << "chainvisord " CHAINVISOR_VERSION "\n";
            return kExitOk;
        case daemon::Mode::CheckConfig:
            return checkConfig(options);
        case daemon::Mode::Plan:
            return printPlan(options);
        case daemon::Mode::Run:
            return daemon::runDaemon(options);
    }
    return kExitFailure;
}
