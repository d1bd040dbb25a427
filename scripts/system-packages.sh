#!/usr/bin/env bash
# Install the Debian packages doudi needs when they are missing.
#   run time:  a CJK font (Noto CJK) and one with the rarer CJK extensions that
#              names may hold (HanaMin: 𠀀 and the like), fontconfig's fc-list
#              (doudi asks it which font has a character), HarfBuzz's subset
#              library (WeasyPrint subsets fonts with it; without it a 50-row
#              Chinese notice takes ~13 s instead of ~0.6 s) and Graphviz (the
#              lifecycle diagram).
#   --test:    also Chromium and its WebDriver for the end-to-end browser tests, and
#              Poppler's pdftoppm (a second PDF renderer the font tests compare with),
#              and PostgreSQL's client programs (pg_dump, pg_restore, psql) for the
#              backup and restore drill test.
set -euo pipefail

packages=(fonts-noto-cjk fonts-hanazono fontconfig libharfbuzz-subset0 graphviz)
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium chromium-driver poppler-utils postgresql-client)
fi
[ "${DOUDI_SKIP_SYSTEM_PACKAGES:-}" = "1" ] && exit 0

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian-based system; make sure these are installed: ${packages[*]} (or their equivalents)" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get install ${missing[*]}" >&2
  echo "(or set DOUDI_SKIP_SYSTEM_PACKAGES=1 to go on without them)" >&2
  exit 1
fi
