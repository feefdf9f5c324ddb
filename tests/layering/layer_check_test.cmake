# Runs cmake/check_layers.cmake on scratch trees: a clean one must pass, and a
# tree with any one of the forbidden include forms must fail, naming the file.
function(run_check root expect_failure label)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -DLAYER_ROOT=${root} -DLAYER_DIRS=core,app,storage
            -P ${CHECK_SCRIPT}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(expect_failure AND result EQUAL 0)
    message(FATAL_ERROR "${label}: the check passed but should have failed")
  endif()
  if(NOT expect_failure AND NOT result EQUAL 0)
    message(FATAL_ERROR "${label}: the check failed on a clean tree:\n${err}")
  endif()
  set(check_output "${err}" PARENT_SCOPE)
endfunction()

function(make_tree root bad_file bad_line)
  file(REMOVE_RECURSE ${root})
  foreach(dir core app storage)
    file(WRITE ${root}/${dir}/ok.cc
      "#include \"absl/status/status.h\"\n#include \"scoliomassage/v1/outcome.pb.h\"\n"
      "// a comment may mention grpcpp/grpcpp.h\n")
  endforeach()
  if(bad_file)
    file(WRITE ${root}/${bad_file} "#include <string>\n${bad_line}\n")
  endif()
endfunction()

make_tree(${SCRATCH}/clean "" "")
run_check(${SCRATCH}/clean FALSE "clean tree")

set(cases
  "core/engine.h|#include <grpcpp/grpcpp.h>"
  "app/checkin.cc|  #  include \"grpcpp/support/status.h\""
  "storage/store.h|#include <grpc/grpc.h>"
  "app/deep/nested.h|#include \"scoliomassage/v1/outcome.grpc.pb.h\"")
foreach(case ${cases})
  string(FIND "${case}" "|" bar)
  string(SUBSTRING "${case}" 0 ${bar} bad_file)
  math(EXPR rest "${bar} + 1")
  string(SUBSTRING "${case}" ${rest} -1 bad_line)
  make_tree(${SCRATCH}/bad ${bad_file} "${bad_line}")
  run_check(${SCRATCH}/bad TRUE "${bad_file}")
  string(FIND "${check_output}" "${bad_file}" named)
  if(named EQUAL -1)
    message(FATAL_ERROR "${bad_file}: the failure does not name the file:\n${check_output}")
  endif()
endforeach()
message(STATUS "layer check: clean tree passes, every bad include fails")
