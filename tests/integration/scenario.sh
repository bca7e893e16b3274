#!/usr/bin/env bash
# The scenario test (tests/scenario/): random event histories driven through
# the binary, `status --json` compared after every step with an independent
# model of docs/EVIDENCE.md.  2,000 scenarios (200 under the sanitizers) or
# SCENARIOS; at most SCENARIO_BUDGET seconds of them (default 170; 0: no
# limit), so a slow machine runs fewer rather than timing out.  The seed is
# printed first and with any mismatch; SEED=N replays it.
. "$(dirname "$0")/../lib.sh"
case ${BUILD:-build} in
*san*) n=${SCENARIOS:-200} ;;
*) n=${SCENARIOS:-2000} ;;
esac
python3 "$DR_TOP/tests/scenario/run.py" --scenarios "$n" \
	--budget "${SCENARIO_BUDGET:-170}" --jobs "${JOBS:-2}"
