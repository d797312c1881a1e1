# Generates a .cpp defining `std::string_view <SYMBOL>()` that returns the text of INPUT.
# Run in script mode: cmake -DINPUT=... -DOUTPUT=... -DSYMBOL=ns::Name -P embed_text.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")veza_embed\"" collision)
if(NOT collision EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )veza_embed\"")
endif()
string(REGEX MATCH "^(.*)::([^:]+)$" _ "${SYMBOL}")
set(ns "${CMAKE_MATCH_1}")
set(fn "${CMAKE_MATCH_2}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace ${ns} {\nstd::string_view ${fn}() {\n  static constexpr std::string_view kText = R\"veza_embed(${content})veza_embed\";\n  return kText;\n}\n}  // namespace ${ns}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
