// gzip (RFC 1952) for response bodies: pveproxy compresses bodies over 1 KiB when the client
// sends "Accept-Encoding: gzip", so a client must cope with Content-Encoding: gzip.
#pragma once

#include <string>
#include <string_view>

namespace pvesim {

std::string gzip_compress(std::string_view data);
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace pvesim
