/* gen-policeuk: writes a synthetic police.uk download folder (street,
 * outcomes and stop-and-search files with the real headers, names, quirks
 * and category mix) at any scale, for benchmarks.  Deterministic for a seed. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"usage: gen-policeuk [options] --out DIR\n"
	"\n"
	"Writes DIR/YYYY-MM/YYYY-MM-<force>-{street,outcomes,stop-and-search}.csv like a\n"
	"police.uk download: real headers, ASB and BTP rows without Crime IDs, ~2%% No Location\n"
	"rows, quoted commas, PSNI without LSOAs and without outcomes, snap points clustered\n"
	"round town centres (Cleveland's include the six Stockton town centres).\n"
	"\n"
	"  --months N             months to write (default 1)\n"
	"  --start YYYY-MM        first month (default 2023-01)\n"
	"  --forces N             forces, Cleveland first then alphabetical (1-45, default 43)\n"
	"  --force SLUG           only this force (repeatable; overrides --forces)\n"
	"  --rows-per-force-month N  street rows per force and month, +-5%% (default 12800)\n"
	"  --seed S               random seed (default 1)\n"
	"  --kinds LIST           street,outcomes,stop-and-search (default all three)\n"
	"  --areas N              also write N small polygons round the clusters ...\n"
	"  --areas-out FILE       ... to this GeoJSON file\n"
	"  --out DIR              output folder (created)\n";

/* ---- random numbers: splitmix64 seeds a xoshiro256** per stream ---- */

typedef struct rng {
	uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	uint64_t x = a * 0x100000001b3ULL ^ b * 0x9e3779b97f4a7c15ULL ^ c * 0xc2b2ae3d27d4eb4fULL ^ d;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next64(rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

static double unif(rng *r)
{
	return (double)(next64(r) >> 11) * 0x1.0p-53;
}

static unsigned below(rng *r, unsigned n)
{
	return (unsigned)(((next64(r) >> 32) * (uint64_t)n) >> 32);
}

static double gauss(rng *r)
{
	double u = unif(r), v = unif(r);
	return sqrt(-2.0 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* ---- weighted choice tables ---- */

typedef struct wtab {
	const char *const *names;
	const double *w;
	size_t n;
	double total;
} wtab;

#define WTAB(names, w) {(names), (w), sizeof(w) / sizeof((w)[0]), 0}

static size_t pick(rng *r, wtab *t)
{
	if (t->total == 0)
		for (size_t i = 0; i < t->n; i++)
			t->total += t->w[i];
	double x = unif(r) * t->total;
	for (size_t i = 0; i < t->n; i++) {
		if (x < t->w[i])
			return i;
		x -= t->w[i];
	}
	return t->n - 1;
}

/* Cleveland and Durham street rows: the real category mix. */
static const char *const crime_types[] = {"Violence and sexual offences", "Anti-social behaviour",
	"Criminal damage and arson", "Shoplifting", "Public order", "Other theft", "Burglary", "Vehicle crime",
	"Drugs", "Other crime", "Robbery", "Possession of weapons", "Bicycle theft", "Theft from the person"};
static const double crime_w[] = {108869, 69163, 35268, 29797, 22906, 18724, 16273, 14423, 9191, 8421, 3173, 2449,
	2172, 1302};
#define ASB 1

static const char *const last_outcomes[] = {"Unable to prosecute suspect",
	"Investigation complete; no suspect identified", "Under investigation", "Awaiting court outcome",
	"Court result unavailable", "Local resolution", "Status update unavailable",
	"Further action is not in the public interest", "Action to be taken by another organisation",
	"Further investigation is not in the public interest", "Formal action is not in the public interest",
	"Offender given a caution", "Offender given a drugs possession warning", "Offender given penalty notice",
	"Suspect charged as part of another case", "Offender sent to prison", "Offender given community sentence",
	"Offender fined", "Defendant found not guilty"};
static const double last_w[] = {38, 32, 9, 5, 3, 2, 2, 1.5, 1.2, 1, 0.9, 0.8, 0.4, 0.1, 0.1, 1, 1, 0.6, 0.3};

static const char *const outcome_types[] = {"Unable to prosecute suspect",
	"Investigation complete; no suspect identified", "Suspect charged",
	"Further action is not in the public interest", "Action to be taken by another organisation",
	"Further investigation is not in the public interest", "Formal action is not in the public interest",
	"Local resolution", "Offender given a caution", "Offender given a drugs possession warning",
	"Offender given penalty notice", "Suspect charged as part of another case"};
static const double outcome_w[] = {102209, 86266, 25283, 2075, 1600, 1233, 1141, 1020, 675, 269, 37, 23};

/* Outcome month minus crime month: 0 for 69.5%, 1 for 15.6%, 2 for 5.4%, a tail after. */
static const double lag_w[] = {69.5, 15.6, 5.4, 2.6, 1.8, 1.3, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2};

static const char *const generic_places[] = {"Parking Area", "Supermarket", "Petrol Station", "Shopping Area",
	"Police Station", "Hospital", "Sports/Recreation Area", "Nightclub", "Further/Higher Educational Building",
	"Theatre/Concert Hall", "Conference/Exhibition Centre", "Park/Open Space", "Bus/Coach Station"};
static const char *const street_stems[] = {"High", "Station", "Church", "Victoria", "Park", "Mill", "Green",
	"Queen", "King", "Albert", "Manor", "York", "Durham", "Bridge", "Market", "Chapel", "Grange", "Westfield",
	"Dobson", "Bromley", "Lowfields", "Leven", "Wellington", "Trinity", "Nelson", "Harcourt", "Beechwood",
	"Ashfield", "Orchard", "Springfield", "Hawthorn", "Meadow", "Elm", "Oak", "Cedar", "Willow", "Sycamore",
	"Richmond", "Windsor", "Marlborough", "Cavendish", "Lancaster", "Stanley", "Hartington", "Cromwell",
	"Belle Vue", "Northfield", "Southgate", "Eastbourne", "Westminster"};
static const char *const street_kinds[] = {"Street", "Road", "Lane", "Avenue", "Close", "Place", "Drive",
	"Terrace", "Way", "Crescent", "Grove", "Court", "Gardens", "Walk", "Square"};
static const char *const comma_places[] = {"Great Central Railway, Quorn", "Station Road, Norton",
	"High Street, Yarm", "Market Place, Stockton"};

static const char *const ss_types[] = {"Person search", "Person and Vehicle search", "Vehicle search"};
static const double ss_type_w[] = {80, 12, 8};
static const char *const genders[] = {"Male", "Female", ""};
static const double gender_w[] = {85, 12, 3};
static const char *const ages[] = {"over 34", "25-34", "18-24", "10-17", "under 10", ""};
static const double age_w[] = {25, 30, 28, 14, 0.2, 3};
static const char *const self_eth[] = {"White - English/Welsh/Scottish/Northern Irish/British",
	"White - Any other White background", "Other ethnic group - Not stated",
	"Asian/Asian British - Pakistani", "Asian/Asian British - Any other Asian background",
	"Black/African/Caribbean/Black British - African", "Black/African/Caribbean/Black British - Caribbean",
	"Mixed/Multiple ethnic groups - White and Black Caribbean", "Asian/Asian British - Bangladeshi",
	"Asian/Asian British - Indian", "Other ethnic group - Any other ethnic group", ""};
static const double self_eth_w[] = {60, 5, 8, 4, 2, 3, 2, 2, 1, 1, 2, 10};
static const char *const off_eth[] = {"White", "Asian", "Black", "Other", ""};
static const double off_eth_w[] = {75, 9, 7, 2, 7};
static const char *const legislation[] = {"Misuse of Drugs Act 1971 (section 23)",
	"Police and Criminal Evidence Act 1984 (section 1)", "Firearms Act 1968 (section 47)", ""};
static const double legis_w[] = {60, 35, 1, 4};
static const char *const objects[] = {"Controlled drugs", "Article for use in theft", "Offensive weapons",
	"Stolen goods", "Articles for use in criminal damage", "Anything to threaten or harm anyone",
	"Evidence of offences under the Act", "Firearms", "Psychoactive substances", "Game or poaching equipment",
	"Crossbows", ""};
static const double object_w[] = {58, 9, 12, 10, 3, 1, 1, 1, 0.5, 0.2, 0.1, 4};
static const char *const ss_outcomes[] = {"A no further action disposal", "Arrest", "Community resolution",
	"Summons / charged by post", "Khat or Cannabis warning", "Caution (simple or conditional)", ""};
static const double ss_out_w[] = {70, 14, 8, 3, 3, 1, 1};
static const char *const linked[] = {"True", "False", ""};
static const double linked_w[] = {20, 55, 25};

/* ---- forces ---- */

typedef struct force {
	const char *slug, *name;
	double lon, lat;
	const char *lad; /* local authority for LSOA names */
	char nation;     /* 'E', 'W', or 'N' (no LSOAs) */
} force;

/* Cleveland first (its clusters include the six Stockton town centres), then alphabetical. */
static const force forces[] = {
	{"cleveland", "Cleveland Police", -1.25, 54.57, "Stockton-on-Tees", 'E'},
	{"avon-and-somerset", "Avon and Somerset Constabulary", -2.59, 51.45, "Bristol", 'E'},
	{"bedfordshire", "Bedfordshire Police", -0.47, 52.13, "Bedford", 'E'},
	{"btp", "British Transport Police", -0.13, 51.51, "Westminster", 'E'},
	{"cambridgeshire", "Cambridgeshire Constabulary", 0.12, 52.20, "Cambridge", 'E'},
	{"cheshire", "Cheshire Constabulary", -2.89, 53.19, "Cheshire West and Chester", 'E'},
	{"city-of-london", "City of London Police", -0.09, 51.515, "City of London", 'E'},
	{"cumbria", "Cumbria Constabulary", -2.93, 54.89, "Carlisle", 'E'},
	{"derbyshire", "Derbyshire Constabulary", -1.47, 52.92, "Derby", 'E'},
	{"devon-and-cornwall", "Devon & Cornwall Police", -3.53, 50.72, "Exeter", 'E'},
	{"dorset", "Dorset Police", -1.88, 50.72, "Bournemouth, Christchurch and Poole", 'E'},
	{"durham", "Durham Constabulary", -1.57, 54.78, "County Durham", 'E'},
	{"dyfed-powys", "Dyfed-Powys Police", -4.10, 52.00, "Carmarthenshire", 'W'},
	{"essex", "Essex Police", 0.47, 51.73, "Chelmsford", 'E'},
	{"gloucestershire", "Gloucestershire Constabulary", -2.24, 51.86, "Gloucester", 'E'},
	{"greater-manchester", "Greater Manchester Police", -2.24, 53.48, "Manchester", 'E'},
	{"gwent", "Gwent Police", -3.00, 51.59, "Newport", 'W'},
	{"hampshire", "Hampshire Constabulary", -1.40, 50.91, "Southampton", 'E'},
	{"hertfordshire", "Hertfordshire Constabulary", -0.21, 51.80, "St Albans", 'E'},
	{"humberside", "Humberside Police", -0.33, 53.74, "Kingston upon Hull, City of", 'E'},
	{"kent", "Kent Police", 0.52, 51.27, "Maidstone", 'E'},
	{"lancashire", "Lancashire Constabulary", -2.70, 53.76, "Preston", 'E'},
	{"leicestershire", "Leicestershire Police", -1.13, 52.64, "Leicester", 'E'},
	{"lincolnshire", "Lincolnshire Police", -0.54, 53.23, "Lincoln", 'E'},
	{"merseyside", "Merseyside Police", -2.98, 53.41, "Liverpool", 'E'},
	{"metropolitan", "Metropolitan Police Service", -0.13, 51.51, "Westminster", 'E'},
	{"norfolk", "Norfolk Constabulary", 1.30, 52.63, "Norwich", 'E'},
	{"north-wales", "North Wales Police", -3.83, 53.28, "Conwy", 'W'},
	{"north-yorkshire", "North Yorkshire Police", -1.08, 53.96, "York", 'E'},
	{"northamptonshire", "Northamptonshire Police", -0.90, 52.24, "West Northamptonshire", 'E'},
	{"northern-ireland", "Police Service of Northern Ireland", -5.93, 54.60, "", 'N'},
	{"northumbria", "Northumbria Police", -1.61, 54.97, "Newcastle upon Tyne", 'E'},
	{"nottinghamshire", "Nottinghamshire Police", -1.15, 52.95, "Nottingham", 'E'},
	{"south-wales", "South Wales Police", -3.18, 51.48, "Cardiff", 'W'},
	{"south-yorkshire", "South Yorkshire Police", -1.47, 53.38, "Sheffield", 'E'},
	{"staffordshire", "Staffordshire Police", -2.18, 53.00, "Stoke-on-Trent", 'E'},
	{"suffolk", "Suffolk Constabulary", 1.15, 52.06, "Ipswich", 'E'},
	{"surrey", "Surrey Police", -0.57, 51.24, "Guildford", 'E'},
	{"sussex", "Sussex Police", -0.14, 50.82, "Brighton and Hove", 'E'},
	{"thames-valley", "Thames Valley Police", -1.26, 51.75, "Oxford", 'E'},
	{"warwickshire", "Warwickshire Police", -1.58, 52.28, "Warwick", 'E'},
	{"west-mercia", "West Mercia Police", -2.22, 52.19, "Worcester", 'E'},
	{"west-midlands", "West Midlands Police", -1.90, 52.48, "Birmingham", 'E'},
	{"west-yorkshire", "West Yorkshire Police", -1.55, 53.80, "Leeds", 'E'},
	{"wiltshire", "Wiltshire Police", -1.79, 51.57, "Swindon", 'E'},
};
#define NFORCES (sizeof forces / sizeof forces[0])

/* Centroids of the parts of sample-data/areas/hand-drawn-town-centres.geojson. */
static const double stockton[][2] = {{-1.290838, 54.605651}, {-1.312965, 54.565149}, {-1.315732, 54.588293},
	{-1.296654, 54.542757}, {-1.321493, 54.517374}, {-1.355742, 54.506157}, {-1.341036, 54.508844}};

/* ---- per-force geography: clusters of snap points, each with its CSV text ---- */

#define CLUSTERS 40
#define POINTS_PER_CLUSTER 192
#define BACKGROUND_POINTS 4096
#define BACKGROUND_SHARE 0.2

typedef struct snap {
	char *text; /* "lon,lat,Location,LSOA code,LSOA name" */
	char *lon_lat; /* "lat,lon" for stop and search */
} snap;

typedef struct cluster {
	double lon, lat, radius, weight;
} cluster;

typedef struct geo {
	cluster c[CLUSTERS];
	double cum[CLUSTERS];
	snap pts[CLUSTERS][POINTS_PER_CLUSTER];
	snap bg[BACKGROUND_POINTS];
} geo;

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = malloc((size_t)n + 1);
	if (!s)
		abort();
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static void make_snap(rng *r, const force *f, snap *p, double lon, double lat, unsigned lsoa)
{
	char loc[128];
	double u = unif(r);
	if (u < 0.004)
		snprintf(loc, sizeof loc, "\"On or near %s\"", comma_places[below(r, 4)]);
	else if (u < 0.012)
		snprintf(loc, sizeof loc, "On or near "); /* empty name, trailing space */
	else if (u < 0.25)
		snprintf(loc, sizeof loc, "On or near %s", generic_places[below(r, 13)]);
	else
		snprintf(loc, sizeof loc, "On or near %s %s", street_stems[below(r, 50)], street_kinds[below(r, 15)]);
	char area[96] = ",";
	if (f->nation != 'N')
	{
		const char *q = strchr(f->lad, ',') ? "\"" : ""; /* "Bournemouth, Christchurch and Poole 001A" */
		snprintf(area, sizeof area, "%c01%06u,%s%s %03u%c%s", f->nation, lsoa % 1000000, q, f->lad,
			 lsoa % 997 % 160, 'A' + (int)(lsoa % 7), q);
	}
	p->text = xasprintf("%.6f,%.6f,%s,%s", lon, lat, loc, area);
	p->lon_lat = xasprintf("%.6f,%.6f", lat, lon);
}

/* The clusters alone: cheap, for the areas file. */
static void clusters_build(geo *g, uint64_t seed, size_t fi)
{
	const force *f = &forces[fi];
	rng r;
	rng_seed(&r, seed, fi, 0x6e0, 0);
	double total = 0;
	for (int c = 0; c < CLUSTERS; c++) {
		cluster *k = &g->c[c];
		/* the Stockton parts are middling clusters: about a tenth of Cleveland's crimes */
		if (fi == 0 && c % 3 == 2 && c / 3 < 7) {
			k->lon = stockton[c / 3][0];
			k->lat = stockton[c / 3][1];
			k->radius = 0.0025;
		} else {
			k->lon = f->lon + (unif(&r) - 0.5) * 0.8;
			k->lat = f->lat + (unif(&r) - 0.5) * 0.5;
			k->radius = 0.003 + unif(&r) * 0.012;
		}
		k->weight = 1.0 / pow(c + 1.0, 0.8);
		total += k->weight;
		g->cum[c] = total;
	}
	for (int c = 0; c < CLUSTERS; c++)
		g->cum[c] /= total;
}

static void geo_build(geo *g, uint64_t seed, size_t fi)
{
	const force *f = &forces[fi];
	clusters_build(g, seed, fi);
	rng r;
	rng_seed(&r, seed, fi, 0x6e0, 1);
	unsigned lsoa_base = 10000u + (unsigned)fi * 20000u;
	for (int c = 0; c < CLUSTERS; c++) {
		const cluster *k = &g->c[c];
		for (int i = 0; i < POINTS_PER_CLUSTER; i++) {
			double lon = k->lon + gauss(&r) * k->radius * 0.6, lat = k->lat + gauss(&r) * k->radius * 0.4;
			make_snap(&r, f, &g->pts[c][i], lon, lat, lsoa_base + (unsigned)c * 12 + (unsigned)i % 12);
		}
	}
	for (int i = 0; i < BACKGROUND_POINTS; i++) {
		double lon = f->lon + (unif(&r) - 0.5) * 1.0, lat = f->lat + (unif(&r) - 0.5) * 0.6;
		make_snap(&r, f, &g->bg[i], lon, lat, lsoa_base + 600 + (unsigned)i % 2000);
	}
}

static void geo_free(geo *g)
{
	for (int c = 0; c < CLUSTERS; c++)
		for (int i = 0; i < POINTS_PER_CLUSTER; i++) {
			free(g->pts[c][i].text);
			free(g->pts[c][i].lon_lat);
		}
	for (int i = 0; i < BACKGROUND_POINTS; i++) {
		free(g->bg[i].text);
		free(g->bg[i].lon_lat);
	}
}

static const snap *pick_snap(rng *r, const geo *g)
{
	if (unif(r) < BACKGROUND_SHARE)
		return &g->bg[below(r, BACKGROUND_POINTS)];
	double u = unif(r);
	int c = 0;
	while (c < CLUSTERS - 1 && u > g->cum[c])
		c++;
	return &g->pts[c][below(r, POINTS_PER_CLUSTER)];
}

/* ---- output ---- */

static const char street_header[] = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
				    "LSOA name,Crime type,Last outcome category,Context\n";
static const char outcomes_header[] = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
				      "LSOA code,LSOA name,Outcome type\n";
static const char stop_header[] = "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,"
				  "Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,"
				  "Object of search,Outcome,Outcome linked to object of search,"
				  "Removal of more than just outer clothing\n";

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gen-policeuk: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static FILE *open_out(const char *dir, int y, int m, const char *slug, const char *kind, const char *header)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%04d-%02d", dir, y, m);
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		die("%s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/%04d-%02d/%04d-%02d-%s-%s.csv", dir, y, m, y, m, slug, kind);
	FILE *f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fputs(header, f);
	return f;
}

static void close_out(FILE *f)
{
	if (f && (ferror(f) || fclose(f) != 0))
		die("write error: %s", strerror(errno));
}

static void hex_id(rng *r, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 64; i += 16) {
		uint64_t v = next64(r);
		for (int k = 0; k < 16; k++, v >>= 4)
			out[i + k] = hx[v & 15];
	}
	out[64] = '\0';
}

typedef struct options {
	int months, start, rows;
	uint64_t seed;
	int street, outcomes, stop;
	const char *out;
} options;

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

static wtab t_crime = WTAB(crime_types, crime_w), t_last = WTAB(last_outcomes, last_w),
	    t_outcome = WTAB(outcome_types, outcome_w), t_lag = {NULL, lag_w, sizeof lag_w / sizeof lag_w[0], 0};
static wtab t_sstype = WTAB(ss_types, ss_type_w), t_gender = WTAB(genders, gender_w), t_age = WTAB(ages, age_w),
	    t_self = WTAB(self_eth, self_eth_w), t_off = WTAB(off_eth, off_eth_w), t_legis = WTAB(legislation, legis_w),
	    t_object = WTAB(objects, object_w), t_ssout = WTAB(ss_outcomes, ss_out_w), t_linked = WTAB(linked, linked_w);

static void stop_rows(const options *o, const force *f, size_t fi, const geo *g, int y, int m, long n)
{
	rng r;
	rng_seed(&r, o->seed, fi, (uint64_t)y * 12 + (uint64_t)m, 0x5705);
	if (unif(&r) < 0.02)
		return; /* some forces publish no stop-and-search file in a month */
	FILE *out = open_out(o->out, y, m, f->slug, "stop-and-search", stop_header);
	int bst = m >= 4 && m <= 10, py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
	for (long i = 0; i < n; i++) {
		char date[40];
		if (bst && unif(&r) < 0.02)
			snprintf(date, sizeof date, "%04d-%02d-%02dT23:00:00+00:00", py, pm, days_in(py, pm));
		else
			snprintf(date, sizeof date, "%04d-%02d-%02dT%02u:%02u:00+00:00", y, m, 1 + below(&r, (unsigned)days_in(y, m)),
				 below(&r, 24), below(&r, 60));
		const char *ll = unif(&r) < 0.05 ? "," : pick_snap(&r, g)->lon_lat;
		fprintf(out, "%s,%s,,,%s,%s,%s,%s,%s,%s,%s,%s,%s,\n", ss_types[pick(&r, &t_sstype)], date, ll,
			genders[pick(&r, &t_gender)], ages[pick(&r, &t_age)], self_eth[pick(&r, &t_self)],
			off_eth[pick(&r, &t_off)], legislation[pick(&r, &t_legis)], objects[pick(&r, &t_object)],
			ss_outcomes[pick(&r, &t_ssout)], linked[pick(&r, &t_linked)]);
	}
	close_out(out);
}

/* Writes every month of force FI; outcomes go to the file of the month they happen in. */
static void gen_force(const options *o, size_t fi)
{
	const force *f = &forces[fi];
	geo *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	geo_build(g, o->seed, fi);
	int btp = strcmp(f->slug, "btp") == 0, psni = f->nation == 'N';
	FILE **outc = calloc((size_t)o->months, sizeof(FILE *));
	if (!outc)
		abort();
	for (int k = 0; k < o->months; k++) {
		int mi = o->start + k, y = mi / 12, m = mi % 12 + 1;
		if (o->outcomes && !psni)
			outc[k] = open_out(o->out, y, m, f->slug, "outcomes", outcomes_header);
	}
	for (int k = 0; k < o->months; k++) {
		int mi = o->start + k, y = mi / 12, m = mi % 12 + 1;
		rng r;
		rng_seed(&r, o->seed, fi, (uint64_t)mi, 0x57);
		long n = (long)(o->rows * (0.95 + 0.1 * unif(&r)));
		FILE *st = o->street ? open_out(o->out, y, m, f->slug, "street", street_header) : NULL;
		char id[65] = "", prev[65] = "";
		for (long i = 0; i < n; i++) {
			size_t ct = pick(&r, &t_crime);
			int no_id = ct == ASB || btp;
			const snap *p = pick_snap(&r, g);
			int noloc = unif(&r) < 0.02;
			if (no_id)
				id[0] = '\0';
			else if (prev[0] && unif(&r) < 0.00005)
				memcpy(id, prev, sizeof id); /* police.uk repeats a few IDs in a file */
			else
				hex_id(&r, id);
			const char *last = no_id ? "" : last_outcomes[pick(&r, &t_last)];
			if (st) {
				if (noloc)
					fprintf(st, "%s,%04d-%02d,%s,%s,,,No Location,,,%s,%s,\n", id, y, m, f->name, f->name,
						crime_types[ct], last);
				else
					fprintf(st, "%s,%04d-%02d,%s,%s,%s,%s,%s,\n", id, y, m, f->name, f->name, p->text,
						crime_types[ct], last);
			}
			if (!no_id) {
				memcpy(prev, id, sizeof prev);
				/* outcomes: most crimes get one, a few two, in the same or a later month */
				int nout = unif(&r) < 0.78 ? 1 + (unif(&r) < 0.06) : 0;
				for (int j = 0; j < nout; j++) {
					int ok = k + (int)pick(&r, &t_lag);
					const char *ot = outcome_types[pick(&r, &t_outcome)];
					if (ok >= o->months || !outc[ok])
						continue;
					int oy = (o->start + ok) / 12, om = (o->start + ok) % 12 + 1;
					if (noloc)
						fprintf(outc[ok], "%s,%04d-%02d,%s,%s,,,No Location,,,%s\n", id, oy, om, f->name,
							f->name, ot);
					else
						fprintf(outc[ok], "%s,%04d-%02d,%s,%s,%s,%s\n", id, oy, om, f->name, f->name,
							p->text, ot);
				}
			}
		}
		close_out(st);
		if (o->stop)
			stop_rows(o, f, fi, g, y, m, n * 7 / 100);
	}
	for (int k = 0; k < o->months; k++)
		close_out(outc[k]);
	free(outc);
	geo_free(g);
	free(g);
}

/* N small polygons (12 vertices, every tenth with a hole) round the forces' clusters. */
static void gen_areas(const options *o, const size_t *fidx, size_t nf, int n, const char *path)
{
	FILE *out = fopen(path, "w");
	if (!out)
		die("%s: %s", path, strerror(errno));
	fputs("{\"type\": \"FeatureCollection\", \"name\": \"gen-policeuk benchmark areas\", \"features\": [\n", out);
	geo *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	rng r;
	rng_seed(&r, o->seed, 0xa7ea5, 0, 0);
	int written = 0;
	for (size_t k = 0; written < n; k++) {
		size_t fi = fidx[k % nf];
		int c = (int)((k / nf) % CLUSTERS), round = (int)(k / (nf * CLUSTERS));
		clusters_build(g, o->seed, fi);
		const cluster *cl = &g->c[c];
		/* later rounds put smaller polygons off the cluster centre */
		double cx = cl->lon + (round ? gauss(&r) * cl->radius : 0), cy = cl->lat + (round ? gauss(&r) * cl->radius * 0.6 : 0);
		double rad = cl->radius * (round ? 0.4 : 1.0) * (0.8 + 0.4 * unif(&r));
		fprintf(out, "%s{\"type\": \"Feature\", \"properties\": {\"name\": \"Bench area %04d %s\"}, "
			     "\"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[",
			written ? ",\n" : "", written + 1, forces[fi].slug);
		double first[2] = {0, 0};
		for (int v = 0; v < 12; v++) {
			double a = 2 * M_PI * v / 12, rr = rad * (0.75 + 0.5 * unif(&r));
			double x = cx + cos(a) * rr, y = cy + sin(a) * rr * 0.6;
			if (v == 0)
				first[0] = x, first[1] = y;
			fprintf(out, "[%.6f, %.6f], ", x, y);
		}
		fprintf(out, "[%.6f, %.6f]]", first[0], first[1]);
		if (written % 10 == 9) {
			double hr = rad * 0.2;
			fprintf(out, ", [[%.6f, %.6f], [%.6f, %.6f], [%.6f, %.6f], [%.6f, %.6f], [%.6f, %.6f]]", cx - hr,
				cy - hr, cx - hr, cy + hr, cx + hr, cy + hr, cx + hr, cy - hr, cx - hr, cy - hr);
		}
		fputs("]}}", out);
		written++;
	}
	fputs("\n]}\n", out);
	free(g);
	close_out(out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"months", required_argument, NULL, 'm'}, {"start", required_argument, NULL, 's'},
		{"forces", required_argument, NULL, 'f'}, {"force", required_argument, NULL, 'F'},
		{"rows-per-force-month", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 'S'},
		{"kinds", required_argument, NULL, 'k'}, {"areas", required_argument, NULL, 'a'},
		{"areas-out", required_argument, NULL, 'A'}, {"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	options o = {.months = 1, .start = 2023 * 12, .rows = 12800, .seed = 1, .street = 1, .outcomes = 1, .stop = 1};
	int nforces = 43, nareas = 0;
	const char *areas_out = NULL;
	size_t fidx[NFORCES], nf = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o.months = atoi(optarg); break;
		case 's': {
			int y, m;
			if (sscanf(optarg, "%d-%d", &y, &m) != 2 || m < 1 || m > 12)
				die("--start: \"%s\" is not YYYY-MM", optarg);
			o.start = y * 12 + m - 1;
			break;
		}
		case 'f': nforces = atoi(optarg); break;
		case 'F': {
			size_t i = 0;
			while (i < NFORCES && strcmp(forces[i].slug, optarg) != 0)
				i++;
			if (i == NFORCES)
				die("--force: unknown force \"%s\"", optarg);
			if (nf < NFORCES)
				fidx[nf++] = i;
			break;
		}
		case 'r': o.rows = atoi(optarg); break;
		case 'S': o.seed = strtoull(optarg, NULL, 10); break;
		case 'k':
			o.street = strstr(optarg, "street") != NULL;
			o.outcomes = strstr(optarg, "outcomes") != NULL;
			o.stop = strstr(optarg, "stop") != NULL;
			break;
		case 'a': nareas = atoi(optarg); break;
		case 'A': areas_out = optarg; break;
		case 'o': o.out = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (nforces < 1 || nforces > (int)NFORCES || o.months < 0 || o.rows < 0 || nareas < 0 || (nareas && !areas_out))
		die("bad options (see --help)");
	if (!nf)
		for (int i = 0; i < nforces; i++)
			fidx[nf++] = (size_t)i;
	if (o.months > 0) {
		if (!o.out)
			die("--out DIR is required");
		if (mkdir(o.out, 0777) != 0 && errno != EEXIST)
			die("%s: %s", o.out, strerror(errno));
		for (size_t i = 0; i < nf; i++)
			gen_force(&o, fidx[i]);
	}
	if (nareas)
		gen_areas(&o, fidx, nf, nareas, areas_out);
	return 0;
}
