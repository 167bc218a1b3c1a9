// What `ordo version` prints beside the version: the commit the binary was built from
// (`-dirty` when the tree had uncommitted changes, `unknown` outside a git checkout)
// and the UTC day of the build. Defined in a file the build generates
// (cmake/build_info.cmake).
#pragma once

namespace ordo::cli {

extern const char* const kBuildCommit;
extern const char* const kBuildDate;

}  // namespace ordo::cli
