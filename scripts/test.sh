#!/usr/bin/env bash
# Builds and tests the whole solution, then prints one summary line:
#   Tests: N passed, N failed[, N skipped]
# Extra arguments go to `dotnet test`, e.g.: scripts/test.sh --filter FullyQualifiedName~LocalPostgresServerTests
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
results_dir="$repo_root/TestResults"

# What the tests run against: PostgreSQL's binaries (each test run starts its own server) and a RabbitMQ broker.
# Set ENROLLMENT_SKIP_DEPS=1 to manage those yourself.
if [[ -z "${ENROLLMENT_SKIP_DEPS:-}" ]]; then
  scripts/install-deps.sh
  scripts/start-rabbitmq.sh
fi

# Old result files would be counted again.
rm -rf "$results_dir"

# A test stuck for 6 minutes aborts the run and is named in the output (instead of eating CI's time).
# LogFilePrefix (not LogFileName) gives every test assembly its own .trx; a fixed name would make them
# overwrite each other in the shared results folder.
test_status=0
dotnet test Orleans.Enrollment.sln --nologo --verbosity minimal \
  --logger "trx;LogFilePrefix=results" \
  --logger "console;verbosity=normal" \
  --results-directory "$results_dir" \
  --blame-hang --blame-hang-timeout 6m --blame-hang-dump-type none \
  "$@" || test_status=$?

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

summary="Tests: $passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"

if ((test_status != 0)); then
  exit "$test_status"
fi
if ((failed > 0 || passed == 0)); then
  exit 1
fi
