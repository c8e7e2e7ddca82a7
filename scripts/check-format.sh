#!/usr/bin/env bash
# Fails when the code does not follow .editorconfig (imports, braces, unused usings, whitespace). To fix, run:
#   dotnet format Orleans.Enrollment.sln
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if dotnet format Orleans.Enrollment.sln --verify-no-changes --verbosity quiet; then
  echo "Format: the code follows .editorconfig"
else
  echo "Format: some files differ from .editorconfig (listed above); run: dotnet format Orleans.Enrollment.sln"
  exit 1
fi
