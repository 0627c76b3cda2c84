#!/usr/bin/env bash
# Refreshes the front-end libraries that enablement serves itself (no CDN, works offline):
# axe-core (accessibility checks in the browser tests), chart.js and its matrix controller
# chartjs-chart-matrix (the marketer dashboard's charts and coverage heat map), swagger-ui-dist and
# redoc (the API docs at /docs and /redoc).
# Pinned versions from the npm registry; bump a version here, run this, and commit the result.
set -euo pipefail

AXE_CORE=4.14.1
CHART_JS=4.6.1
CHART_MATRIX=3.1.0
SWAGGER_UI=5.35.0
REDOC=2.5.4  # 2.x, as FastAPI's get_redoc_html expects; 3.x loads its icons from a CDN

cd "$(dirname "$0")/.."
dest=src/enablement/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `npm pack` fetches the published tarball and checks it against the registry's integrity hash.
(cd "$work" && npm pack --silent "axe-core@$AXE_CORE" "chart.js@$CHART_JS" \
  "chartjs-chart-matrix@$CHART_MATRIX" "swagger-ui-dist@$SWAGGER_UI" "redoc@$REDOC" >/dev/null)
for name in "axe-core-$AXE_CORE" "chart.js-$CHART_JS" "chartjs-chart-matrix-$CHART_MATRIX" \
  "swagger-ui-dist-$SWAGGER_UI" "redoc-$REDOC"; do
  mkdir -p "$work/$name"
  tar -xzf "$work/$name.tgz" -C "$work/$name"
done

packages=(axe-core chart.js chartjs-chart-matrix swagger-ui-dist redoc)
for package in "${packages[@]}"; do
  rm -rf "${dest:?}/$package"
  mkdir -p "$dest/$package"
done
axe="$work/axe-core-$AXE_CORE/package"
cp "$axe/axe.min.js" "$axe/LICENSE" "$axe/LICENSE-3RD-PARTY.txt" "$dest/axe-core/"
chart="$work/chart.js-$CHART_JS/package"
cp "$chart/dist/chart.umd.min.js" "$chart/LICENSE.md" "$dest/chart.js/"
# The UMD build registers its controller with the global Chart when loaded after chart.js.
matrix="$work/chartjs-chart-matrix-$CHART_MATRIX/package"
cp "$matrix/dist/chartjs-chart-matrix.min.js" "$matrix/LICENSE" "$dest/chartjs-chart-matrix/"
# The *.LICENSE.txt files are the notices of the libraries each bundle includes.
swagger="$work/swagger-ui-dist-$SWAGGER_UI/package"
cp "$swagger/swagger-ui-bundle.js" "$swagger/swagger-ui-bundle.js.LICENSE.txt" \
  "$swagger/swagger-ui.css" "$swagger/favicon-32x32.png" "$swagger/LICENSE" "$swagger/NOTICE" \
  "$dest/swagger-ui-dist/"
redoc="$work/redoc-$REDOC/package"
cp "$redoc/bundles/redoc.standalone.js" "$redoc/bundles/redoc.standalone.js.LICENSE.txt" \
  "$redoc/LICENSE" "$dest/redoc/"
# The one change to a vendored file: ReDoc's side menu shows the Redocly logo from
# cdn.redoc.ly, a request to another site on every load (and one the docs' CSP refuses). An empty
# data: URL fails to decode, so ReDoc's own error handler drops the image, as when offline.
logo='src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'
grep -qF "$logo" "$dest/redoc/redoc.standalone.js" || { echo "redoc: logo URL not found" >&2; exit 1; }
sed -i "s|$logo|src:\"data:,\"|" "$dest/redoc/redoc.standalone.js"
if grep -q 'cdn\.redoc' "$dest/redoc/redoc.standalone.js"; then
  echo "redoc: another cdn.redoc URL" >&2
  exit 1
fi

cat > "$dest/VERSIONS" <<VERSIONS
# Written by scripts/vendor_web.sh; files copied unchanged from the npm packages, except as noted.
axe-core $AXE_CORE (MPL-2.0) axe-core/axe.min.js
chart.js $CHART_JS (MIT) chart.js/chart.umd.min.js
chartjs-chart-matrix $CHART_MATRIX (MIT) chartjs-chart-matrix/chartjs-chart-matrix.min.js
swagger-ui-dist $SWAGGER_UI (Apache-2.0) swagger-ui-dist/swagger-ui-bundle.js swagger-ui-dist/swagger-ui.css
redoc $REDOC (MIT) redoc/redoc.standalone.js (side-menu logo URL on cdn.redoc.ly made an empty data: URL)
VERSIONS
echo "vendored axe-core $AXE_CORE, chart.js $CHART_JS, chartjs-chart-matrix $CHART_MATRIX," \
  "swagger-ui-dist $SWAGGER_UI and redoc $REDOC into $dest" >&2
