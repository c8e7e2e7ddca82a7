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

exec dotnet run --project src/WebFrontend "$@"
