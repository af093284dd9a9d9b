#include "spec/yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace chainvisor::spec::yaml {
namespace {

constexpr std::string_view kInlineSecret =
    "inline secrets are not accepted; put it in a file with mode 0600 and use tokenSecretFile, "
    "or use tokenSecretEnv";

// Stops the parse: the document is unusable as a whole (too deep, too large).
struct Abort {
    Location where;
    std::string message;
};

Location toLocation(const YAML::Mark& mark) {
    if (mark.line < 0 || mark.column < 0) {
        return {};
    }
    return {mark.line + 1, mark.column + 1};
}

std::string join(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// yaml-cpp hands plain scalars the tag "?" and quoted ones "!"; anything else was written.
bool isExplicitTag(const std::string& tag) {
    return !tag.empty() && tag != "?" && tag != "!";
}

std::string displayTag(const std::string& tag) {
    constexpr std::string_view kCore = "tag:yaml.org,2002:";
    if (tag.rfind(kCore, 0) == 0) {
        return "!!" + tag.substr(kCore.size());
    }
    return tag;
}

// yaml-cpp's message, kept for searching, with a hint at the usual cause.
std::string syntaxError(const std::string& message) {
    static const std::unordered_map<std::string, std::string> kHints = {
        {"end of sequence flow not found", "a '[' list is not closed with ']'"},
        {"end of map flow not found", "a '{' mapping is not closed with '}'"},
        {"end of map not found", "check the indentation of the lines above"},
        {"end of sequence not found", "check the indentation of the lines above"},
        {"illegal map value",
         "a ':' where no value can start: check the indentation, or quote "
         "a value that contains ': '"},
        {"illegal tab when looking for indentation",
         "indent with spaces; YAML does not allow tabs for indentation"},
        {"unknown token", "quote values that start with '@' or '`'"},
        {"end of string not found", "a quoted string is not closed"},
        {"the referenced anchor is not defined", "define '&name' before using '*name'"},
    };
    std::string out = "YAML syntax error: " + message;
    if (auto it = kHints.find(message); it != kHints.end()) {
        out += " (" + it->second + ")";
    }
    return out;
}

const std::string kEmptyMessage =
    "the file is empty; expected a mapping with apiVersion: chainvisor/v1";

}  // namespace

// Turns yaml-cpp's events into a Document, reporting YAML-level problems as it goes.
class Builder final : public YAML::EventHandler {
public:
    Builder(Document& doc, Diagnostics& diags) : doc_(doc), diags_(diags) {}

    bool sawDocument() const { return sawDocument_; }
    Location documentStart() const { return documentStart_; }

    void OnDocumentStart(const YAML::Mark& mark) override {
        sawDocument_ = true;
        documentStart_ = toLocation(mark);
    }
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        Node node;
        node.kind = Kind::Null;
        node.where = toLocation(mark);
        node.complete = true;
        const NodeId id = add(std::move(node), anchor);
        attach(Ref{id, toLocation(mark)});
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        const Location where = toLocation(mark);
        auto it = anchors_.find(anchor);
        if (it == anchors_.end() || !doc_.nodes_[it->second].complete) {
            diags_.error(where, childPath(),
                         "an alias cannot refer to a node that contains it; recursive structures "
                         "are not accepted");
            Node node;
            node.where = where;
            node.complete = true;
            attach(Ref{add(std::move(node), 0), where});
            return;
        }
        attach(Ref{it->second, where});
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        const Location where = toLocation(mark);
        checkTag(tag, where);
        Node node;
        node.kind = Kind::Scalar;
        node.where = where;
        node.text = value;
        node.quoted = tag == "!";
        node.complete = true;
        const NodeId id = add(std::move(node), anchor);
        attach(Ref{id, where});
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value /*style*/) override {
        startContainer(Kind::Sequence, mark, tag, anchor);
    }
    void OnSequenceEnd() override { endContainer(); }

    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value /*style*/) override {
        startContainer(Kind::Mapping, mark, tag, anchor);
    }
    void OnMapEnd() override {
        applyMerges();
        endContainer();
    }

private:
    struct Frame {
        NodeId id = 0;
        std::string path;
        std::optional<Ref> pendingKey;                        // mappings: key awaiting value
        std::unordered_map<std::string, int> firstLineOfKey;  // mappings: for duplicates
    };

    Node& node(NodeId id) { return doc_.nodes_[id]; }

    NodeId add(Node node, YAML::anchor_t anchor) {
        spend(1, node.where);
        doc_.nodes_.push_back(std::move(node));
        const auto id = static_cast<NodeId>(doc_.nodes_.size() - 1);
        if (anchor != 0) {
            anchors_[anchor] = id;
        }
        return id;
    }

    void spend(std::size_t n, Location where) {
        budget_ += n;
        if (budget_ > kMaxNodes) {
            throw Abort{where, "the document has more than " + std::to_string(kMaxNodes) +
                                   " nodes (counting merged keys); a cluster file is far "
                                   "smaller"};
        }
    }

    void checkTag(const std::string& tag, Location where) {
        if (isExplicitTag(tag)) {
            diags_.error(where, childPath(),
                         "YAML tags are not supported ('" + displayTag(tag) + "'); remove the tag");
        }
    }

    // The field path of the node about to be attached at the top of the stack.
    std::string childPath() const {
        if (stack_.empty()) {
            return "";
        }
        const Frame& top = stack_.back();
        const Node& parent = doc_.nodes_[top.id];
        if (parent.kind == Kind::Sequence) {
            return top.path + "[" + std::to_string(parent.items.size()) + "]";
        }
        if (top.pendingKey) {
            const Node& key = doc_.nodes_[top.pendingKey->id];
            return join(top.path, key.kind == Kind::Scalar ? key.text : "?");
        }
        return top.path;  // a key is not a field of its own
    }

    void startContainer(Kind kind, const YAML::Mark& mark, const std::string& tag,
                        YAML::anchor_t anchor) {
        const Location where = toLocation(mark);
        if (stack_.size() >= static_cast<std::size_t>(kMaxDepth)) {
            throw Abort{where, "nested more than " + std::to_string(kMaxDepth) +
                                   " levels deep; a cluster file needs no more than 6"};
        }
        checkTag(tag, where);
        Node n;
        n.kind = kind;
        n.where = where;
        const std::string path = childPath();
        const NodeId id = add(std::move(n), anchor);
        attach(Ref{id, where});
        Frame frame;
        frame.id = id;
        frame.path = path;
        stack_.push_back(std::move(frame));
    }

    void endContainer() {
        node(stack_.back().id).complete = true;
        stack_.pop_back();
    }

    void attach(Ref ref) {
        if (stack_.empty()) {
            doc_.root_ = ref.id;
            return;
        }
        Frame& top = stack_.back();
        if (node(top.id).kind == Kind::Sequence) {
            node(top.id).items.push_back(ref);
            return;
        }
        if (!top.pendingKey) {
            top.pendingKey = ref;
            return;
        }
        Entry entry{*top.pendingKey, ref, Entry::Skip::No};
        top.pendingKey.reset();
        // An empty value is reported by yaml-cpp at the next token, often on a later line: point
        // at the key instead.
        if (node(ref.id).kind == Kind::Null && ref.where.line > entry.key.where.line) {
            entry.value.where = entry.key.where;
        }
        entry.skip = classifyKey(top, entry);
        node(top.id).entries.push_back(entry);
    }

    Entry::Skip classifyKey(Frame& frame, const Entry& entry) {
        const Node& key = node(entry.key.id);
        if (key.kind != Kind::Scalar) {
            diags_.error(entry.key.where, frame.path,
                         "a key must be a string, got " + describe(key));
            return Entry::Skip::InvalidKey;
        }
        if (key.text == "<<" && !key.quoted) {
            return Entry::Skip::Merge;
        }
        const std::string path = join(frame.path, key.text);
        if (isSecretKey(key.text)) {
            diags_.error(entry.key.where, path, std::string(kInlineSecret));
            return Entry::Skip::InlineSecret;
        }
        auto [it, inserted] = frame.firstLineOfKey.emplace(key.text, entry.key.where.line);
        if (!inserted) {
            diags_.error(entry.key.where, path,
                         "duplicate key " + quote(key.text) + " (first at line " +
                             std::to_string(it->second) + ")");
            return Entry::Skip::Duplicate;
        }
        return Entry::Skip::No;
    }

    // YAML merge keys: `<<: *base` or `<<: [*a, *b]` adds the entries of those mappings whose
    // keys this mapping does not set itself (earlier sources win over later ones).
    void applyMerges() {
        Frame& frame = stack_.back();
        const NodeId self = frame.id;
        std::vector<NodeId> sources;
        for (const Entry& entry : node(self).entries) {
            if (entry.skip != Entry::Skip::Merge) {
                continue;
            }
            const Node& value = node(entry.value.id);
            bool ok = value.kind == Kind::Mapping;
            if (ok) {
                sources.push_back(entry.value.id);
            } else if (value.kind == Kind::Sequence) {
                ok = !value.items.empty();
                for (const Ref& item : value.items) {
                    ok = ok && node(item.id).kind == Kind::Mapping;
                }
                if (ok) {
                    for (const Ref& item : value.items) {
                        sources.push_back(item.id);
                    }
                }
            }
            if (!ok) {
                diags_.error(entry.value.where, join(frame.path, "<<"),
                             "a merge key takes a mapping, got " + describe(value) +
                                 "; accepted: an alias of a mapping (<<: *base) or a list of "
                                 "them");
            }
        }
        for (NodeId source : sources) {
            // Copy: node(self).entries may reallocate while appending.
            const std::vector<Entry> sourceEntries = node(source).entries;
            for (const Entry& entry : sourceEntries) {
                if (entry.skip != Entry::Skip::No) {
                    continue;
                }
                const std::string& key = node(entry.key.id).text;
                if (frame.firstLineOfKey.emplace(key, entry.key.where.line).second) {
                    spend(1, entry.key.where);
                    node(self).entries.push_back(entry);
                }
            }
        }
    }

    Document& doc_;
    Diagnostics& diags_;
    std::vector<Frame> stack_;
    std::unordered_map<YAML::anchor_t, NodeId> anchors_;
    std::size_t budget_ = 0;
    bool sawDocument_ = false;
    Location documentStart_;
};

std::optional<Document> parseDocument(std::string_view text, Diagnostics& diags) {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    Document doc;
    try {
        Builder builder(doc, diags);
        if (!parser.HandleNextDocument(builder) || doc.size() == 0) {
            diags.error({}, "", kEmptyMessage);
            return std::nullopt;
        }
    } catch (const Abort& abort) {
        diags.error(abort.where, "", abort.message);
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        diags.error(toLocation(e.mark), "", syntaxError(e.msg));
        return std::nullopt;
    }
    if (doc.root().kind == Kind::Null) {
        diags.error({}, "", kEmptyMessage);
        return std::nullopt;
    }

    // Anything after the first document is a mistake (a pasted second file, a stray '---').
    Document second;
    Diagnostics ignored(diags.file());
    Builder builder(second, ignored);
    const std::string message =
        "a second YAML document starts here; a cluster file holds exactly one (remove this '---' "
        "and what follows it)";
    try {
        if (parser.HandleNextDocument(builder)) {
            diags.error(builder.documentStart(), "", message);
        }
    } catch (const Abort&) {
        diags.error(builder.documentStart(), "", message);
    } catch (const YAML::Exception& e) {
        if (builder.sawDocument()) {
            diags.error(builder.documentStart(), "", message);
        } else {
            diags.error(toLocation(e.mark), "", syntaxError(e.msg));
        }
    }
    return doc;
}

bool isSecretKey(std::string_view key) {
    std::string normal;
    for (char c : key) {
        if (c != '-' && c != '_') {
            normal += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    static const std::unordered_set<std::string> kSecrets = {"tokensecret", "secret", "password",
                                                             "token", "privatekey"};
    return kSecrets.count(normal) > 0;
}

std::string describe(const Node& node) {
    switch (node.kind) {
        case Kind::Null:
            return "nothing";
        case Kind::Sequence:
            return "a list";
        case Kind::Mapping:
            return "a mapping";
        case Kind::Scalar:
            return quote(node.text);
    }
    return "?";
}

std::string quote(std::string_view text) {
    constexpr std::size_t kMax = 60;
    std::string out = "'";
    std::size_t shown = 0;
    for (std::size_t i = 0; i < text.size() && shown < kMax; ++i, ++shown) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > kMax) {
        // Do not cut a UTF-8 sequence in half.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
            out.pop_back();
        }
        if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) {
            out.pop_back();
        }
        out += "…";
    }
    out += "'";
    return out;
}

}  // namespace chainvisor::spec::yaml
