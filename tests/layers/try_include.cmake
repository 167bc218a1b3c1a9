# cmake -DCOMPILER=… -DINCLUDES=dir;dir… -DHEADER=layer/file.h -DEXPECT=compiles|fails -P try_include.cmake
#
# Compiles one `#include "HEADER"` with a target's include path (INCLUDES), to show the
# include paths themselves keep a layer's internals from the layers above it: EXPECT
# fails means the header must not be found there; compiles, that it must.
string(MAKE_C_IDENTIFIER "${HEADER}" id)
set(source ${CMAKE_CURRENT_BINARY_DIR}/try_include_${id}.cc)
file(WRITE ${source} "#include \"${HEADER}\"\n")
set(flags)
foreach(dir IN LISTS INCLUDES)
  list(APPEND flags -I${dir})
endforeach()
execute_process(COMMAND ${COMPILER} -std=c++20 -fsyntax-only ${flags} ${source}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
file(REMOVE ${source})
if(EXPECT STREQUAL "fails")
  if(rc EQUAL 0)
    message(FATAL_ERROR "#include \"${HEADER}\" compiled; the include path was: ${INCLUDES}")
  endif()
  if(NOT out MATCHES "${HEADER}: No such file")
    message(FATAL_ERROR "#include \"${HEADER}\" failed, but not for want of the header:\n${out}")
  endif()
  message(STATUS "refused as it should be: ${out}")
elseif(NOT rc EQUAL 0)
  message(FATAL_ERROR "#include \"${HEADER}\" did not compile:\n${out}")
endif()
