#include "prometheus_text.h"

#include <regex>
#include <set>
#include <sstream>

namespace ordo::testing {

Result<std::map<std::string, double>> ParsePrometheusText(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")"
      R"((?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? ([^ ]+))");
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  std::set<std::string> finished;  // families whose samples ended
  std::string current;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto bad = [&](const std::string& why) {
    return InvalidArgument("line " + std::to_string(n) + ": " + why + ": " + line);
  };
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (line.empty()) continue;
    if (line.rfind("# HELP ", 0) == 0) {
      if (!std::regex_match(line, m, kHelp)) return bad("malformed HELP");
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      if (!std::regex_match(line, m, kType)) return bad("malformed TYPE");
      if (types.count(m[1].str())) return bad("second TYPE for a family");
      types[m[1].str()] = m[2].str();
      continue;
    }
    if (line[0] == '#') continue;
    if (!std::regex_match(line, m, kSample)) return bad("malformed sample");
    std::string name = m[1].str();
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s = suffix;
      if (family.size() > s.size() && family.compare(family.size() - s.size(), s.size(), s) == 0 &&
          types.count(family.substr(0, family.size() - s.size())))
        family = family.substr(0, family.size() - s.size());
    }
    if (!types.count(family)) return bad("sample before its TYPE");
    if (family != current) {
      if (finished.count(family)) return bad("family's samples are not contiguous");
      if (!current.empty()) finished.insert(current);
      current = family;
    }
    std::string value = m[3].str();
    double v = 0;
    if (value == "+Inf")
      v = 1.0 / 0.0;
    else if (value == "-Inf")
      v = -1.0 / 0.0;
    else if (value == "NaN")
      v = 0.0 / 0.0;
    else {
      size_t used = 0;
      try {
        v = std::stod(value, &used);
      } catch (...) {
        return bad("value is not a number");
      }
      if (used != value.size()) return bad("value is not a number");
    }
    std::string key = name + m[2].str();
    if (samples.count(key)) return bad("duplicate sample");
    samples[key] = v;
  }
  return samples;
}

}  // namespace ordo::testing
