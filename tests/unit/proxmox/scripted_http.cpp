#include "scripted_http.h"

#include "hosts/proxmox/api_client.h"

namespace chainvisor::hosts::proxmox::test {

Reply ok(const std::string& dataJson, const std::string& extra) {
    Reply r;
    r.response.status = 200;
    r.response.reason = "OK";
    r.response.body = "{\"data\":" + dataJson + extra + "}";
    return r;
}

Reply error(int status, const std::string& reason, const std::string& body) {
    Reply r;
    r.response.status = status;
    r.response.reason = reason;
    r.response.body = body;
    return r;
}

Reply transport(const std::string& what, bool timedOut) {
    Reply r;
    r.transportError = what;
    r.timedOut = timedOut;
    return r;
}

std::string percentDecode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else if (text[i] == '+') {
            out += ' ';
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string Recorded::key() const {
    return std::string(methodName(method)) + " " + path;
}

std::map<std::string, std::string> Recorded::form() const {
    std::map<std::string, std::string> out;
    const std::string& text =
        method == net::Method::Get || method == net::Method::Delete ? query : body;
    std::size_t start = 0;
    while (start < text.size()) {
        auto amp = text.find('&', start);
        if (amp == std::string::npos) {
            amp = text.size();
        }
        const std::string item = text.substr(start, amp - start);
        const auto eq = item.find('=');
        out[percentDecode(item.substr(0, eq))] =
            eq == std::string::npos ? "" : percentDecode(item.substr(eq + 1));
        start = amp + 1;
    }
    return out;
}

void ScriptedHttpClient::once(const std::string& key, std::function<void()> hook) {
    std::lock_guard guard(mutex_);
    hooks_[key] = std::move(hook);
}

net::HttpExchange ScriptedHttpClient::send(const net::HttpRequest& request,
                                           std::chrono::milliseconds) {
    std::unique_lock guard(mutex_);
    Recorded r;
    r.method = request.method;
    std::string target = request.target;
    if (target.rfind(base_, 0) == 0) {
        target = target.substr(base_.size());
    }
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string::npos ? "" : target.substr(q + 1);
    r.body = request.body;
    r.headers = request.headers;
    r.contentType = request.contentType;
    records_.push_back(r);
    if (auto hook = hooks_.find(r.key()); hook != hooks_.end()) {
        auto run = std::move(hook->second);
        hooks_.erase(hook);
        guard.unlock();
        run();
        guard.lock();
    }

    net::HttpExchange ex;
    if (!failAll_.empty()) {
        ex.error = failAll_;
        return ex;
    }
    auto it = script_.find(r.key());
    if (it == script_.end() || it->second.empty()) {
        ex.response.status = 501;
        ex.response.reason = "unscripted: " + r.key();
        ex.response.body = "{\"data\":null}";
        return ex;
    }
    Reply reply = it->second.front();
    if (it->second.size() > 1) {
        it->second.pop_front();
    }
    if (!reply.transportError.empty()) {
        ex.error = reply.transportError;
        ex.timedOut = reply.timedOut;
        return ex;
    }
    ex.response = reply.response;
    return ex;
}

void ScriptedHttpClient::on(const std::string& key, Reply reply, bool replace) {
    std::lock_guard guard(mutex_);
    auto& queue = script_[key];
    if (replace) {
        queue.clear();
    }
    queue.push_back(std::move(reply));
}

std::vector<Recorded> ScriptedHttpClient::requests() const {
    std::lock_guard guard(mutex_);
    return records_;
}

std::size_t ScriptedHttpClient::count() const {
    std::lock_guard guard(mutex_);
    return records_.size();
}

std::size_t ScriptedHttpClient::count(const std::string& key) const {
    std::lock_guard guard(mutex_);
    std::size_t n = 0;
    for (const auto& r : records_) {
        n += r.key() == key ? 1 : 0;
    }
    return n;
}

void ScriptedHttpClient::clearRecords() {
    std::lock_guard guard(mutex_);
    records_.clear();
}

Timing::TimePoint ManualTiming::now() const {
    std::lock_guard guard(mutex_);
    return now_;
}

void ManualTiming::sleep(std::chrono::milliseconds duration) {
    std::lock_guard guard(mutex_);
    now_ += duration;
    slept_ += duration;
}

void ManualTiming::advance(std::chrono::milliseconds duration) {
    std::lock_guard guard(mutex_);
    now_ += duration;
}

std::chrono::milliseconds ManualTiming::slept() const {
    std::lock_guard guard(mutex_);
    return slept_;
}

}  // namespace chainvisor::hosts::proxmox::test
