#!/bin/sh
# Areas end to end: the bundled official town centres, boundary files as
# published (BNG, shapefiles, --name-field/--only/--rename), their errors and
# exit codes, and the warning for LSOA lists that lost 2011 codes in 2023.
. tests/e2e/lib.sh
FIX=tests/fixtures/geo
TPL=templates/areas/stockton-town-centres.geojson

# the template: the paper's six names, official wards, attribution kept
DB=$T/tpl.db
"$BIN" areas --db "$DB" load "$TPL" 2>"$T/err"
check_eq "template loads" 0 $?
check_eq "template: the paper's six town centres" \
	"Billingham Central|Ingleby Barwick Town Centre (Ingleby Barwick West)|Norton Central|Stockton Town Centre|Thornaby Town Centre (Stainsby Hill)|Yarm Town Centre" \
	"$(sql "select group_concat(name, '|') from (select name from areas order by name)")"
check_eq "template: every area of the scrutiny config exists" "6" \
	"$(python3 -c "import json; print(len(json.load(open('templates/reports/stockton-scrutiny.json'))['areas']))")"
for a in $(python3 -c "import json; print(' '.join(a.replace(' ', '_') for a in json.load(open('templates/reports/stockton-scrutiny.json'))['areas']))"); do
	n=$(echo "$a" | tr _ ' ')
	[ "$(sql "select count(*) from areas where name = '$n'")" = 1 ] || not_ok "config area \"$n\" in the template"
done
check_eq "template: each town centre is its 2013 ward" \
	"Billingham Central=Billingham Central|Ingleby Barwick Town Centre (Ingleby Barwick West)=Ingleby Barwick West|Norton Central=Norton West|Stockton Town Centre=Stockton Town Centre|Thornaby Town Centre (Stainsby Hill)=Stainsby Hill|Yarm Town Centre=Yarm" \
	"$(python3 -c "
import json; d = json.load(open('$TPL'))
print('|'.join(sorted(f['properties']['name'] + '=' + f['properties']['WD13NM'] for f in d['features'])))")"
check_grep "template keeps the ONS attribution" 'Contains National Statistics data © Crown copyright and database right 2013; contains OS data © Crown copyright and database right 2013' "$TPL"
check_grep "template names its licence" 'Open Government Licence v3.0' "$TPL"
check_grep "README keeps the ONS attribution" 'Contains National Statistics' README.md

# the same wards as WGS84 GeoJSON, BNG GeoJSON, BNG and WGS84 shapefiles:
# the same crimes in the same areas
assignments() {
	sqlite3 "$1" "select a.name || ':' || c.crime_id || ':' || c.line from crime_areas ca join areas a on a.id = ca.area
		join crimes c on c.id = ca.crime order by 1" | md5sum
}
"$BIN" import --db "$T/base.db" --quiet sample-data/policeuk
for f in wards-wgs84.geojson wards-bng.geojson wards-bng.shp wards-wgs84.shp; do
	cp "$T/base.db" "$T/$f.db"
	"$BIN" areas --db "$T/$f.db" load "$FIX/$f" 2>"$T/$f.err"
	check_eq "$f loads" 0 $?
done
check_grep "names from the one *NM property, said so" 'wards-bng.shp: areas named by property "WD13NM" (the file has no "name"; --name-field chooses another)' "$T/wards-bng.shp.err"
check_grep "BNG conversion said so" 'wards-bng.geojson: coordinates converted from OSGB36 / British National Grid (EPSG:27700) to WGS84 longitude/latitude' "$T/wards-bng.geojson.err"
check_eq "sample crimes fall in the fixture wards" 1 \
	"$(sqlite3 "$T/wards-wgs84.geojson.db" 'select count(*) > 1000 from crime_areas')"
ref=$(assignments "$T/wards-wgs84.geojson.db")
check_eq "BNG GeoJSON: the same assignments as WGS84" "$ref" "$(assignments "$T/wards-bng.geojson.db")"
check_eq "BNG shapefile: the same assignments as WGS84" "$ref" "$(assignments "$T/wards-bng.shp.db")"
check_eq "WGS84 shapefile: the same assignments as WGS84" "$ref" "$(assignments "$T/wards-wgs84.shp.db")"

# ONS names to the paper's: --only, --rename, --rename-file
DB=$T/names.db
"$BIN" areas --db "$DB" load --only "Yarm,Stainsby Hill" --rename "Stainsby Hill=Thornaby Town Centre (Stainsby Hill)" \
	--rename "Yarm=Yarm Town Centre" "$FIX/wards-bng.shp" 2>"$T/err"
check_eq "--only and --rename load" "Thornaby Town Centre (Stainsby Hill)|Yarm Town Centre" \
	"$(sql "select group_concat(name, '|') from (select name from areas order by name)")"
printf '# ONS ward = town centre\nStockton Town Centre = Stockton TC\n' >"$T/names.txt"
"$BIN" areas --db "$DB" load --name-field WD13NM --only "Stockton Town Centre" --rename-file "$T/names.txt" "$FIX/wards-wgs84.geojson" 2>"$T/err"
check_eq "--rename-file loads" 1 "$(sql "select count(*) from areas where name = 'Stockton TC'")"

# errors: what, where, and the exit status table
"$BIN" areas --db "$DB" load "$T/nope.geojson" 2>"$T/err"
check_eq "missing file exits 5" 5 $?
python3 -c "
import json; d = json.load(open('$FIX/wards-bng.geojson')); del d['crs']; json.dump(d, open('$T/nocrs.geojson', 'w'))"
"$BIN" areas --db "$DB" load "$T/nocrs.geojson" 2>"$T/err"
check_eq "BNG without a crs exits 3" 3 $?
check_grep "BNG without a crs: the advice" 'nocrs.geojson: area "Parkfield and Oxbridge": position 1 is not \[longitude, latitude\]: \[443373.7977, 515844.7003\]; the file names no coordinate system, and these look like British National Grid eastings and northings in metres: give --crs EPSG:27700' "$T/err"
check "--crs EPSG:27700 loads it" "$BIN" areas --db "$DB" load --crs EPSG:27700 "$T/nocrs.geojson"
"$BIN" areas --db "$DB" load "$FIX/wards-noname.shp" 2>"$T/err"
check_eq "unnamed features exit 3" 3 $?
check_grep "unnamed features: the properties there are" 'wards-noname.shp: feature 1 has no "name" (its properties: WD13CD); give --name-field' "$T/err"
"$BIN" areas --db "$DB" load --only Yarmm "$FIX/wards-wgs84.geojson" 2>"$T/err"
check_grep "--only names what the file has" '--only: no feature named "Yarmm" (by property "WD13NM"; the file has "Parkfield and Oxbridge", "Stainsby Hill", "Stockton Town Centre", "Yarm")' "$T/err"
"$BIN" areas --db "$DB" load --rename Yarm "$FIX/wards-wgs84.geojson" 2>"$T/err"
check_eq "--rename without = exits 2" 2 $?
"$BIN" areas --db "$DB" list --only Yarm 2>"$T/err"
check_eq "load options on list exit 2" 2 $?
before=$(sqlite3 "$DB" .dump | md5sum)
"$BIN" areas --db "$DB" load --only "Yarm,Nowhere" "$FIX/wards-wgs84.geojson" 2>/dev/null
check_eq "a refused file changes nothing" "$before" "$(sqlite3 "$DB" .dump | md5sum)"

# LSOA lists and police.uk's 2023 switch to 2021 codes: 2011 code
# E01012264 is last used in 2023-05; its map point then carries E01035196.
H='Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context'
street() { # month, then lines of "id,lon,lat,code,name"
	m=$1
	shift
	mkdir -p "$T/dl/$m"
	{
		echo "$H"
		for r in "$@"; do
			echo "$r" | awk -F, -v m="$m" '{printf "%s,%s,Cleveland Police,Cleveland Police,%s,%s,On or near High Street,%s,%s,Shoplifting,Under investigation,\n", $1, m, $2, $3, $4, $5}'
		done
	} >"$T/dl/$m/$m-cleveland-street.csv"
}
street 2023-04 "a1,-1.312500,54.565500,E01012264,Stockton-on-Tees 014C" "a2,-1.300000,54.580000,E01012266,Stockton-on-Tees 014E" \
	"a3,-1.290000,54.590000,E01012268,Stockton-on-Tees 010E"
street 2023-05 "b1,-1.312500,54.565500,E01012264,Stockton-on-Tees 014C" "b2,-1.290000,54.590000,E01012268,Stockton-on-Tees 010E"
street 2023-07 "c1,-1.312500,54.565500,E01035196,Stockton-on-Tees 025A" "c2,-1.312500,54.565500,E01035196,Stockton-on-Tees 025A" \
	"c3,-1.290000,54.590000,E01012268,Stockton-on-Tees 010E"
cat >"$T/lsoa.json" <<'EOF'
{"areas": [
 {"name": "Old codes only", "lsoa_codes": ["E01012264", "E01012266", "E01012268"]},
 {"name": "Both vintages", "lsoa_codes": ["E01012264", "E01035196", "E01012268"]}
]}
EOF
DB=$T/lsoa.db
"$BIN" import --db "$DB" --quiet "$T/dl/2023-04" "$T/dl/2023-05"
"$BIN" areas --db "$DB" load "$T/lsoa.json" 2>"$T/err"
check "no warning while the data ends in 2023-05" sh -c "! grep -q warning '$T/err'"
"$BIN" import --db "$DB" "$T/dl/2023-07" 2>"$T/err"
check_eq "import with a lost code still exits 0" 0 $?
check_grep "import warns: the 2011 code, its last month, the codes at its map points since" \
	'warning: area "Old codes only": LSOA E01012264 (Stockton-on-Tees 014C) is in no crime after 2023-05: police.uk moved to 2021 LSOA codes in 2023-06, and the crimes at its map points since carry E01035196 (Stockton-on-Tees 025A, 2 crimes), which the area does not list; list them too, or the area shrinks from 2023-06' "$T/err"
check_grep "a code with nothing at its points since" \
	'warning: area "Old codes only": LSOA E01012266 (Stockton-on-Tees 014E) is in no crime after 2023-04: police.uk moved to 2021 LSOA codes in 2023-06, and no code the area lists took its place' "$T/err"
check "no warning for a code still in use" sh -c "! grep -q 'E01012268 (' '$T/err'"
check "no warning for an area listing the 2021 code" sh -c "! grep -q 'Both vintages' '$T/err'"
"$BIN" areas --db "$DB" load "$T/lsoa.json" 2>"$T/err"
check_grep "areas load warns too" 'warning: area "Old codes only": LSOA E01012264' "$T/err"
check_eq "the warning does not stop the load" 2 "$(sql 'select count(*) from areas')"
finish
