# Fails when a source file under one of the given folders includes a gRPC
# header: <grpc/...>, <grpcpp/...> or a generated *.grpc.pb.h. The layers
# below api/ (core/, app/, storage/, and the libraries beside them) speak
# absl::Status and proto messages only; the link-level split (scoliomassage::proto has no gRPC) catches uses,
# this catches includes, which a transitive include path would otherwise let
# through.
#
#   cmake -DLAYER_ROOT=<folder> -DLAYER_DIRS="core;app;storage" -P check_layers.cmake
if(NOT DEFINED LAYER_ROOT OR NOT DEFINED LAYER_DIRS)
  message(FATAL_ERROR "check_layers.cmake needs -DLAYER_ROOT=... -DLAYER_DIRS=...")
endif()
string(REPLACE "," ";" layer_dirs "${LAYER_DIRS}")

set(forbidden "^[ \t]*#[ \t]*include[ \t]*[<\"](grpc/|grpcpp/|grpc\\+\\+/|[^>\"]*\\.grpc\\.pb\\.h)")
set(offences)
foreach(dir ${layer_dirs})
  if(NOT IS_DIRECTORY "${LAYER_ROOT}/${dir}")
    message(FATAL_ERROR "layer check: no folder ${LAYER_ROOT}/${dir}")
  endif()
  file(GLOB_RECURSE sources LIST_DIRECTORIES false
    "${LAYER_ROOT}/${dir}/*.h" "${LAYER_ROOT}/${dir}/*.hh" "${LAYER_ROOT}/${dir}/*.hpp"
    "${LAYER_ROOT}/${dir}/*.cc" "${LAYER_ROOT}/${dir}/*.cpp" "${LAYER_ROOT}/${dir}/*.inc")
  foreach(source ${sources})
    file(STRINGS "${source}" hits REGEX "${forbidden}")
    foreach(hit ${hits})
      file(RELATIVE_PATH shown "${LAYER_ROOT}" "${source}")
      string(STRIP "${hit}" hit)
      list(APPEND offences "  ${shown}: ${hit}")
    endforeach()
  endforeach()
endforeach()

if(offences)
  list(JOIN offences "\n" listed)
  message(FATAL_ERROR
    "gRPC include below api/ (only api/, server/, cli/ and the plugin may use gRPC):\n${listed}")
endif()
