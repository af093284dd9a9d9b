#include "test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "net/tls_trust.h"

namespace chainvisor::net::test {

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using CertPtr = std::unique_ptr<X509, X509Free>;

void require(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("test certificate: ") + what + " failed");
    }
}

KeyPtr newKey() {
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    require(key != nullptr, "EC key generation");
    return key;
}

void addExtension(X509* cert, X509V3_CTX* context, int nid, const std::string& value) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str());
    require(extension != nullptr, "building an extension");
    require(X509_add_ext(cert, extension, -1) == 1, "adding an extension");
    X509_EXTENSION_free(extension);
}

// issuer/issuerKey null: self-signed.
CertPtr makeCert(EVP_PKEY* key, const std::string& commonName,
                 const std::vector<std::string>& names, bool isCa, X509* issuer,
                 EVP_PKEY* issuerKey) {
    CertPtr cert(X509_new());
    require(cert != nullptr, "X509_new");
    require(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
    unsigned char serial[16];
    require(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
    serial[0] &= 0x7F;
    BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
    require(number != nullptr && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get())),
            "serial number");
    BN_free(number);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
    require(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
    X509_NAME* subject = X509_get_subject_name(cert.get());
    require(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(commonName.c_str()),
                                       -1, -1, 0) == 1,
            "subject name");
    require(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject) == 1,
            "issuer name");

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    addExtension(cert.get(), &context, NID_basic_constraints,
                 isCa ? "critical,CA:TRUE" : "critical,CA:FALSE");
    addExtension(cert.get(), &context, NID_key_usage,
                 isCa ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    addExtension(cert.get(), &context, NID_subject_key_identifier, "hash");
    if (issuer) {
        addExtension(cert.get(), &context, NID_authority_key_identifier, "keyid:always");
    }
    if (!isCa) {
        addExtension(cert.get(), &context, NID_ext_key_usage, "serverAuth");
    }
    if (!names.empty()) {
        std::string list;
        for (const auto& name : names) {
            list += (list.empty() ? "" : ",") + name;
        }
        addExtension(cert.get(), &context, NID_subject_alt_name, list);
    }
    require(X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

std::string bioText(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

TestCert describe(X509* cert, EVP_PKEY* key) {
    TestCert out;
    std::unique_ptr<BIO, BioFree> certBio(BIO_new(BIO_s_mem()));
    require(PEM_write_bio_X509(certBio.get(), cert) == 1, "PEM_write_bio_X509");
    out.certPem = bioText(certBio.get());
    std::unique_ptr<BIO, BioFree> keyBio(BIO_new(BIO_s_mem()));
    require(PEM_write_bio_PrivateKey(keyBio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
            "PEM_write_bio_PrivateKey");
    out.keyPem = bioText(keyBio.get());
    Sha256 digest{};
    unsigned int length = 0;
    require(X509_digest(cert, EVP_sha256(), digest.data(), &length) == 1 && length == 32,
            "X509_digest");
    out.fingerprint = formatFingerprint(digest);
    return out;
}

}  // namespace

TestCert makeSelfSigned(const std::string& commonName, const std::vector<std::string>& names) {
    auto key = newKey();
    auto cert = makeCert(key.get(), commonName, names, false, nullptr, nullptr);
    return describe(cert.get(), key.get());
}

struct TestAuthority::Keys {
    KeyPtr key;
    CertPtr cert;
};

TestAuthority::TestAuthority(const std::string& commonName) : keys_(std::make_unique<Keys>()) {
    keys_->key = newKey();
    keys_->cert = makeCert(keys_->key.get(), commonName, {}, true, nullptr, nullptr);
    cert_ = describe(keys_->cert.get(), keys_->key.get());
}

TestAuthority::~TestAuthority() = default;

TestCert TestAuthority::issue(const std::string& commonName,
                              const std::vector<std::string>& names) const {
    auto key = newKey();
    auto cert = makeCert(key.get(), commonName, names, false, keys_->cert.get(), keys_->key.get());
    return describe(cert.get(), key.get());
}

TempFile::TempFile(const std::string& content) {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("chainvisor-net-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter++) + ".pem"))
                .string();
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    require(static_cast<bool>(out), "writing a temporary file");
}

TempFile::~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

}  // namespace chainvisor::net::test
