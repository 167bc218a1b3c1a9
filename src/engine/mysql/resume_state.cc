#include "engine/mysql/resume_state.h"

#include <nlohmann/json.hpp>

namespace ordo::engine {
namespace {

using nlohmann::json;

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Result<std::string> Unhex(const std::string& s) {
  if (s.size() % 2) return InvalidArgument("odd hex length");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("bad hex digit");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

json EncodeKey(const std::optional<Key>& key) {
  if (!key) return nullptr;
  json out = json::array();
  for (const db::SqlValue& v : *key)
    out.push_back({{"b", v.kind == db::SqlValue::Kind::kBytes}, {"v", Hex(v.s)}});
  return out;
}

Result<std::optional<Key>> DecodeKey(const json& j) {
  if (j.is_null()) return std::optional<Key>();
  Key key;
  for (const json& part : j) {
    ORDO_ASSIGN_OR_RETURN(std::string v, Unhex(part.at("v").get<std::string>()));
    key.push_back(part.at("b").get<bool>() ? db::SqlValue::Bytes(std::move(v))
                                           : db::SqlValue::Text(std::move(v)));
  }
  return std::optional<Key>(std::move(key));
}

constexpr std::pair<EngineStage, const char*> kStages[] = {
    {EngineStage::kCopy, "copy"},
    {EngineStage::kSwapped, "swapped"},
    {EngineStage::kReverted, "reverted"},
    {EngineStage::kFinished, "finished"},
};

json EncodePosition(const BinlogPosition& p) {
  return {{"file", p.file}, {"offset", p.offset}, {"gtid", p.gtid}};
}

Result<BinlogPosition> DecodePosition(const json& b) {
  if (!b.is_object() || !b.value("file", json()).is_string() ||
      !b.value("offset", json()).is_number_unsigned())
    return InvalidArgument("resume state has a bad binlog position");
  BinlogPosition p;
  p.file = b["file"].get<std::string>();
  p.offset = b["offset"].get<uint64_t>();
  p.gtid = b.value("gtid", "");
  return p;
}

}  // namespace

std::string_view ToString(EngineStage stage) {
  for (const auto& [s, name] : kStages)
    if (s == stage) return name;
  return "copy";
}

std::string EncodeResumeState(const ResumeState& state) {
  json tables = json::array();
  for (const TableResumeState& t : state.tables) {
    tables.push_back({{"schema", t.schema_name},
                      {"table", t.table_name},
                      {"started", t.copy.started},
                      {"done", t.copy.done},
                      {"watermark", EncodeKey(t.copy.watermark)},
                      {"end", EncodeKey(t.copy.end)},
                      {"rows_copied", t.copy.rows_copied}});
    if (!t.deferred_indexes.empty()) tables.back()["deferred_indexes"] = t.deferred_indexes;
  }
  json out = {{"engine", "mysql"},
              {"version", 2},
              {"binlog", EncodePosition(state.position)},
              {"swapped", state.stage != EngineStage::kCopy},
              {"stage", std::string(ToString(state.stage))},
              {"tables", tables}};
  if (!state.reverse_position.empty())
    out["reverse_binlog"] = EncodePosition(state.reverse_position);
  if (!state.revert_error.empty()) out["revert_error"] = state.revert_error;
  if (state.ready) out["ready"] = true;
  if (state.instant) {
    out["instant"] = true;
    out["instant_definition"] = state.instant_definition;
  }
  return out.dump();
}

static Result<ResumeState> DecodeChecked(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("engine", "") != "mysql")
    return InvalidArgument("resume state is not the MySQL engine's checkpoint");
  ResumeState state;
  int version = j.value("version", 0);
  if (version != 1 && version != 2) return InvalidArgument("unknown resume state version");
  if (!j.contains("binlog") || !j.contains("tables") || !j["tables"].is_array())
    return InvalidArgument("resume state lacks binlog or tables");
  ORDO_ASSIGN_OR_RETURN(state.position, DecodePosition(j["binlog"]));
  state.stage = j.value("swapped", false) ? EngineStage::kSwapped : EngineStage::kCopy;
  if (j.contains("stage")) {
    std::string name = j.value("stage", "");
    bool known = false;
    for (const auto& [s, n] : kStages)
      if (name == n) {
        state.stage = s;
        known = true;
      }
    if (!known) return InvalidArgument("resume state has an unknown stage '" + name + "'");
  }
  if (j.contains("reverse_binlog")) {
    ORDO_ASSIGN_OR_RETURN(state.reverse_position, DecodePosition(j["reverse_binlog"]));
  }
  state.revert_error = j.value("revert_error", "");
  state.instant = j.value("instant", false);
  state.instant_definition = j.value("instant_definition", "");
  state.ready = j.value("ready", false);
  for (const json& t : j["tables"]) {
    if (!t.is_object() || !t.value("schema", json()).is_string() ||
        !t.value("table", json()).is_string() || !t.contains("watermark") || !t.contains("end"))
      return InvalidArgument("resume state has a malformed table entry");
    TableResumeState ts;
    ts.schema_name = t["schema"].get<std::string>();
    ts.table_name = t["table"].get<std::string>();
    ts.copy.started = t.value("started", false);
    ts.copy.done = t.value("done", false);
    ts.copy.rows_copied = t.value("rows_copied", int64_t{0});
    ORDO_ASSIGN_OR_RETURN(ts.copy.watermark, DecodeKey(t["watermark"]));
    ORDO_ASSIGN_OR_RETURN(ts.copy.end, DecodeKey(t["end"]));
    if (t.contains("deferred_indexes"))
      ts.deferred_indexes = t["deferred_indexes"].get<std::vector<std::string>>();
    state.tables.push_back(std::move(ts));
  }
  return state;
}

Result<ResumeState> DecodeResumeState(const std::string& text) {
  // nlohmann-json throws on a value of the wrong type; the edge turns that into a Status.
  try {
    return DecodeChecked(text);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed resume state: ") + e.what());
  }
}

}  // namespace ordo::engine
