#!/usr/bin/env bash
# Refreshes the front-end libraries that enablement serves itself (no CDN, works offline):
# axe-core (accessibility checks in the browser tests) and chart.js (the marketer dashboard).
# Pinned versions from the npm registry; bump a version here, run this, and commit the result.
set -euo pipefail

AXE_CORE=4.14.1
CHART_JS=4.6.1

cd "$(dirname "$0")/.."
dest=src/enablement/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `npm pack` fetches the published tarball and checks it against the registry's integrity hash.
(cd "$work" && npm pack --silent "axe-core@$AXE_CORE" "chart.js@$CHART_JS" >/dev/null)
for name in "axe-core-$AXE_CORE" "chart.js-$CHART_JS"; do
  mkdir -p "$work/$name"
  tar -xzf "$work/$name.tgz" -C "$work/$name"
done

rm -rf "$dest/axe-core" "$dest/chart.js"
mkdir -p "$dest/axe-core" "$dest/chart.js"
axe="$work/axe-core-$AXE_CORE/package"
cp "$axe/axe.min.js" "$axe/LICENSE" "$axe/LICENSE-3RD-PARTY.txt" "$dest/axe-core/"
chart="$work/chart.js-$CHART_JS/package"
cp "$chart/dist/chart.umd.min.js" "$chart/LICENSE.md" "$dest/chart.js/"

cat > "$dest/VERSIONS" <<VERSIONS
# Written by scripts/vendor_web.sh; files copied unchanged from the npm packages.
axe-core $AXE_CORE (MPL-2.0) axe-core/axe.min.js
chart.js $CHART_JS (MIT) chart.js/chart.umd.min.js
VERSIONS
echo "vendored axe-core $AXE_CORE and chart.js $CHART_JS into $dest" >&2
