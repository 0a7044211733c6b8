#!/usr/bin/env bash
# Vendor the front-end libraries Boucle serves itself (no CDN: the platform must work on an
# intranet and must not leak its visitors to third parties).
#
# Re-runnable: fetches the pinned versions with `npm pack` from the npm registry, copies only
# the files the pages load plus each package's licence, and rewrites VENDORED.md.
# Usage: bash scripts/vendor_frontend.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/boucle/web/static/vendor"
WORK="$(mktemp -d /tmp/boucle-vendor.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# name@version  -> destination folder. Pinned: bump here, re-run, review the diff.
PACKAGES=(
  "leaflet@1.9.4:leaflet"
  "leaflet.markercluster@1.5.3:leaflet.markercluster"
  "echarts@6.1.0:echarts"
  "htmx.org@2.0.11:htmx"
  "axe-core@4.14.1:axe-core"
  "@picocss/pico@2.1.1:pico"
)

fetch() {  # fetch name@version -> prints the unpacked package dir
  local spec="$1" dir="$WORK/${1//[@\/]/_}"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar -xzf ./*.tgz)
  echo "$dir/package"
}

licence_of() {  # copy the package's licence file, whatever its spelling
  local pkg="$1" out="$2" f
  for f in LICENSE LICENSE.md LICENSE.txt LICENCE LICENCE.txt license license.md MIT-LICENSE.txt MIT-LICENCE.txt; do
    if [[ -f "$pkg/$f" ]]; then cp "$pkg/$f" "$out/LICENSE"; return 0; fi
  done
  echo "no licence file in $pkg" >&2
  return 1
}

rm -rf "$DEST"
mkdir -p "$DEST"
{
  echo "# Vendored front-end libraries"
  echo
  echo "Fetched from the npm registry by \`scripts/vendor_frontend.sh\` (\`npm pack\`), never from a"
  echo "CDN. Each folder holds the distributed files the pages load and the package's LICENSE."
  echo
  echo "| package | version | licence | files |"
  echo "|---|---|---|---|"
} > "$DEST/VENDORED.md"

for entry in "${PACKAGES[@]}"; do
  spec="${entry%%:*}"; folder="${entry##*:}"
  pkg="$(fetch "$spec")"
  out="$DEST/$folder"; mkdir -p "$out"
  case "$folder" in
    leaflet)
      cp "$pkg/dist/leaflet.js" "$pkg/dist/leaflet.css" "$out/"
      cp -r "$pkg/dist/images" "$out/images" ;;
    leaflet.markercluster)
      cp "$pkg/dist/leaflet.markercluster.js" "$pkg/dist/MarkerCluster.css" \
         "$pkg/dist/MarkerCluster.Default.css" "$out/" ;;
    echarts)
      cp "$pkg/dist/echarts.min.js" "$out/" ;;
    htmx)
      cp "$pkg/dist/htmx.min.js" "$out/" ;;
    axe-core)
      cp "$pkg/axe.min.js" "$out/" ;;
    pico)
      cp "$pkg/css/pico.min.css" "$out/" ;;
  esac
  licence_of "$pkg" "$out"
  # Apache-2.0 asks redistributors to pass the NOTICE file on.
  if [[ -f "$pkg/NOTICE" ]]; then cp "$pkg/NOTICE" "$out/NOTICE"; fi
  name="$(node -p "require('$pkg/package.json').name")"
  version="$(node -p "require('$pkg/package.json').version")"
  licence="$(node -p "require('$pkg/package.json').license")"
  files="$(cd "$out" && find . -type f ! -name LICENSE ! -name NOTICE | sed 's|^\./||' | sort | tr '\n' ' ')"
  echo "| $name | $version | $licence | \`$folder/\`: ${files% } |" >> "$DEST/VENDORED.md"
  echo "vendored $name $version ($licence)"
done
