// API tokens as given on the command line and checked per request like pveproxy does:
// "Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET", split at the last '='. A token may
// carry a privilege set after the secret (":audit" read-only, ":noaudit" nothing at all) to
// simulate a privilege-separated token.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pvesim {

enum class Role {
    Admin,    // everything (a root@pam token without privilege separation)
    Audit,    // VM.Audit / Sys.Audit / Datastore.Audit only: reads work, changes get 403
    NoAudit,  // nothing: lists come back filtered (empty), reads and changes get 403
};

struct Token {
    std::string user;  // "root@pam"
    std::string name;  // "chainvisor"
    std::string secret;
    Role role = Role::Admin;
    std::string id() const { return user + "!" + name; }
};

// "root@pam!NAME=SECRET[:admin|:audit|:noaudit]"; nothing and `error` set when malformed.
std::optional<Token> parse_token_spec(std::string_view spec, std::string& error);

struct AuthResult {
    const Token* token = nullptr;  // set on success
    std::string reason;            // the 401 reason phrase otherwise
};

// Checks the request's Authorization and Cookie headers against the known tokens.
AuthResult authenticate(const std::vector<Token>& tokens, std::string_view authorization,
                        std::string_view cookie);

// Whether `role` holds privilege `priv` ("VM.Audit", "VM.PowerMgmt", …).
bool has_privilege(Role role, std::string_view priv);

}  // namespace pvesim
