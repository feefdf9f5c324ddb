#!/bin/sh
# The plugin must export the C ABI and nothing else: no gRPC, protobuf,
# abseil or C++ symbols that could clash with a host's own copies.
# usage: check_exports.sh LIBRARY
set -eu
library=$1
exported=$(nm -D --defined-only "$library" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u)
status=0
for symbol in $exported; do
  case $symbol in
    smp_*) ;;
    *) echo "unexpected export: $symbol"; status=1 ;;
  esac
done
for symbol in smp_client_open smp_client_close smp_recommend_protocol smp_log_outcome \
              smp_amend_outcome smp_get_outcome smp_patient_history smp_flush \
              smp_last_error smp_strerror smp_free smp_version smp_abi_version \
              smp_patient_report \
              smp_record_assessment smp_list_assessments smp_episode_result; do
  echo "$exported" | grep -qx "$symbol" || { echo "missing export: $symbol"; status=1; }
done
count=$(echo "$exported" | grep -c .)
[ "$status" -eq 0 ] && echo "ok: $count symbols, all smp_*"
exit $status
