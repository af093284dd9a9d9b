// Certificates made in-process with OpenSSL for the HTTPS client tests: a self-signed one, a
// test CA and leaves it signs. EC P-256 keys: fast to make.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace chainvisor::net::test {

struct TestCert {
    std::string certPem;
    std::string keyPem;
    std::string fingerprint;  // SHA-256 over DER, "AB:CD:…"
};

// `names`: subjectAltName entries, e.g. {"IP:127.0.0.1", "DNS:localhost"}.
TestCert makeSelfSigned(const std::string& commonName, const std::vector<std::string>& names);

class TestAuthority {
public:
    explicit TestAuthority(const std::string& commonName);
    ~TestAuthority();
    TestAuthority(const TestAuthority&) = delete;
    TestAuthority& operator=(const TestAuthority&) = delete;

    const TestCert& cert() const { return cert_; }
    TestCert issue(const std::string& commonName, const std::vector<std::string>& names) const;

private:
    struct Keys;
    std::unique_ptr<Keys> keys_;
    TestCert cert_;
};

// A file removed when this goes out of scope.
class TempFile {
public:
    explicit TempFile(const std::string& content);
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace chainvisor::net::test
