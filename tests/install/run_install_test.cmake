# Installs the build tree into a scratch prefix, then configures, builds and
# runs tests/install/consumer against it (re2's testinstall).
# -DBUILD_DIR=... -DSOURCE_DIR=... -DSCRATCH=... -DGENERATOR=...
file(REMOVE_RECURSE ${SCRATCH})
set(prefix ${SCRATCH}/prefix)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
if(EXISTS ${prefix}/kfix)
  message(FATAL_ERROR "the Python extension leaked into the default install (it belongs to component python)")
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${SCRATCH}/build -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${SCRATCH}/build)
run(${SCRATCH}/build/consumer_cpp)
run(${SCRATCH}/build/consumer_c)
run(${SCRATCH}/build/consumer_pc)
file(REMOVE_RECURSE ${SCRATCH})
