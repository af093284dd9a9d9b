#include "gzip.h"

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/crc.hpp>
#include <cstdlib>
#include <string>

namespace pvesim {

std::string gzip_compress(std::string_view data) {
    namespace zlib = boost::beast::zlib;
    std::string out;
    // Header: magic, deflate, no flags, no mtime, no extra flags, OS = Unix.
    const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    out.append(reinterpret_cast<const char*>(header), sizeof header);

    zlib::deflate_stream ds;
    ds.reset(6, 15, 8, zlib::Strategy::normal);  // raw deflate (no zlib wrapper)
    std::string buf(ds.upper_bound(data.size()) + 64, '\0');
    zlib::z_params zs;
    zs.next_in = data.data();
    zs.avail_in = data.size();
    zs.next_out = buf.data();
    zs.avail_out = buf.size();
    boost::system::error_code ec;
    ds.write(zs, zlib::Flush::finish, ec);
    buf.resize(buf.size() - zs.avail_out);
    out += buf;

    boost::crc_32_type crc;
    crc.process_bytes(data.data(), data.size());
    auto put32 = [&out](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
        }
    };
    put32(crc.checksum());
    put32(static_cast<std::uint32_t>(data.size()));
    return out;
}

bool accepts_gzip(std::string_view accept_encoding) {
    std::size_t pos = 0;
    while (pos < accept_encoding.size()) {
        std::size_t comma = accept_encoding.find(',', pos);
        std::string_view item = accept_encoding.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? accept_encoding.size() : comma + 1;
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        std::string_view coding = item.substr(0, item.find(';'));
        while (!coding.empty() && coding.back() == ' ') {
            coding.remove_suffix(1);
        }
        if (coding != "gzip" && coding != "*") {
            continue;
        }
        auto q = item.find("q=");
        if (q == std::string_view::npos ||
            std::strtod(std::string(item.substr(q + 2)).c_str(), nullptr) > 0) {
            return true;
        }
    }
    return false;
}

}  // namespace pvesim
