#!/usr/bin/env bash
# Before/after in one run: `energyhub solve SCENARIO` with energyhub at COMMIT ("before", from a temporary git
# worktree put first on PYTHONPATH) and with this checkout ("after"), alternating, RUNS times each, with the wall
# time and peak memory of each process (/usr/bin/time) and the stage times it prints.
#
#   bash benchmarks/before_after.sh 22dbf67                       # the reference study, 2 runs each
#   bash benchmarks/before_after.sh 22dbf67 scenarios/twente-muensterland-2030.yaml 3
#
# Run it from the checkout's root with the README's venv active, on an otherwise idle machine.
set -euo pipefail
commit=${1:?usage: before_after.sh COMMIT [SCENARIO] [RUNS]}
scenario=${2:-scenarios/twente-muensterland-2030.yaml}
runs=${3:-2}
root=$(pwd)
work=$(mktemp -d)
old="$work/old"
git worktree add -q --detach "$old" "$commit"
trap 'git worktree remove --force "$old"; rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
  for version in before after; do
    out="$work/$version-$i"
    if [ "$version" = before ]; then
      (cd "$old" && PYTHONPATH="$old" /usr/bin/time -f "%e s wall, %M kB max RSS" \
        python -m energyhub solve "$root/$scenario" --out "$out" --quiet) > "$out.log" 2>&1
    else
      /usr/bin/time -f "%e s wall, %M kB max RSS" python -m energyhub solve "$scenario" --out "$out" --quiet \
        > "$out.log" 2>&1
    fi
    echo "$version $i: $(tail -1 "$out.log") | $(grep -E '^  (objective|timings)' "$out.log" | tr -s ' ' | tr '\n' ' ')"
  done
done
