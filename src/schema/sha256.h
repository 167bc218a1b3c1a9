// SHA-256 of a byte string, as lower-case hex: the hashes of a plan (the desired files,
// each deployment's live schema) that stored plans compare.
//
// Thread-safety: a pure function.
//
//   Sha256Hex("abc");  // "ba7816bf…15ad"
#pragma once

#include <string>
#include <string_view>

namespace ordo::schema {

std::string Sha256Hex(std::string_view data);

}  // namespace ordo::schema
