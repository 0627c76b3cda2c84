#!/usr/bin/env bash
# Refreshes the front-end libraries that enablement serves itself (no CDN, works offline):
# axe-core (accessibility checks in the browser tests), chart.js and its matrix controller
# chartjs-chart-matrix (the marketer dashboard's charts and coverage heat map).
# Pinned versions from the npm registry; bump a version here, run this, and commit the result.
set -euo pipefail

AXE_CORE=4.14.1
CHART_JS=4.6.1
CHART_MATRIX=3.1.0

cd "$(dirname "$0")/.."
dest=src/enablement/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `npm pack` fetches the published tarball and checks it against the registry's integrity hash.
(cd "$work" && npm pack --silent "axe-core@$AXE_CORE" "chart.js@$CHART_JS" \
  "chartjs-chart-matrix@$CHART_MATRIX" >/dev/null)
for name in "axe-core-$AXE_CORE" "chart.js-$CHART_JS" "chartjs-chart-matrix-$CHART_MATRIX"; do
  mkdir -p "$work/$name"
  tar -xzf "$work/$name.tgz" -C "$work/$name"
done

rm -rf "$dest/axe-core" "$dest/chart.js" "$dest/chartjs-chart-matrix"
mkdir -p "$dest/axe-core" "$dest/chart.js" "$dest/chartjs-chart-matrix"
axe="$work/axe-core-$AXE_CORE/package"
cp "$axe/axe.min.js" "$axe/LICENSE" "$axe/LICENSE-3RD-PARTY.txt" "$dest/axe-core/"
chart="$work/chart.js-$CHART_JS/package"
cp "$chart/dist/chart.umd.min.js" "$chart/LICENSE.md" "$dest/chart.js/"
# The UMD build registers its controller with the global Chart when loaded after chart.js.
matrix="$work/chartjs-chart-matrix-$CHART_MATRIX/package"
cp "$matrix/dist/chartjs-chart-matrix.min.js" "$matrix/LICENSE" "$dest/chartjs-chart-matrix/"

cat > "$dest/VERSIONS" <<VERSIONS
# Written by scripts/vendor_web.sh; files copied unchanged from the npm packages.
axe-core $AXE_CORE (MPL-2.0) axe-core/axe.min.js
chart.js $CHART_JS (MIT) chart.js/chart.umd.min.js
chartjs-chart-matrix $CHART_MATRIX (MIT) chartjs-chart-matrix/chartjs-chart-matrix.min.js
VERSIONS
echo "vendored axe-core $AXE_CORE, chart.js $CHART_JS and chartjs-chart-matrix $CHART_MATRIX" \
  "into $dest" >&2
