// Session: what a command needs from the outside world, loaded on demand — the
// config (-c FILE, default ./ordo.yaml), the store (--store URL or the config's
// `store:`, migrated on open), the logger — and the one way errors are printed
// (`ordo: <message>` on stderr, or the error document on stdout with --json) and
// turned into exit codes.
//
// Thread-safety: used by the command's main thread.
//
//   Session s(globals, json);
//   auto store = s.Store();
//   if (!store.ok()) return s.Fail(store.status());
#pragma once

#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/logging.h"
#include "config/config.h"
#include "core/logger.h"
#include "operator/mysql_engine_factory.h"
#include "ordo/store.h"

namespace ordo::cli {

class Session {
 public:
  Session(Globals& globals, bool json, LogLevel default_level = LogLevel::kInfo)
      : globals_(globals), json_(json), default_level_(default_level) {}

  // InvalidArgument naming file and key; NotFound when the file is missing.
  Result<const Config*> LoadConfig();
  // The store, opened and migrated. Needs the config unless --store was given.
  // InvalidArgument for a bad URL or a login refused; Unavailable when it cannot be
  // reached. Only the commands that start work (apply, worker, serve) create a store
  // that does not exist yet; for the others it is NotFound and nothing is created.
  enum class Use { kRead, kCreate };
  Result<ordo::Store*> Store(Use use = Use::kRead);
  // The log sink (created on first use; a bad --log-format falls back to text).
  CliLogger& logger();
  // Prints `status` (the JSON error document on stdout with --json, else
  // "ordo: message" on stderr) and returns its exit code.
  int Fail(const Status& status);
  bool json() const { return json_; }
  const Globals& globals() const { return globals_; }
  // The store's URL with any password redacted.
  std::string StoreName() const;
  // The store as targets record it (ordo/target.h): its identity and, for messages,
  // its URL with the password redacted and a SQLite path made absolute (the
  // `sqlite:ordo.db` of two working directories are two stores). Opens the store.
  Result<worker::StoreIdentity> Identity();
  // A factory of engines for operations of this session's store.
  Result<std::unique_ptr<worker::MysqlEngineFactory>> EngineFactory();

 private:
  std::string StoreUrl() const;

  Globals& globals_;
  bool json_;
  LogLevel default_level_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<ordo::Store> store_;
  std::unique_ptr<CliLogger> logger_;
};

// Validates the global options (log format and level); InvalidArgument otherwise.
Status ValidateGlobals(const Globals& globals);

}  // namespace ordo::cli
