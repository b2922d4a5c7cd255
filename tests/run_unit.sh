#!/bin/sh
# Runs each Check binary given as an argument; each prints its own
# "NN%: Checks: N, Failures: F, Errors: E" line. Exits non-zero if any failed.
status=0
for t in "$@"; do
	echo "== $t"
	"$t" || status=1
done
exit $status
