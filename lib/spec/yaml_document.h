// A YAML document read for validation: every node with the location it was written at, every
// mapping entry in file order with duplicates kept (and flagged), aliases shared rather than
// copied. Built from yaml-cpp's event parser, so nothing is lost the way YAML::Node loses it.
//
// While building, it reports what is wrong with the document as YAML, whatever the schema:
// syntax errors, more than one document, nesting deeper than kMaxDepth, more than kMaxNodes
// nodes, duplicate keys, keys that are not strings, tags, self-referencing aliases, and keys that
// hold inline secrets (whose values it never repeats).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/diagnostic.h"

namespace chainvisor::spec::yaml {

inline constexpr int kMaxDepth = 64;
inline constexpr std::size_t kMaxNodes = 250'000;

enum class Kind { Null, Scalar, Sequence, Mapping };

using NodeId = std::uint32_t;

// A use of a node at a place in the file. For an alias, `where` is the alias, not the anchor.
struct Ref {
    NodeId id = 0;
    Location where;
};

struct Entry {
    Ref key;
    Ref value;
    // Readers skip entries that are not plain settings; each was reported once when read.
    enum class Skip { No, Duplicate, InvalidKey, InlineSecret, Merge } skip = Skip::No;
};

struct Node {
    Kind kind = Kind::Null;
    Location where;
    std::string text;            // scalars: the value
    bool quoted = false;         // scalars: quoted or block scalar, so always a string
    std::vector<Ref> items;      // sequences
    std::vector<Entry> entries;  // mappings, in file order, merged (<<) entries appended
    bool complete = false;       // false while the parser is still inside this node
};

class Document {
public:
    const Node& node(NodeId id) const { return nodes_[id]; }
    const Node& root() const { return nodes_[root_]; }
    NodeId rootId() const { return root_; }
    std::size_t size() const { return nodes_.size(); }

private:
    friend class Builder;
    std::vector<Node> nodes_;
    NodeId root_ = 0;
};

// Parses `text` (one YAML document). Reports problems into `diags`; returns no document when the
// text cannot be read as one (syntax error, empty, too deep, too large). A second document is
// reported as an error but the first is still returned, so its problems are reported too.
std::optional<Document> parseDocument(std::string_view text, Diagnostics& diags);

// Whether a mapping key names an inline secret (tokenSecret, secret, password, token,
// privateKey, in any case, with or without '-' or '_').
bool isSecretKey(std::string_view key);

// "a mapping", "a list", "nothing", or the scalar quoted and shortened: for "got …" messages.
std::string describe(const Node& node);

// A scalar quoted for a message: 'text', shortened to 60 characters, control characters escaped.
std::string quote(std::string_view text);

}  // namespace chainvisor::spec::yaml
