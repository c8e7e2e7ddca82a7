#!/usr/bin/env bash
# Installs the system packages the app and the tests need. Idempotent: installed packages are skipped.
# Add a dependency by adding one line to `packages`.
set -euo pipefail

packages=(
  postgresql      # server binaries (initdb, pg_ctl, postgres) for LocalPostgresServer
  rabbitmq-server # the broker of the RabbitMQ end-to-end test (started by scripts/start-rabbitmq.sh)
  chromium        # the browser the UI tests drive through Playwright
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "System packages already installed: ${packages[*]}"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "apt-get not found; install these packages with your package manager: ${missing[*]}" >&2
  exit 1
fi

sudo=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null; then
    echo "Not root and sudo is missing; as root run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "Installing: ${missing[*]}"
# The postgresql package may create and start Debian's own cluster on port 5432; that is harmless, because
# LocalPostgresServer runs its own clusters on free ports. Where no init system runs, rabbitmq-server's package
# leaves the broker stopped; scripts/start-rabbitmq.sh starts it on loopback.
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
