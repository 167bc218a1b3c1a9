#include "api/apply_request.h"

#include <nlohmann/json.hpp>

namespace ordo {
namespace {

using nlohmann::json;

Result<std::string> RequiredString(const json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) return InvalidArgument(std::string(field) + ": required");
  if (!it->is_string() || it->get<std::string>().empty())
    return InvalidArgument(std::string(field) + ": expected a non-empty string");
  return it->get<std::string>();
}

Result<bool> OptionalBool(const json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) return false;
  if (!it->is_boolean()) return InvalidArgument(std::string(field) + ": expected true or false");
  return it->get<bool>();
}

}  // namespace

Result<app::ApplyRequest> ParseApplyRequest(std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument("body: not valid JSON");
  if (!doc.is_object()) return InvalidArgument("body: expected a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key == "plan")
      return InvalidArgument(
          "plan: declarative plans are not available yet; pass the changes in ddl");
    if (key != "database" && key != "environment" && key != "ddl" && key != "defer_cutover" &&
        key != "allow_unsafe") {
      return InvalidArgument(
          "unknown field \"" + key +
          "\"; expected database, environment, ddl, defer_cutover, allow_unsafe");
    }
  }
  app::ApplyRequest r;
  ORDO_ASSIGN_OR_RETURN(r.database, RequiredString(doc, "database"));
  ORDO_ASSIGN_OR_RETURN(r.environment, RequiredString(doc, "environment"));
  auto ddl = doc.find("ddl");
  if (ddl == doc.end() || ddl->is_null())
    return InvalidArgument("ddl: required (a list of ALTER TABLE statements)");
  if (!ddl->is_array()) return InvalidArgument("ddl: expected a list of ALTER TABLE statements");
  for (size_t i = 0; i < ddl->size(); ++i) {
    const json& item = (*ddl)[i];
    if (!item.is_string())
      return InvalidArgument("ddl[" + std::to_string(i) + "]: expected a string");
    r.ddl.push_back(item.get<std::string>());
  }
  ORDO_ASSIGN_OR_RETURN(r.defer_cutover, OptionalBool(doc, "defer_cutover"));
  ORDO_ASSIGN_OR_RETURN(r.allow_unsafe, OptionalBool(doc, "allow_unsafe"));
  return r;
}

}  // namespace ordo
