#include "auth.h"

#include <regex>

namespace pvesim {

namespace {

// PVE::APIServer::Formatter::extract_auth_value: "NAME=value" or "NAME value", up to ';',
// URI-unescaped.
std::optional<std::string> extract_auth_value(std::string_view header, std::string_view name) {
    std::size_t pos = 0;
    while (true) {
        pos = header.find(name, pos);
        if (pos == std::string_view::npos) {
            return std::nullopt;
        }
        bool at_start = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == '\t';
        std::size_t after = pos + name.size();
        if (at_start && after < header.size() && (header[after] == '=' || header[after] == ' ')) {
            std::string_view rest = header.substr(after + 1);
            rest = rest.substr(0, rest.find(';'));
            std::string out;
            for (std::size_t i = 0; i < rest.size(); ++i) {
                if (rest[i] == '%' && i + 2 < rest.size() && std::isxdigit(rest[i + 1]) &&
                    std::isxdigit(rest[i + 2])) {
                    out.push_back(static_cast<char>(
                        std::stoi(std::string(rest.substr(i + 1, 2)), nullptr, 16)));
                    i += 2;
                } else {
                    out.push_back(rest[i]);
                }
            }
            return out;
        }
        pos = after;
    }
}

}  // namespace

std::optional<Token> parse_token_spec(std::string_view spec, std::string& error) {
    auto eq = spec.rfind('=');
    if (eq == std::string_view::npos) {
        error = "expected USER@REALM!TOKENID=SECRET[:admin|:audit|:noaudit]";
        return std::nullopt;
    }
    std::string id(spec.substr(0, eq));
    std::string secret(spec.substr(eq + 1));
    Token t;
    auto colon = secret.rfind(':');
    if (colon != std::string::npos) {
        std::string role = secret.substr(colon + 1);
        if (role == "admin") {
            t.role = Role::Admin;
        } else if (role == "audit") {
            t.role = Role::Audit;
        } else if (role == "noaudit") {
            t.role = Role::NoAudit;
        } else {
            error = "unknown privilege set '" + role + "' (admin, audit or noaudit)";
            return std::nullopt;
        }
        secret.resize(colon);
    }
    static const std::regex re(
        "([^\\s@!:=]+@[A-Za-z][A-Za-z0-9\\.\\-_]+)!([A-Za-z][A-Za-z0-9\\.\\-_]+)");
    std::smatch m;
    if (!std::regex_match(id, m, re)) {
        error = "token id '" + id +
                "' is not USER@REALM!TOKENID (a token name is [A-Za-z][A-Za-z0-9.-_]+, at least "
                "two characters)";
        return std::nullopt;
    }
    if (secret.empty()) {
        error = "token '" + id + "' has an empty secret";
        return std::nullopt;
    }
    t.user = m[1].str();
    t.name = m[2].str();
    t.secret = secret;
    return t;
}

AuthResult authenticate(const std::vector<Token>& tokens, std::string_view authorization,
                        std::string_view cookie) {
    AuthResult r;
    if (extract_auth_value(cookie, "PVEAuthCookie") ||
        extract_auth_value(authorization, "PVEAuthCookie")) {
        r.reason = "Authentication failed!";  // the simulator issues no tickets
        return r;
    }
    auto value = extract_auth_value(authorization, "PVEAPIToken");
    if (!value) {
        r.reason = "No ticket";
        return r;
    }
    auto eq = value->rfind('=');
    if (eq != std::string::npos) {
        std::string id = value->substr(0, eq);
        std::string secret = value->substr(eq + 1);
        for (const auto& t : tokens) {
            if (t.id() == id && t.secret == secret) {
                r.token = &t;
                return r;
            }
        }
    }
    r.reason = "Authentication failed!";
    return r;
}

bool has_privilege(Role role, std::string_view priv) {
    switch (role) {
        case Role::Admin:
            return true;
        case Role::Audit:
            return priv == "VM.Audit" || priv == "Sys.Audit" || priv == "Datastore.Audit";
        case Role::NoAudit:
            return false;
    }
    return false;
}

}  // namespace pvesim
