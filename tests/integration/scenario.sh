#!/usr/bin/env bash
# The scenario test (tests/scenario/): random event histories driven through
# the binary, `status --json` compared after every step with an independent
# model of docs/EVIDENCE.md.  1,200 scenarios of 3-8 steps in the normal
# build (about two and a half minutes on two idle cores, five on a loaded
# CI machine), 60 under the sanitizers, which are about five times slower.
# A guard of 400 s (300 s under the sanitizers) stops a machine far slower than that from timing the whole
# file out; the last line says how many ran.  SCENARIOS=N and
# SCENARIO_BUDGET=SECONDS (0: none) override; the seed is printed first and
# with any mismatch, and SEED=N replays it.  `make soak` runs 100,000.
. "$(dirname "$0")/../lib.sh"
case ${BUILD:-build} in
*san*) n=${SCENARIOS:-60} budget=${SCENARIO_BUDGET:-300} ;;
*) n=${SCENARIOS:-1200} budget=${SCENARIO_BUDGET:-400} ;;
esac
start=$SECONDS
python3 "$DR_TOP/tests/scenario/run.py" --scenarios "$n" \
	--min-steps 3 --max-steps 8 \
	--budget "$budget" --jobs "${JOBS:-2}"
rc=$?
echo "# scenario.sh: $((SECONDS - start)) s for up to $n scenarios"
exit $rc
