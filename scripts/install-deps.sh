#!/bin/sh
# Installs the Debian packages crimetab builds and tests with; does nothing
# when they are all present, so `make` can call it every time.
set -eu

# zlib1g-dev: libxlsxwriter's .pc file links -lz, but libxlsxwriter-dev does
# not depend on it.  man-db: the tests render the man page with man.
# libzip-dev: police.uk download zips are read in place.  libproj-dev,
# proj-data: boundary coordinates (British National Grid) with PROJ.
# libshp-dev: ESRI Shapefile boundaries with shapelib.
PKGS="
build-essential
pkg-config
libsqlite3-dev
sqlite3
libcsv-dev
libcjson-dev
libxlsxwriter-dev
zlib1g-dev
libncurses-dev
nettle-dev
libcmocka-dev
libzip-dev
python3
python3-openpyxl
python3-jsonschema
tmux
man-db
libproj-dev
proj-data
libshp-dev
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing >&2
