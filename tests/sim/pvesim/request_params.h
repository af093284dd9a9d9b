// How pveproxy turns a request into one parameter hash: form-encoded or JSON body for POST/PUT,
// query parameters merged over it (they win), repeated keys joined with NUL like CGI.pm. JSON
// values become the strings Perl would see: true → "1", false → "0", numbers as written.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "params.h"

namespace pvesim {

std::string url_decode(std::string_view text, bool plus_is_space);
// application/x-www-form-urlencoded (also used for query strings).
Params decode_urlencoded(std::string_view text);

// Body (by content type) plus query. Nothing and `error` set when a JSON body does not parse.
std::optional<Params> request_params(const std::string& method, std::string_view content_type,
                                     std::string_view body, std::string_view query,
                                     std::string& error);

// "/nodes/{node}/lxc/{vmid}" against "/nodes/pve1/lxc/100": the placeholders' decoded values.
// Placeholders never match an empty segment.
bool match_path(std::string_view pattern, std::string_view path,
                std::vector<std::pair<std::string, std::string>>& captures);

}  // namespace pvesim
