# Generates a .cpp defining `std::string_view veza::auth::CommonPasswordsText()` from INPUT.
# Not constexpr: the list is larger than the compiler's constant-evaluation limits.
# Run in script mode: cmake -DINPUT=... -DOUTPUT=... -P embed_list.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")list\"" collision)
if(NOT collision EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )list\"")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace veza::auth {\nnamespace {\nconst char kText[] = R\"list(${content})list\";\n}\nstd::string_view CommonPasswordsText() { return std::string_view(kText, sizeof(kText) - 1); }\n}  // namespace veza::auth\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
