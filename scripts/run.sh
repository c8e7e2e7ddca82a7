#!/usr/bin/env bash
# Runs the web frontend. Without ConnectionStrings__Enrollment it starts a private PostgreSQL server from the
# machine's binaries, so those are installed first when missing. Extra arguments go to `dotnet run`.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

have_pg_binaries() {
  [[ -n "${ENROLLMENT_PG_BIN:-}" ]] || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null
}

if [[ -z "${ConnectionStrings__Enrollment:-}" ]] && ! have_pg_binaries; then
  if ((EUID == 0)); then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
  else
    echo "PostgreSQL server binaries not found. Install them with \`sudo apt-get install postgresql\` (Debian/Ubuntu)," >&2
    echo "or set ConnectionStrings__Enrollment to an existing server, or ENROLLMENT_PG_BIN to the folder holding initdb." >&2
    exit 1
  fi
fi

# Development mail: unless a mail server is configured, smtp4dev (a dotnet tool) takes every mail the app sends and
# shows it at http://localhost:5081, so registering, confirming and resetting a password work end to end.
smtp4dev_pid=""
if [[ -z "${Email__Smtp__Host:-}" ]]; then
  smtp4dev_bin="$(command -v smtp4dev || echo "$HOME/.dotnet/tools/smtp4dev")"
  if [[ ! -x "$smtp4dev_bin" ]]; then
    dotnet tool install --global Rnwood.Smtp4dev --version 3.15.0
  fi
  smtp4dev_log="${TMPDIR:-/tmp}/orleans-enrollment-smtp4dev.log"
  "$smtp4dev_bin" --urls=http://localhost:5081 --smtpport=2525 --imapport=0 --pop3port=0 --db="" >"$smtp4dev_log" 2>&1 &
  smtp4dev_pid=$!
  trap '[[ -n "$smtp4dev_pid" ]] && kill "$smtp4dev_pid" 2>/dev/null' EXIT
  export Email__Smtp__Host=localhost Email__Smtp__Port=2525 Email__Smtp__Security=None
  echo "Mail goes to smtp4dev: open http://localhost:5081 to read it (log: $smtp4dev_log)"
fi

dotnet run --project src/WebFrontend "$@"
