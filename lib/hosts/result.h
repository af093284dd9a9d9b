// The result of a host call: a value, or an error that says whether retrying can help.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace chainvisor::hosts {

enum class ErrorKind {
    Transient,  // retry with backoff: timeouts, lock contention, 5xx, connection loss
    Permanent,  // retrying cannot help until something changes: bad parameter, not permitted
    // The node did not become healthy after a change (its health gate): roll it back and halt
    // the rolling change; retrying the same change would fail the same way.
    Unhealthy,
};

struct Error {
    ErrorKind kind = ErrorKind::Transient;
    std::string message;  // what failed and where; never a secret

    static Error transient(std::string m) { return {ErrorKind::Transient, std::move(m)}; }
    static Error permanent(std::string m) { return {ErrorKind::Permanent, std::move(m)}; }
    static Error unhealthy(std::string m) { return {ErrorKind::Unhealthy, std::move(m)}; }
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

private:
    Error error_;
    bool ok_ = true;
};

}  // namespace chainvisor::hosts
