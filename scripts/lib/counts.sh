# Pass/fail/skip counting shared by scripts/test.sh and scripts/sanitize.sh (sourced).
# Each tier adds to $passed, $failed and $skipped; the caller prints them at the end.
passed=0 failed=0 skipped=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + ${3:-0})); }

# Catch2 prints either "All tests passed (A assertions in N test cases)" or
# "test cases: N | P passed | F failed"; anything else counts as one failure.
catch_counts() {
  local out=$1 line
  line=$(grep -E "^(All tests passed|test cases:)" <<<"$out" | tail -1)
  if [[ $line == All* ]]; then
    add "$(sed -E 's/.* in ([0-9]+) test case.*/\1/' <<<"$line")" 0
  elif [[ $line == test* ]]; then
    local p f
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
    add "${p:-0}" "${f:-0}"
  else
    add 0 1
  fi
}

# A tier that prints its own "N passed, N failed[, N skipped]" line: add those counts
# (no such line: its tail is shown and it counts as one failure).
summary_counts() {
  local out=$1 summary
  summary=$(grep -E "^[0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -1)
  if [[ $summary =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
    add "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]:-0}"
  else
    echo "$out" | tail -30; add 0 1
  fi
}
