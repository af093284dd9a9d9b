#include "engine/reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <tuple>

#include "engine/observer.h"
#include "plan/visibility.h"

namespace chainvisor::engine {
namespace {

using plan::ActionKind;

// --- whether a node's spec changed ---------------------------------------------------------
// spec::Node and friends have no operator== (yet); these compare every field that reaches a
// node's container, software or config.

bool sameTls(const spec::TlsTrust& a, const spec::TlsTrust& b) {
    return std::tie(a.caFile, a.fingerprintSha256) == std::tie(b.caFile, b.fingerprintSha256);
}

bool sameApi(const std::optional<spec::ApiEndpoint>& a, const std::optional<spec::ApiEndpoint>& b) {
    if (!a || !b) {
        return !a && !b;
    }
    return std::tie(a->url, a->tokenId, a->tokenSecretEnv, a->tokenSecretFile) ==
               std::tie(b->url, b->tokenId, b->tokenSecretEnv, b->tokenSecretFile) &&
           sameTls(a->tls, b->tls);
}

bool sameSsh(const std::optional<spec::SshEndpoint>& a, const std::optional<spec::SshEndpoint>& b) {
    if (!a || !b) {
        return !a && !b;
    }
    return std::tie(a->address, a->port, a->user, a->keyFile, a->knownHostsFile, a->useAgent,
                    a->trustOnFirstUse) == std::tie(b->address, b->port, b->user, b->keyFile,
                                                    b->knownHostsFile, b->useAgent,
                                                    b->trustOnFirstUse);
}

bool sameHost(const spec::Host* a, const spec::Host* b) {
    if (a == nullptr || b == nullptr) {
        return a == b;
    }
    return std::tie(a->name, a->type, a->pveNodes, a->maxConcurrentOperations) ==
               std::tie(b->name, b->type, b->pveNodes, b->maxConcurrentOperations) &&
           sameApi(a->api, b->api) && sameSsh(a->ssh, b->ssh);
}

bool sameNetwork(const spec::Network* a, const spec::Network* b) {
    if (a == nullptr || b == nullptr) {
        return a == b;
    }
    const auto& ga = a->genesis;
    const auto& gb = b->genesis;
    return std::tie(a->name, a->kind, a->consensus, a->chainId, a->version,
                    a->validatorsDisrupted) == std::tie(b->name, b->kind, b->consensus, b->chainId,
                                                        b->version, b->validatorsDisrupted) &&
           std::tie(ga.file, ga.blockPeriodSeconds, ga.epochLength, ga.requestTimeoutSeconds) ==
               std::tie(gb.file, gb.blockPeriodSeconds, gb.epochLength, gb.requestTimeoutSeconds) &&
           std::tie(a->source.url, a->source.path, a->source.sha256) ==
               std::tie(b->source.url, b->source.path, b->source.sha256);
}

bool sameNode(const spec::Node& a, const spec::Node& b) {
    return std::tie(a.name, a.network, a.role, a.host, a.pveNode, a.vmid, a.hostname, a.ip,
                    a.gateway, a.bridge, a.osTemplate, a.storage, a.resources, a.ports, a.config,
                    a.state, a.labels, a.adopt, a.keyFile) ==
           std::tie(b.name, b.network, b.role, b.host, b.pveNode, b.vmid, b.hostname, b.ip,
                    b.gateway, b.bridge, b.osTemplate, b.storage, b.resources, b.ports, b.config,
                    b.state, b.labels, b.adopt, b.keyFile);
}

// Whether anything that decides `node`'s container, software or config differs between the specs.
bool nodeChanged(const spec::Cluster& before, const spec::Node& old, const spec::Cluster& after,
                 const spec::Node& now) {
    return !sameNode(old, now) ||
           !sameNetwork(before.findNetwork(old.network), after.findNetwork(now.network)) ||
           !sameHost(before.findHost(old.host), after.findHost(now.host)) ||
           plan::desiredConfigFingerprint(before, old) !=
               plan::desiredConfigFingerprint(after, now);
}

// --- text ------------------------------------------------------------------------------------

std::string formatTime(plan::TimePoint t) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(t);
    const auto days = floor<std::chrono::days>(secs);
    const year_month_day date{days};
    const hh_mm_ss time{secs - days};
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return text;
}

std::string formatAgo(std::chrono::milliseconds d) {
    char text[32];
    const double seconds = static_cast<double>(d.count()) / 1000.0;
    if (d < std::chrono::seconds(10)) {
        std::snprintf(text, sizeof text, "%.1fs", seconds);
    } else if (d < std::chrono::minutes(2)) {
        std::snprintf(text, sizeof text, "%.0fs", seconds);
    } else {
        std::snprintf(text, sizeof text, "%.0fm", seconds / 60.0);
    }
    return text;
}

std::string conditionText(const Condition& c) {
    std::string text(toString(c.type));
    if (!c.reason.empty()) {
        text += " (" + c.reason + ")";
    }
    return text;
}

// --- conditions --------------------------------------------------------------------------------

bool contains(const std::vector<plan::Action>& actions, ActionKind kind) {
    return std::any_of(actions.begin(), actions.end(),
                       [kind](const plan::Action& a) { return a.kind == kind; });
}

// What a running chain is doing, as a condition reason.
std::string progressReason(const std::vector<plan::Action>& actions) {
    if (contains(actions, ActionKind::DestroyContainer)) {
        return "Destroying";
    }
    if (contains(actions, ActionKind::CreateContainer)) {
        return "Creating";
    }
    const plan::Disruption disruption = actions.front().disruption;
    if (disruption == plan::Disruption::Stop) {
        return "Stopping";
    }
    if (disruption >= plan::Disruption::Restart) {
        return contains(actions, ActionKind::InstallSoftware) ? "Upgrading" : "Restarting";
    }
    if (contains(actions, ActionKind::StartContainer) ||
        contains(actions, ActionKind::StartService) ||
        contains(actions, ActionKind::RestartService)) {
        return "Starting";
    }
    if (contains(actions, ActionKind::InstallSoftware)) {
        return "Upgrading";
    }
    if (contains(actions, ActionKind::StopService) ||
        contains(actions, ActionKind::StopContainer)) {
        return "Stopping";
    }
    return "Updating";
}

// The reason that says why the chain runs: its first action other than the safety snapshot.
std::string progressMessage(const std::vector<plan::Action>& actions) {
    for (const auto& action : actions) {
        if (action.kind != ActionKind::SnapshotContainer) {
            return action.reason;
        }
    }
    return actions.front().reason;
}

const plan::ObservedContainer* managedContainer(const spec::Cluster& spec, const spec::Node& node,
                                                const plan::Observed& observed) {
    const plan::ObservedHost* host = observed.findHost(node.host);
    if (host == nullptr || !host->reachable) {
        return nullptr;
    }
    const plan::ObservedContainer* container = host->findContainer(node.vmid);
    return container != nullptr && managesContainer(spec, node, *container) ? container : nullptr;
}

bool containersOnlyHost(const plan::Observed& observed, const spec::Node& node) {
    const plan::ObservedHost* host = observed.findHost(node.host);
    return host != nullptr && host->containersOnly;
}

Condition make(ConditionType type, std::string reason, std::string message) {
    Condition c;
    c.type = type;
    c.reason = std::move(reason);
    c.message = std::move(message);
    return c;
}

}  // namespace

Reconciler::Reconciler(spec::Cluster spec, const Clock& clock, Random& random, EventSink& events,
                       BackoffPolicy policy)
    : spec_(std::move(spec)), clock_(clock), random_(random), events_(events), policy_(policy) {
    const auto now = clock_.now();
    for (const auto& node : spec_.nodes) {
        if (node.state == spec::DesiredState::Absent) {
            continue;
        }
        NodeStatus& status = status_[node.name];
        status.condition = make(ConditionType::Unknown, "NotObserved", "not observed yet");
        status.condition.since = now;
    }
}

void Reconciler::emit(std::string node, std::string type, std::string message) {
    Event event;
    event.time = clock_.now();
    event.node = std::move(node);
    event.type = std::move(type);
    event.message = std::move(message);
    events_.emit(std::move(event));
}

void Reconciler::clearFailure(Book& book) {
    book.attempts = 0;
    book.retryAfter.reset();
    book.permanentFailure = false;
    book.failureReason = "ActionFailed";
    book.lastError.clear();
}

void Reconciler::setSpec(spec::Cluster spec) {
    const auto now = clock_.now();
    // A halted rollout goes on once the operator changes its network or one of its nodes: the
    // change may be the fix (or the version rolled back).
    std::set<std::string, std::less<>> changedNetworks;
    for (const auto& network : spec.networks) {
        if (!sameNetwork(spec_.findNetwork(network.name), &network)) {
            changedNetworks.insert(network.name);
        }
    }
    for (const auto& node : spec.nodes) {
        const spec::Node* old = spec_.findNode(node.name);
        if (old != nullptr && !nodeChanged(spec_, *old, spec, node)) {
            continue;
        }
        changedNetworks.insert(node.network);
        if (auto it = books_.find(node.name); it != books_.end()) {
            clearFailure(it->second);
            it->second.wasReady = false;
        }
        emit(node.name, "SpecChanged", old == nullptr ? "added to the spec" : "spec changed");
    }
    for (const auto& old : spec_.nodes) {
        if (spec.findNode(old.name) == nullptr) {
            emit(old.name, "SpecChanged", "removed from the spec");
            status_.erase(old.name);
            pausedNodes_.erase(old.name);
        }
    }
    for (const auto& network : changedNetworks) {
        if (halted_.erase(network) > 0) {
            emit("", "RolloutResumed", "the spec of " + network + " changed: its rollout goes on");
        }
    }
    std::erase_if(halted_,
                  [&](const auto& entry) { return spec.findNetwork(entry.first) == nullptr; });
    spec_ = std::move(spec);
    for (const auto& node : spec_.nodes) {
        if (node.state != spec::DesiredState::Absent && !status_.contains(node.name)) {
            NodeStatus& status = status_[node.name];
            status.condition = make(ConditionType::Unknown, "NotObserved", "not observed yet");
            status.condition.since = now;
        }
        if (auto it = status_.find(node.name); it != status_.end()) {
            if (auto book = books_.find(node.name); book != books_.end()) {
                refreshBookkeeping(it->second, book->second);
            }
        }
    }
}

void Reconciler::noteInterrupted(const std::vector<Intent>& intents) {
    for (const auto& intent : intents) {
        const std::string what = intent.action + " (" + intent.disruption + ") of vmid " +
                                 std::to_string(intent.vmid) + " on " + intent.host + ", started " +
                                 formatTime(intent.started);
        emit(intent.node, "Interrupted",
             "the previous run was interrupted during " + what + ": " + intent.reason +
                 "; re-planning from a fresh observation");
        Book& book = books_[intent.node];
        book.interrupted = "interrupted during " + what;
        if (auto it = status_.find(intent.node); it != status_.end()) {
            setCondition(intent.node, it->second,
                         make(ConditionType::Progressing, "ResumingInterrupted", book.interrupted));
        }
    }
}

bool Reconciler::pause(std::optional<std::string> node) {
    if (!node) {
        if (!pausedAll_) {
            pausedAll_ = true;
            emit("", "Paused", "every node paused");
        }
        return true;
    }
    if (spec_.findNode(*node) == nullptr) {
        return false;
    }
    if (pausedNodes_.insert(*node).second) {
        emit(*node, "Paused", "paused");
    }
    return true;
}

bool Reconciler::resume(std::optional<std::string> node) {
    if (!node) {
        if (pausedAll_ || !pausedNodes_.empty()) {
            pausedAll_ = false;
            pausedNodes_.clear();
            emit("", "Resumed", "every pause lifted");
        }
        return true;
    }
    if (spec_.findNode(*node) == nullptr) {
        return false;
    }
    if (pausedNodes_.erase(*node) > 0) {
        emit(*node, "Resumed", pausedAll_ ? "resumed (every node is still paused)" : "resumed");
    }
    return true;
}

std::size_t Reconciler::chainsInFlight() const {
    return static_cast<std::size_t>(std::count_if(
        books_.begin(), books_.end(), [](const auto& entry) { return entry.second.running; }));
}

void Reconciler::mergeBookkeeping(plan::Observed& observed) {
    observed.haltedNetworks.insert(halted_.begin(), halted_.end());
    observed.pausedAll = observed.pausedAll || pausedAll_;
    observed.pausedNodes.insert(pausedNodes_.begin(), pausedNodes_.end());

    // What is inside the containers: learnt from inspections of running ones, remembered for
    // stopped ones (which cannot be inspected), forgotten with the container.
    for (const auto& node : spec_.nodes) {
        const plan::ObservedHost* host = observed.findHost(node.host);
        if (host == nullptr || !host->reachable) {
            continue;
        }
        const plan::ObservedContainer* container = managedContainer(spec_, node, observed);
        auto inside = observed.nodes.find(node.name);
        if (container == nullptr) {
            if (auto it = books_.find(node.name); it != books_.end()) {
                it->second.insideKnown = false;
            }
            continue;
        }
        if (auto it = books_.find(node.name); it != books_.end() && stale(it->second)) {
            continue;  // seen before its last chain ended: what we made is newer
        }
        if (container->power == plan::PowerState::Running && inside != observed.nodes.end() &&
            inside->second.service != plan::ServiceState::Unknown) {
            Book& book = books_[node.name];
            book.insideKnown = true;
            book.version = inside->second.version;
            book.configFingerprint = inside->second.configFingerprint;
        } else if (container->power == plan::PowerState::Stopped &&
                   inside == observed.nodes.end()) {
            auto it = books_.find(node.name);
            if (it != books_.end() && it->second.insideKnown) {
                plan::ObservedNode remembered;
                remembered.name = node.name;
                remembered.service = plan::ServiceState::Inactive;
                remembered.version = it->second.version;
                remembered.configFingerprint = it->second.configFingerprint;
                observed.nodes.emplace(node.name, std::move(remembered));
            }
        }
    }

    for (const auto& [name, book] : books_) {
        const bool settling = stale(book);
        if (!book.running && !settling && book.attempts == 0 && !book.retryAfter &&
            !book.permanentFailure) {
            continue;
        }
        plan::ObservedNode& inside = observed.nodes[name];
        inside.name = name;
        // A node observed before its chain ended is held like one in flight: acting on what it
        // was could redo the chain's work (a second restart of a validator).
        inside.operationInFlight = book.running.has_value() || settling;
        inside.disruptionInFlight = book.running && !book.running->empty() &&
                                    book.running->front().disruption >= plan::Disruption::Restart;
        inside.attempts = book.attempts;
        inside.retryAfter = book.retryAfter;
        inside.permanentFailure = book.permanentFailure;
    }
}

std::vector<Chain> Reconciler::makeChains(const plan::Plan& plan) {
    // The planner emits each node's actions contiguously and in order; group them keeping that
    // order, and the nodes in the order they first appear.
    std::vector<std::vector<plan::Action>> groups;
    std::map<std::string, std::size_t, std::less<>> index;
    for (const auto& action : plan.actions) {
        auto [it, added] = index.try_emplace(action.node, groups.size());
        if (added) {
            groups.emplace_back();
        }
        groups[it->second].push_back(action);
    }
    std::vector<Chain> chains;
    for (auto& actions : groups) {
        const std::string name = actions.front().node;
        Book& book = books_[name];
        if (book.running) {
            // The planner holds nodes in flight; this would be its bug, and a second chain on
            // one node is exactly what must never happen.
            spdlog::error("{}: planned while an operation is in flight; ignored", name);
            continue;
        }
        book.running = actions;
        std::string kinds;
        for (const auto& action : actions) {
            kinds += (kinds.empty() ? "" : ", ") + std::string(plan::toString(action.kind));
        }
        emit(name, "ChainStarted", kinds + ": " + progressMessage(actions));
        chains.push_back(makeChain(spec_, std::move(actions)));
    }
    return chains;
}

bool Reconciler::stale(const Book& book) const {
    return observedAt_ && book.completedAt >= *observedAt_;
}

std::vector<Chain> Reconciler::decide(plan::Observed observed,
                                      std::optional<std::uint64_t> observedAt) {
    const auto now = clock_.now();
    observedAt_ = observedAt;
    mergeBookkeeping(observed);
    lastPlan_ = plan::plan(spec_, observed, now);
    reportNewNotices();
    lastPass_ = now;
    auto chains = makeChains(lastPlan_);
    deriveConditions(observed, now);
    assessNetworks(now);
    forgetGone(observed);
    return chains;
}

// Waiting for the next retry of a transient error: not ready yet, or no longer; Failed once
// the errors have gone on long enough that an operator should look, though retries go on.
Condition Reconciler::retrying(const Book& book) const {
    const bool tooMany = book.attempts >= policy_.failedAfterAttempts;
    const ConditionType type = tooMany         ? ConditionType::Failed
                               : book.wasReady ? ConditionType::Degraded
                                               : ConditionType::Progressing;
    Condition c =
        make(type, tooMany ? "RetryingAfterErrors" : "RetryingAfterError", book.lastError);
    c.attempts = book.attempts;
    c.nextRetry = book.retryAfter;
    return c;
}

Condition Reconciler::derive(const spec::Node& node, Book& book, const plan::Observed& observed,
                             plan::TimePoint now, bool readyNow) const {
    const ConditionType notReady =
        book.wasReady ? ConditionType::Degraded : ConditionType::Progressing;
    if (auto blind = plan::detail::blindReason(observed, node.host, node.pveNode)) {
        return make(ConditionType::Unknown, "HostUnreachable", *blind);
    }
    if (pausedAll_ || pausedNodes_.contains(node.name)) {
        return make(ConditionType::Paused, "Paused",
                    pausedAll_ ? "every node is paused" : "paused by an operator");
    }
    if (book.permanentFailure) {
        Condition c = make(ConditionType::Failed, book.failureReason, book.lastError);
        c.attempts = book.attempts;
        return c;
    }
    if (book.running) {
        return make(ConditionType::Progressing, progressReason(*book.running),
                    progressMessage(*book.running));
    }
    if (book.retryAfter && *book.retryAfter > now) {
        return retrying(book);
    }
    const auto& waiting = lastPlan_.waiting;
    if (auto it = std::find_if(waiting.begin(), waiting.end(),
                               [&](const plan::Waiting& w) { return w.node == node.name; });
        it != waiting.end()) {
        Condition c = make(notReady, "Waiting", it->reason);
        c.attempts = book.attempts;
        return c;
    }

    const plan::ObservedContainer* container = managedContainer(spec_, node, observed);
    const plan::ObservedNode* inside = observed.findNode(node.name);
    const auto& notices = lastPlan_.notices;
    auto notice = std::find_if(notices.begin(), notices.end(),
                               [&](const plan::Notice& n) { return n.node == node.name; });
    switch (node.state) {
        case spec::DesiredState::Running:
            // Ready once the probes say so; a Ready node stays Ready through failed readings
            // below the kind's threshold (health Unknown), so one slow answer does not flap it.
            if (container != nullptr && container->power == plan::PowerState::Running &&
                inside != nullptr && inside->service == plan::ServiceState::Active &&
                (inside->health == plan::Health::Ready ||
                 (inside->health == plan::Health::Unknown && readyNow))) {
                return make(ConditionType::Ready, "Running",
                            inside->version ? "version " + inside->version->str() : "");
            }
            if (container != nullptr && container->power == plan::PowerState::Running &&
                containersOnlyHost(observed, node)) {
                return make(ConditionType::Ready, "ContainerRunning",
                            "container level only: the host cannot enter containers");
            }
            break;
        case spec::DesiredState::Stopped:
            if (container != nullptr && container->power == plan::PowerState::Stopped) {
                return make(ConditionType::Ready, "Stopped", "");
            }
            break;
        case spec::DesiredState::Absent:
            if (container != nullptr) {
                return make(ConditionType::Ready, "LeftInPlace",
                            notice != notices.end() ? notice->message : "absent in spec");
            }
            return make(ConditionType::Ready, "Absent", "");
    }
    if (notice != notices.end()) {
        // Nothing chainvisor does will change it: an operator has to (adopt, move, renumber).
        return make(ConditionType::Failed, "Blocked", notice->message);
    }
    std::string message;
    if (container == nullptr) {
        message = "no container";
    } else if (container->power != plan::PowerState::Running) {
        message = "container not running";
    } else if (inside == nullptr || inside->service != plan::ServiceState::Active) {
        message = "service " + std::string(plan::toString(inside ? inside->service
                                                                 : plan::ServiceState::Unknown));
    } else if (inside->health == plan::Health::Unknown) {
        message = "waiting for the health probes" +
                  (inside->healthProblem.empty() ? "" : ": " + inside->healthProblem);
    } else {
        message = "health probes report not ready" +
                  (inside->healthProblem.empty() ? "" : ": " + inside->healthProblem);
    }
    return make(notReady, "NotReady", message);
}

void Reconciler::setCondition(const std::string& name, NodeStatus& status, Condition condition) {
    const auto now = clock_.now();
    if (condition.sameStateAs(status.condition)) {
        condition.since = status.condition.since;
    } else {
        condition.since = now;
        std::string text = conditionText(status.condition) + " → " + conditionText(condition);
        if (!condition.message.empty()) {
            text += ": " + condition.message;
        }
        emit(name, "ConditionChanged", std::move(text));
    }
    status.condition = std::move(condition);
}

void Reconciler::refreshBookkeeping(NodeStatus& status, const Book& book) {
    status.attempts = book.attempts;
    status.retryAfter = book.retryAfter;
    status.permanentFailure = book.permanentFailure;
    status.lastError = book.lastError;
    status.inFlight = book.running.has_value();
    status.wasReady = book.wasReady;
}

void Reconciler::deriveConditions(const plan::Observed& observed, plan::TimePoint now) {
    std::set<std::string, std::less<>> shown;
    for (const auto& node : spec_.nodes) {
        const plan::ObservedContainer* container = managedContainer(spec_, node, observed);
        const bool blind = plan::detail::blindReason(observed, node.host, node.pveNode).has_value();
        auto bookIt = books_.find(node.name);
        const bool running = bookIt != books_.end() && bookIt->second.running;
        if (node.state == spec::DesiredState::Absent && container == nullptr && !running &&
            !(blind && status_.contains(node.name))) {
            continue;  // gone (or never there): nothing to say
        }
        shown.insert(node.name);
        Book& book = books_[node.name];
        auto [it, added] = status_.try_emplace(node.name);
        NodeStatus& status = it->second;
        if (added) {
            status.condition = make(ConditionType::Unknown, "NotObserved", "not observed yet");
            status.condition.since = now;
        }
        if (!blind) {
            const plan::ObservedNode* inside = observed.findNode(node.name);
            status.containerExists = container != nullptr;
            status.power = container != nullptr ? container->power : plan::PowerState::Unknown;
            status.service = inside != nullptr ? inside->service : plan::ServiceState::Unknown;
            status.health = inside != nullptr ? inside->health : plan::Health::Unknown;
            status.version = inside != nullptr ? inside->version : std::nullopt;
            status.height = inside != nullptr ? inside->height : std::nullopt;
            status.peers = inside != nullptr ? inside->peers : std::nullopt;
        }

        if (stale(book)) {
            refreshBookkeeping(status, book);
            continue;  // keeps what complete() said until a fresh observation
        }
        Condition condition =
            derive(node, book, observed, now, status.condition.type == ConditionType::Ready);
        if (condition.type == ConditionType::Ready) {
            book.wasReady = true;
        }
        if (!book.interrupted.empty()) {
            if (condition.type == ConditionType::Progressing ||
                condition.type == ConditionType::Degraded) {
                condition.type = ConditionType::Progressing;
                condition.reason = "ResumingInterrupted";
                condition.message = book.interrupted + "; now: " + condition.message;
            } else if (condition.type == ConditionType::Ready ||
                       condition.type == ConditionType::Failed) {
                book.interrupted.clear();
            }
        }
        setCondition(node.name, status, std::move(condition));
        refreshBookkeeping(status, book);
    }
    std::erase_if(status_, [&](const auto& entry) { return !shown.contains(entry.first); });
}

void Reconciler::assessNetworks(plan::TimePoint now) {
    std::map<std::string, NetworkStatus, std::less<>> next;
    for (const auto& network : spec_.networks) {
        auto previous = networks_.find(network.name);
        auto halt = halted_.find(network.name);
        NetworkStatus status = assessNetwork(
            spec_, network, status_, previous != networks_.end() ? &previous->second : nullptr,
            halt != halted_.end() ? halt->second : std::string{}, now);
        const bool changed = previous == networks_.end()
                                 ? status.condition.type != ConditionType::Ready
                                 : !status.condition.sameStateAs(previous->second.condition);
        if (changed) {
            emit("", "NetworkConditionChanged",
                 network.name + ": " + conditionText(status.condition) +
                     (status.condition.message.empty() ? "" : ": " + status.condition.message));
        }
        next.emplace(network.name, std::move(status));
    }
    networks_ = std::move(next);
}

void Reconciler::forgetGone(const plan::Observed& observed) {
    const bool allVisible = std::all_of(spec_.hosts.begin(), spec_.hosts.end(), [&](const auto& h) {
        const plan::ObservedHost* host = observed.findHost(h.name);
        return host != nullptr && host->reachable && host->offlinePveNodes.empty();
    });
    auto orphanSeen = [&](const std::string& name) {
        for (const auto& [hostName, host] : observed.hosts) {
            for (const auto& container : host.containers) {
                if (container.owner && container.owner->cluster == spec_.name &&
                    container.owner->node == name) {
                    return true;
                }
            }
        }
        return false;
    };
    std::erase_if(books_, [&](const auto& entry) {
        const auto& [name, book] = entry;
        if (book.running) {
            return false;
        }
        const spec::Node* node = spec_.findNode(name);
        if (node == nullptr) {
            // An orphan (or a removed node): its bookkeeping lasts as long as its container.
            return book.idle() || (allVisible && !orphanSeen(name));
        }
        if (node->state == spec::DesiredState::Absent) {
            return !status_.contains(name);
        }
        return book.idle();
    });
}

void Reconciler::complete(const ChainOutcome& outcome) {
    const auto now = clock_.now();
    Book& book = books_[outcome.node];
    book.completedAt = epoch_;
    std::vector<plan::Action> actions;
    if (book.running) {
        actions = std::move(*book.running);
        book.running.reset();
    } else {
        spdlog::error("{}: completion of a chain that was not running", outcome.node);
    }
    const std::size_t done = std::min(outcome.completed, actions.size());
    for (std::size_t i = 0; i < done; ++i) {
        const plan::Action& action = actions[i];
        switch (action.kind) {
            case ActionKind::CreateContainer:
                book.insideKnown = true;  // a new container has nothing inside yet
                book.version.reset();
                book.configFingerprint.clear();
                break;
            case ActionKind::DestroyContainer:
                book.insideKnown = false;
                break;
            case ActionKind::InstallSoftware:
                book.version = action.version;
                break;
            case ActionKind::WriteConfig:
                book.configFingerprint = action.configFingerprint;
                break;
            default:
                break;
        }
        emit(outcome.node, "ActionSucceeded", describeBriefly(action));
    }

    if (!outcome.error) {
        clearFailure(book);
        book.interrupted.clear();
    } else {
        const hosts::Error& error = *outcome.error;
        book.lastError = outcome.failedAction.empty() ? error.message
                                                      : outcome.failedAction + ": " + error.message;
        std::string event = book.lastError;
        if (error.kind == hosts::ErrorKind::Unhealthy) {
            // Retrying the same change would fail the same way: stop here and say so.
            book.permanentFailure = true;
            book.failureReason = "HealthGateFailed";
            book.retryAfter.reset();
            ++book.attempts;
            book.insideKnown = false;  // rolled back or not: the next look says what is there
            book.lastError += outcome.rolledBackTo
                                  ? "; rolled back to snapshot " + *outcome.rolledBackTo
                                  : "; not rolled back: " + outcome.rollbackError;
            event = book.lastError;
            if (const spec::Node* node = spec_.findNode(outcome.node)) {
                const std::string why = "rollout of " + node->network + " halted: " + outcome.node +
                                        " failed its health gate after a change (" +
                                        (outcome.rolledBackTo ? "rolled back" : "not rolled back") +
                                        "); change the spec to go on";
                halted_[node->network] = why;
                emit(outcome.node, "RolloutHalted", why);
            }
        } else if (error.kind == hosts::ErrorKind::Permanent) {
            book.permanentFailure = true;
            book.retryAfter.reset();
            ++book.attempts;
            event += " (permanent: no retry until the spec changes)";
        } else {
            ++book.attempts;
            const auto delay = backoffDelay(policy_, book.attempts, random_);
            book.retryAfter = now + delay;
            event += " (attempt " + std::to_string(book.attempts) + ", retry in " +
                     formatAgo(delay) + ")";
        }
        emit(outcome.node, "ActionFailed", std::move(event));
    }

    auto it = status_.find(outcome.node);
    if (it == status_.end()) {
        return;
    }
    NodeStatus& status = it->second;
    refreshBookkeeping(status, book);
    // A failure shows at once; a success shows with the next pass's fresh observation.
    if (outcome.error && status.condition.type != ConditionType::Unknown &&
        status.condition.type != ConditionType::Paused) {
        if (book.permanentFailure) {
            Condition c = make(ConditionType::Failed, book.failureReason, book.lastError);
            c.attempts = book.attempts;
            setCondition(outcome.node, status, std::move(c));
        } else {
            setCondition(outcome.node, status, retrying(book));
        }
    }
}

std::string Reconciler::summary(bool withAge) const {
    std::string out = std::to_string(status_.size()) + (status_.size() == 1 ? " node" : " nodes");
    if (!lastPass_) {
        return out + "; waiting for the first observation";
    }
    constexpr std::array kOrder{ConditionType::Ready,    ConditionType::Progressing,
                                ConditionType::Degraded, ConditionType::Failed,
                                ConditionType::Unknown,  ConditionType::Paused};
    std::string counts;
    for (ConditionType type : kOrder) {
        const auto n = std::count_if(status_.begin(), status_.end(), [type](const auto& entry) {
            return entry.second.condition.type == type;
        });
        if (n > 0) {
            std::string name(toString(type));
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + name;
        }
    }
    if (!counts.empty()) {
        out += ": " + counts;
    }
    if (pausedAll_) {
        out += "; all paused";
    }
    if (const std::size_t running = chainsInFlight(); running > 0) {
        out += "; " + std::to_string(running) + " running";
    }
    if (withAge) {
        const auto ago =
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - *lastPass_);
        out += "; last pass " + formatAgo(std::max(ago, std::chrono::milliseconds(0))) + " ago";
    }
    return out;
}

void Reconciler::reportNewNotices() {
    // Notices describe standing conditions no action will change (an orphan, a container not
    // ours): each is told once when it appears, not on every pass.
    std::set<std::pair<std::string, std::string>> current;
    for (const auto& notice : lastPlan_.notices) {
        current.emplace(notice.node, notice.message);
        if (!notices_.contains({notice.node, notice.message})) {
            emit(notice.node, "Notice", notice.message);
        }
    }
    notices_ = std::move(current);
}

}  // namespace chainvisor::engine
