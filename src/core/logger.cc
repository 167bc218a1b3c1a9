#include "core/logger.h"

namespace ordo {
namespace {

class Discard final : public Logger {
 public:
  void Log(LogLevel, const LogFields&, std::string_view) override {}
};

}  // namespace

Logger& NullLogger() {
  static Discard discard;
  return discard;
}

}  // namespace ordo
