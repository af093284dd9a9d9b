// Reading typed fields out of a yaml::Document against the schema, with a located diagnostic
// for every value that is missing, of the wrong type, out of range or unknown, and a SourceMap
// entry for every field read. Readers never stop at an error: they report it and go on.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/diagnostic.h"
#include "spec/yaml_document.h"

namespace chainvisor::spec::detail {

// A value in the document and the field path it is read as.
struct Field {
    const yaml::Node* node = nullptr;
    std::string path;   // "nodes[2].vmid"
    Location where;     // the value (for an alias: where the alias is used)
    Location keyWhere;  // the key the value is under (list items: the item itself)

    const yaml::Node& value() const { return *node; }
    yaml::Kind kind() const { return node->kind; }
};

std::string childPath(const std::string& parent, std::string_view key);
std::string itemPath(const std::string& parent, std::size_t index);

class Reader {
public:
    // Most values a (possibly alias-expanded) document may be read as.
    static constexpr std::size_t kMaxVisits = 1'000'000;
    // Most diagnostics reported; the rest are counted in one closing line.
    static constexpr std::size_t kMaxDiagnostics = 500;

    Reader(const yaml::Document& doc, Diagnostics& diags, SourceMap& source);

    Field root() const;
    const yaml::Document& document() const { return doc_; }

    void error(Location where, const std::string& path, std::string message);
    void warning(Location where, const std::string& path, std::string message);
    void error(const Field& field, std::string message) {
        error(field.where, field.path, std::move(message));
    }
    void keyError(const Field& field, std::string message) {
        error(field.keyWhere, field.path, std::move(message));
    }
    // How many diagnostics were left out beyond kMaxDiagnostics.
    std::size_t suppressed() const { return suppressed_; }

    // Counts one value read. Returns false, after one error, once aliases have expanded the
    // document beyond kMaxVisits values; readers then stop.
    bool visit(const Field& field);
    bool exhausted() const { return exhausted_; }

    void record(const Field& field) { source_.record(field.path, field.where); }
    const SourceMap& source() const { return source_; }

    // Typed scalars. Each reports what is wrong at the value and returns nullopt.
    std::optional<std::string> string(const Field& field);
    std::optional<std::int64_t> integer(const Field& field, std::int64_t min, std::int64_t max);
    std::optional<bool> boolean(const Field& field);
    std::optional<std::chrono::milliseconds> duration(const Field& field,
                                                      std::chrono::milliseconds min,
                                                      std::chrono::milliseconds max);
    // One of `accepted` (exact spelling); returns its index.
    std::optional<std::size_t> choice(const Field& field, const std::vector<std::string>& accepted);

    // The items of a list. A value that is not a list is reported (nullopt); an empty value is
    // an empty list.
    std::optional<std::vector<Field>> list(const Field& field);

    Field makeField(const yaml::Ref& ref, std::string path, Location keyWhere) const;

private:
    const yaml::Document& doc_;
    Diagnostics& diags_;
    SourceMap& source_;
    std::size_t visits_ = 0;
    std::size_t suppressed_ = 0;
    bool exhausted_ = false;
};

// Reads the keys of one mapping. Every key asked for is known; finish() reports the others as
// unknown, suggesting the closest known key.
class MappingReader {
public:
    // Reports a value that is not a mapping (ok() is then false). An empty value is an empty
    // mapping, so its required keys are reported as missing.
    MappingReader(Reader& reader, Field mapping);

    bool ok() const { return ok_; }
    const Field& field() const { return mapping_; }

    // The value of `key`, if present.
    std::optional<Field> get(std::string_view key);
    // The value of `key`; when absent, finish() reports "missing required key" at the mapping
    // (unless an unknown key is a likely misspelling of it, which says so instead).
    std::optional<Field> require(std::string_view key);
    // Every entry, for free-form mappings (labels, config): key text and value.
    std::vector<std::pair<std::string, Field>> all();

    // Accepts, without reading them, keys that start with `prefix` (a place for anchors).
    void ignoreKeysStartingWith(std::string_view prefix) { ignoredPrefix_ = prefix; }

    // Reports missing required keys and every key that was not asked for.
    void finish();

private:
    const yaml::Entry* find(std::string_view key) const;
    bool isIgnored(const std::string& key) const {
        return !ignoredPrefix_.empty() && key.rfind(ignoredPrefix_, 0) == 0;
    }
    Field valueField(const yaml::Entry& entry) const;

    Reader& reader_;
    Field mapping_;
    bool ok_ = false;
    bool all_ = false;
    std::vector<std::string> known_;
    std::vector<std::string> missing_;
    std::string ignoredPrefix_;  // required keys not found, reported by finish()
};

}  // namespace chainvisor::spec::detail
