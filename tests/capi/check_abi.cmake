# abidiff of libkfix.so against the committed baseline capi/abi/libkfix.abi.
# Any reported change fails (exit bit 4 = change, 8 = incompatible change):
# additions are compatible but need a baseline refresh
# (cmake --build build --target capi-abi-update), so the baseline always
# describes the current ABI.
execute_process(COMMAND ${ABIDIFF} --no-show-locs ${BASELINE} ${LIB}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  math(EXPR incompatible "${rc} & 8")
  if(incompatible)
    set(kind "an INCOMPATIBLE ABI change (bump KFIX_SOVERSION or revert)")
  else()
    set(kind "an ABI change (additions: refresh the baseline with `cmake --build build --target capi-abi-update`)")
  endif()
  message(FATAL_ERROR "abidiff exit ${rc}: ${kind}\n${out}${err}")
endif()
message(STATUS "libkfix.so ABI matches ${BASELINE}")
