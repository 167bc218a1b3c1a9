// ResumeState: the engine's checkpoint, saved through EngineHost::SaveResumeState as
// JSON and handed back in EngineSpec::resume_state after a crash or stop.
//
// It holds, per table, the copy state (watermark and end key) and, for the operation,
// the binlog position from which replaying the stream repairs everything not yet
// applied (the applier's SafeResumePosition when the checkpoint was taken). Key values
// are stored with their kind and hex-encoded bytes, so binary keys survive.
//
// Thread-safety: plain values and pure functions.
//
//   std::string json = EncodeResumeState(state);
//   ORDO_ASSIGN_OR_RETURN(ResumeState back, DecodeResumeState(json));
#pragma once

#include <string>
#include <vector>

#include "engine/mysql/binlog_event.h"
#include "engine/mysql/copier.h"

namespace ordo {

struct TableResumeState {
  std::string schema_name;
  std::string table_name;
  TableCopyState copy;
};

struct ResumeState {
  int version = 1;
  BinlogPosition position;  // replay from here
  bool swapped = false;     // the cutover renamed the tables
  std::vector<TableResumeState> tables;
};

std::string EncodeResumeState(const ResumeState& state);
// InvalidArgument when the text is not a resume state this engine wrote.
Result<ResumeState> DecodeResumeState(const std::string& json);

}  // namespace ordo
