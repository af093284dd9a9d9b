#include "spec/field_reader.h"

#include <algorithm>
#include <charconv>

#include "spec/did_you_mean.h"
#include "spec/values.h"

namespace chainvisor::spec::detail {

using yaml::Kind;

std::string childPath(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string itemPath(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

Reader::Reader(const yaml::Document& doc, Diagnostics& diags, SourceMap& source)
    : doc_(doc), diags_(diags), source_(source) {}

Field Reader::root() const {
    const auto& node = doc_.root();
    return Field{&node, "", node.where, node.where};
}

Field Reader::makeField(const yaml::Ref& ref, std::string path, Location keyWhere) const {
    return Field{&doc_.node(ref.id), std::move(path), ref.where, keyWhere};
}

void Reader::error(Location where, const std::string& path, std::string message) {
    if (diags_.all().size() >= kMaxDiagnostics) {
        ++suppressed_;
        return;
    }
    diags_.error(where, path, std::move(message));
}

void Reader::warning(Location where, const std::string& path, std::string message) {
    if (diags_.all().size() >= kMaxDiagnostics) {
        return;
    }
    diags_.warning(where, path, std::move(message));
}

bool Reader::visit(const Field& field) {
    if (exhausted_) {
        return false;
    }
    if (++visits_ > kMaxVisits) {
        exhausted_ = true;
        error(field.where, "",
              "aliases expand the document into more than " + std::to_string(kMaxVisits) +
                  " values; a cluster file is far smaller: use fewer aliases");
        return false;
    }
    return true;
}

std::optional<std::string> Reader::string(const Field& field) {
    if (!visit(field)) {
        return std::nullopt;
    }
    const auto& node = field.value();
    if (node.kind != Kind::Scalar) {
        error(field, "expected a string, got " + yaml::describe(node));
        return std::nullopt;
    }
    return node.text;
}

std::optional<std::int64_t> Reader::integer(const Field& field, std::int64_t min,
                                            std::int64_t max) {
    if (!visit(field)) {
        return std::nullopt;
    }
    const auto& node = field.value();
    const std::string range = "accepted: " + std::to_string(min) + " to " + std::to_string(max);
    if (node.kind != Kind::Scalar) {
        error(field, "expected an integer, got " + yaml::describe(node) + "; " + range);
        return std::nullopt;
    }
    if (node.quoted) {
        error(field, "expected an integer, got the quoted string " + yaml::quote(node.text) +
                         "; remove the quotes");
        return std::nullopt;
    }
    const std::string_view text = node.text;
    const bool negative = !text.empty() && text[0] == '-';
    const std::string_view digits = text.substr(negative ? 1 : 0);
    const bool allDigits = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    if (!allDigits) {
        error(field, "expected an integer, got " + yaml::quote(text) + "; " + range);
        return std::nullopt;
    }
    if (digits.size() > 1 && digits[0] == '0') {
        error(field, "expected an integer without leading zeros, got " + yaml::quote(text));
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || value < min || value > max) {
        error(field, std::string(text) + " is out of range; " + range);
        return std::nullopt;
    }
    return value;
}

std::optional<bool> Reader::boolean(const Field& field) {
    if (!visit(field)) {
        return std::nullopt;
    }
    const auto& node = field.value();
    if (node.kind == Kind::Scalar && !node.quoted) {
        if (node.text == "true") {
            return true;
        }
        if (node.text == "false") {
            return false;
        }
    }
    if (node.kind == Kind::Scalar && node.quoted) {
        error(field, "expected true or false, got the quoted string " + yaml::quote(node.text) +
                         "; remove the quotes");
    } else {
        error(field, "expected true or false, got " + yaml::describe(node));
    }
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> Reader::duration(const Field& field,
                                                          std::chrono::milliseconds min,
                                                          std::chrono::milliseconds max) {
    const auto& node = field.value();
    if (node.kind != Kind::Scalar) {
        if (visit(field)) {
            error(field, "expected a duration such as 30s, got " + yaml::describe(node));
        }
        return std::nullopt;
    }
    auto text = string(field);
    if (!text) {
        return std::nullopt;
    }
    const std::string range = "accepted: " + formatDuration(min) + " to " + formatDuration(max);
    auto d = parseDuration(*text);
    if (!d) {
        error(field, "expected a duration such as 30s, got " + yaml::quote(*text) +
                         "; accepted units: ms, s, m, h");
        return std::nullopt;
    }
    if (*d < min || *d > max) {
        error(field, *text + " is out of range; " + range);
        return std::nullopt;
    }
    return d;
}

std::optional<std::size_t> Reader::choice(const Field& field,
                                          const std::vector<std::string>& accepted) {
    auto text = string(field);
    if (!text) {
        return std::nullopt;
    }
    auto it = std::find(accepted.begin(), accepted.end(), *text);
    if (it != accepted.end()) {
        return static_cast<std::size_t>(it - accepted.begin());
    }
    error(field, "unknown value " + yaml::quote(*text) + "; " + suggestion(*text, accepted));
    return std::nullopt;
}

std::optional<std::vector<Field>> Reader::list(const Field& field) {
    if (!visit(field)) {
        return std::nullopt;
    }
    const auto& node = field.value();
    std::vector<Field> items;
    if (node.kind == Kind::Null) {
        return items;
    }
    if (node.kind != Kind::Sequence) {
        error(field, "expected a list, got " + yaml::describe(node));
        return std::nullopt;
    }
    items.reserve(node.items.size());
    for (std::size_t i = 0; i < node.items.size(); ++i) {
        const auto& ref = node.items[i];
        items.push_back(makeField(ref, itemPath(field.path, i), ref.where));
        record(items.back());
    }
    return items;
}

MappingReader::MappingReader(Reader& reader, Field mapping)
    : reader_(reader), mapping_(std::move(mapping)) {
    if (!reader_.visit(mapping_)) {
        return;
    }
    reader_.record(mapping_);
    const Kind kind = mapping_.kind();
    if (kind == Kind::Mapping || kind == Kind::Null) {
        ok_ = true;
        return;
    }
    reader_.error(mapping_, "expected a mapping, got " + yaml::describe(mapping_.value()));
}

const yaml::Entry* MappingReader::find(std::string_view key) const {
    if (!ok_) {
        return nullptr;
    }
    for (const auto& entry : mapping_.value().entries) {
        if (entry.skip == yaml::Entry::Skip::No &&
            reader_.document().node(entry.key.id).text == key) {
            return &entry;
        }
    }
    return nullptr;
}

Field MappingReader::valueField(const yaml::Entry& entry) const {
    const auto& key = reader_.document().node(entry.key.id).text;
    return reader_.makeField(entry.value, childPath(mapping_.path, key), entry.key.where);
}

std::optional<Field> MappingReader::get(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        known_.emplace_back(key);
    }
    const auto* entry = find(key);
    if (entry == nullptr || reader_.exhausted()) {
        return std::nullopt;
    }
    Field field = valueField(*entry);
    reader_.record(field);
    return field;
}

std::optional<Field> MappingReader::require(std::string_view key) {
    auto field = get(key);
    if (!field && ok_) {
        missing_.emplace_back(key);
    }
    return field;
}

std::vector<std::pair<std::string, Field>> MappingReader::all() {
    all_ = true;
    std::vector<std::pair<std::string, Field>> out;
    if (!ok_ || reader_.exhausted()) {
        return out;
    }
    for (const auto& entry : mapping_.value().entries) {
        if (entry.skip != yaml::Entry::Skip::No) {
            continue;
        }
        Field field = valueField(entry);
        reader_.record(field);
        out.emplace_back(reader_.document().node(entry.key.id).text, std::move(field));
    }
    return out;
}

void MappingReader::finish() {
    if (!ok_ || reader_.exhausted()) {
        return;
    }
    std::vector<std::string> unknown;
    if (!all_) {
        for (const auto& entry : mapping_.value().entries) {
            const auto& key = reader_.document().node(entry.key.id).text;
            if (entry.skip == yaml::Entry::Skip::No && !isIgnored(key) &&
                std::find(known_.begin(), known_.end(), key) == known_.end()) {
                unknown.push_back(key);
            }
        }
    }
    for (const auto& key : missing_) {
        const bool misspelt = std::any_of(unknown.begin(), unknown.end(), [&](const auto& u) {
            return closestMatch(u, known_) == key;
        });
        if (!misspelt) {
            reader_.error(mapping_, "missing required key '" + key + "'");
        }
    }
    missing_.clear();
    if (all_) {
        return;
    }
    for (const auto& entry : mapping_.value().entries) {
        if (entry.skip != yaml::Entry::Skip::No) {
            continue;
        }
        const auto& key = reader_.document().node(entry.key.id).text;
        if (isIgnored(key) || std::find(known_.begin(), known_.end(), key) != known_.end()) {
            continue;
        }
        reader_.error(entry.key.where, childPath(mapping_.path, key),
                      "unknown key; " + suggestion(key, known_));
    }
}

}  // namespace chainvisor::spec::detail
