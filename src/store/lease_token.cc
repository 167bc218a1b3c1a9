#include "store/lease_token.h"

#include <uuid/uuid.h>

namespace ordo {

std::string NewLeaseToken() {
  uuid_t id;
  uuid_generate_random(id);
  char text[37];
  uuid_unparse_lower(id, text);
  return text;
}

std::string NewExternalApplyId() {
  uuid_t id;
  uuid_generate_random(id);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "ap_";
  for (int i = 0; i < 10; ++i) {
    out += kHex[id[i] >> 4];
    out += kHex[id[i] & 0xf];
  }
  return out;
}

}  // namespace ordo
