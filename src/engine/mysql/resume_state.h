// ResumeState: the engine's checkpoint, saved through EngineHost::SaveResumeState as
// JSON and handed back in EngineSpec::resume_state after a crash or stop.
//
// It holds, per table, the copy state (watermark and end key) and, for the operation,
// the binlog position from which replaying the stream repairs everything not yet
// applied (the applier's SafeResumePosition when the checkpoint was taken). Key values
// are stored with their kind and hex-encoded bytes, so binary keys survive.
//
// Past the copy it records the stage the operation reached (swapped: in the revert
// window; reverted; finished) and, during the revert window, the position from which
// the reverse sync (new tables → old tables) resumes, or why a revert is no longer
// possible. An instant change records the definition the table will have once
// altered, so a recovering engine can tell whether the ALTER already ran.
//
// Thread-safety: plain values and pure functions.
//
//   std::string json = EncodeResumeState(state);
//   ORDO_ASSIGN_OR_RETURN(ResumeState back, DecodeResumeState(json));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "binlog/event.h"
#include "engine/mysql/copier.h"

namespace ordo::engine {

struct TableResumeState {
  std::string schema_name;
  std::string table_name;
  TableCopyState copy;
  // Plain secondary indexes the shadow was created without (deferred_indexes.h) and
  // that are not known to be back yet; empty once they are.
  std::vector<std::string> deferred_indexes;
};

enum class EngineStage {
  kCopy,      // copying or in sync; nothing swapped
  kSwapped,   // the tables were swapped (or the instant ALTER ran): the revert window
  kReverted,  // swapped back
  kFinished,  // the window is over (old tables dropped or kept) or there was none
};
std::string_view ToString(EngineStage stage);

struct ResumeState {
  BinlogPosition position;  // replay from here
  EngineStage stage = EngineStage::kCopy;
  BinlogPosition reverse_position;  // kSwapped: the reverse sync resumes here
  std::string revert_error;         // kSwapped: why a revert is no longer possible
  bool instant = false;             // applied with ALGORITHM=INSTANT at cutover
  std::string instant_definition;   // hash of the table's definition once altered
  bool ready = false;               // kCopy: indexes built and verified (MakeReady)
  std::vector<TableResumeState> tables;
};

std::string EncodeResumeState(const ResumeState& state);
// InvalidArgument when the text is not a resume state this engine wrote (versions 1
// and 2 are read).
Result<ResumeState> DecodeResumeState(const std::string& json);

}  // namespace ordo::engine
