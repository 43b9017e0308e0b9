#!/usr/bin/env bash
# Rebuild Sightline's committed front-end files from pinned npm packages:
#   sightline/static/css/sightline.css      GOV.UK Frontend + MoJ timeline/filter + _app.scss
#   sightline/static/js/govuk-frontend.min.js
#   sightline/static/js/htmx.min.js
#   sightline/static/images/*.svg           only the images the CSS refers to
#   sightline/static/licences/*             the packages' licences
# Needs Node 20+ and npm, at build time only: Django serves the committed files.
# Usage: sightline/frontend/build.sh   (set SIGHTLINE_FRONTEND_WORKDIR to reuse a directory)
set -euo pipefail

GOVUK_FRONTEND=6.6.0
MOJ_FRONTEND=11.1.0
SASS=1.108.2
HTMX=2.0.11

here=$(cd "$(dirname "$0")" && pwd)
static="$here/../static"
if [ -n "${SIGHTLINE_FRONTEND_WORKDIR:-}" ]; then
  work=$SIGHTLINE_FRONTEND_WORKDIR
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

mkdir -p "$static/css" "$static/js" "$static/images" "$static/licences"
cd "$work"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "govuk-frontend@$GOVUK_FRONTEND" "@ministryofjustice/frontend@$MOJ_FRONTEND" \
  "sass@$SASS" "htmx.org@$HTMX" >/dev/null

npx --no-install sass --load-path="$work" --load-path="$here" --style=compressed \
  --no-source-map "$here/sightline.scss" "$static/css/sightline.css"

# Without the source map comment: the map is not shipped, and Django's manifest storage
# would fail at collectstatic looking for it.
sed 's|//# sourceMappingURL=.*$||' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
  >"$static/js/govuk-frontend.min.js"
cp node_modules/htmx.org/dist/htmx.min.js "$static/js/"

# Every image the CSS refers to, from either package; fail if one is missing.
for url in $(grep -o 'url(/static/images/[^)]*)' "$static/css/sightline.css" | sort -u); do
  name=${url#url(/static/images/}
  name=${name%)}
  for dir in node_modules/govuk-frontend/dist/govuk/assets/images \
    node_modules/@ministryofjustice/frontend/moj/assets/images; do
    if [ -f "$dir/$name" ]; then cp "$dir/$name" "$static/images/" && continue 2; fi
  done
  echo "build.sh: the CSS refers to images/$name, which neither package has" >&2
  exit 1
done

# Which packages the files come from, and under which licences (neither GOV.UK package
# ships a licence file; both say MIT in package.json).
{
  for pkg in govuk-frontend @ministryofjustice/frontend htmx.org; do
    node -p "const p = require('./node_modules/$pkg/package.json'); p.name + ' ' + p.version + ' (' + p.license + ') ' + (p.homepage || '')"
  done
} >"$static/licences/NOTICE.txt"
cp node_modules/htmx.org/LICENSE "$static/licences/htmx.org-LICENSE.txt"

if grep -q "GDS Transport" "$static/css/sightline.css"; then
  echo "build.sh: the CSS names GDS Transport, which this service must not use" >&2
  exit 1
fi
echo "Built $(wc -c <"$static/css/sightline.css") bytes of CSS in $static/css/sightline.css"
