// An API failure as Proxmox VE reports it: the HTTP status, the message that becomes the reason
// phrase (its first line), and for 400 the per-parameter errors. Thrown from deep inside the
// model the way pve-container `die`s, and turned into a response at the top.
#pragma once

#include <stdexcept>
#include <string>

#include "params.h"

namespace pvesim {

struct ApiError : std::runtime_error {
    int status;
    Errors errors;

    ApiError(int status_, const std::string& message, Errors errors_ = {})
        : std::runtime_error(message), status(status_), errors(std::move(errors_)) {}
};

// die "…\n" in a handler: 500 with the message as reason phrase.
[[noreturn]] inline void die(const std::string& message) {
    throw ApiError(500, message);
}

// raise_param_exc: 400 "Parameter verification failed." with per-parameter messages.
[[noreturn]] inline void param_error(Errors errors) {
    throw ApiError(400, "Parameter verification failed.", std::move(errors));
}

[[noreturn]] inline void param_error(const std::string& param, const std::string& message) {
    param_error(Errors{{param, message}});
}

// raise_perm_exc: 403 "Permission check failed (/vms/100, VM.PowerMgmt)".
[[noreturn]] inline void permission_error(const std::string& what) {
    throw ApiError(
        403, what.empty() ? "Permission check failed" : "Permission check failed (" + what + ")");
}

}  // namespace pvesim
