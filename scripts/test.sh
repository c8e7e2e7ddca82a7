#!/usr/bin/env bash
# Builds the solution and runs its tests, then prints one summary line:
#   Tests: N passed, N failed[, N skipped]
# Which tests: the first argument, if it names a suite, else all three, one project after another:
#   unit         tests/Enrollment.UnitTests: no database, no cluster, no browser (seconds)
#   integration  tests/Enrollment.IntegrationTests: real PostgreSQL and Orleans test clusters
#   system       tests/Enrollment.SystemTests: browsers, the multi-process topology, chaos, fuzzing, the history run
# Further arguments go to `dotnet test`, e.g.: scripts/test.sh integration --filter FullyQualifiedName~HotEvent
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
results_dir="$repo_root/TestResults"

suites=(unit integration system)
case "${1:-}" in
  unit | integration | system) suites=("$1"); shift ;;
  all) shift ;;
esac

# What the integration and system tests run against: PostgreSQL's binaries (each test run starts its own server), a
# RabbitMQ broker and Chromium. Set ENROLLMENT_SKIP_DEPS=1 to manage those yourself; the unit tests need none of them.
if [[ -z "${ENROLLMENT_SKIP_DEPS:-}" && "${suites[*]}" != "unit" ]]; then
  scripts/install-deps.sh
  scripts/start-rabbitmq.sh
fi

# Old result files would be counted again.
rm -rf "$results_dir"

dotnet build Orleans.Enrollment.sln --nologo --verbosity quiet

# One project after another, never side by side: the concurrency tests need the machine's two cores to themselves.
# A test stuck for 6 minutes aborts its project's run and is named in the output (instead of eating CI's time).
# Each project writes its own .trx, prefixed with its suite; the summary below adds them up.
test_status=0
for suite in "${suites[@]}"; do
  case "$suite" in
    unit) project=tests/Enrollment.UnitTests ;;
    integration) project=tests/Enrollment.IntegrationTests ;;
    system) project=tests/Enrollment.SystemTests ;;
  esac
  dotnet test "$project" --no-build --nologo --verbosity minimal \
    --logger "trx;LogFilePrefix=$suite" \
    --logger "console;verbosity=normal" \
    --results-directory "$results_dir" \
    --blame-hang --blame-hang-timeout 6m --blame-hang-dump-type none \
    "$@" || test_status=$?
done

shopt -s nullglob globstar
trx_files=("$results_dir"/**/*.trx)

passed=0 failed=0 skipped=0
if ((${#trx_files[@]} > 0)); then
  # Sums the <Counters .../> element of every .trx; error/timeout/aborted count as failures.
  read -r passed failed skipped < <(awk '
    function count(tag, name) {
      return match(tag, " " name "=\"[0-9]+\"") ? substr(tag, RSTART + length(name) + 3, RLENGTH - length(name) - 4) + 0 : 0
    }
    {
      line = $0
      while (match(line, /<Counters [^>]*>/)) {
        tag = substr(line, RSTART, RLENGTH)
        line = substr(line, RSTART + RLENGTH)
        passed += count(tag, "passed")
        failed += count(tag, "failed") + count(tag, "error") + count(tag, "timeout") + count(tag, "aborted")
        skipped += count(tag, "notExecuted")
      }
    }
    END { print passed + 0, failed + 0, skipped + 0 }
  ' "${trx_files[@]}")
fi

# The failed tests by name, just above the summary: CI keeps only the end of a long log.
if ((failed > 0)); then
  echo "Failed tests:"
  grep -ho '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"' "${trx_files[@]}" |
    grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/  \1/' | sort -u || true
fi

summary="Tests: $passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"

if ((test_status != 0)); then
  exit "$test_status"
fi
if ((failed > 0 || passed == 0)); then
  exit 1
fi
