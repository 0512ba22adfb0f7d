/* Significance tests on counts.  The E-test sums Poisson probabilities in log
 * space: each count's distribution is tabulated from its mode outward until a
 * term is below e^-745 of the mode's (the end of double precision), and for
 * each count of the first period a binary search finds where the statistic
 * crosses the observed one, so the inner sum is one tail of the second
 * count's distribution. */
#include "stats/signif.h"

#include <math.h>
#include <stdlib.h>

#include "core/util.h"

/* log(e^A + e^B), exact when either is -infinity. */
static double log_add(double a, double b)
{
	if (a < b) {
		double t = a;
		a = b;
		b = t;
	}
	if (b == -INFINITY)
		return a;
	return a + log1p(exp(b - a));
}

double sig_z(long long cur, long long cmp)
{
	return 2.0 * (sqrt((double)cur) - sqrt((double)cmp));
}

/* Terms further than this below the mode's (in log) are below double precision. */
#define POIS_CUT 745.0

/* A Poisson(mu) distribution over the counts that matter, mu > 0. */
typedef struct pois_tab {
	long long first; /* count at index 0 */
	size_t n;
	size_t mode; /* index of the most likely count */
	double *lp;   /* log P(X = first + i) */
	double *lcdf; /* log P(X <= first + i) */
	double *lsf;  /* log P(X >= first + i) */
} pois_tab;

static void pois_free(pois_tab *t)
{
	free(t->lp);
	free(t->lcdf);
	free(t->lsf);
}

/* Tabulates Poisson(MU) by the ratio of neighbouring terms, from the mode
 * (log weight 0) outward, then normalises: no factorial is ever formed, and
 * log1p keeps the ratios exact near the mode where they are close to 1. */
static void pois_build(pois_tab *t, double mu)
{
	long long mode = (long long)floor(mu);
	size_t left = 0, right = 0, cap = 64;
	double *lo = xmalloc(cap * sizeof *lo), *hi = xmalloc(cap * sizeof *hi);
	/* hi[k]: log weight of mode + k; lo[k]: of mode - 1 - k */
	double w = 0;
	for (long long x = mode;; x++) {
		if (right == cap || left == cap) {
			cap *= 2;
			lo = xrealloc(lo, cap * sizeof *lo);
			hi = xrealloc(hi, cap * sizeof *hi);
		}
		hi[right++] = w;
		w += log1p((mu - (double)(x + 1)) / (double)(x + 1));
		if (w < -POIS_CUT)
			break;
	}
	w = 0;
	for (long long x = mode; x > 0; x--) {
		w += log1p(((double)x - mu) / mu);
		if (w < -POIS_CUT)
			break;
		if (left == cap) {
			cap *= 2;
			lo = xrealloc(lo, cap * sizeof *lo);
			hi = xrealloc(hi, cap * sizeof *hi);
		}
		lo[left++] = w;
	}
	t->first = mode - (long long)left;
	t->n = left + right;
	t->mode = left;
	t->lp = xmalloc(t->n * sizeof *t->lp);
	t->lcdf = xmalloc(t->n * sizeof *t->lcdf);
	t->lsf = xmalloc(t->n * sizeof *t->lsf);
	for (size_t i = 0; i < left; i++)
		t->lp[i] = lo[left - 1 - i];
	for (size_t i = 0; i < right; i++)
		t->lp[left + i] = hi[i];
	free(lo);
	free(hi);
	double acc = -INFINITY;
	for (size_t i = 0; i < t->n; i++)
		t->lcdf[i] = acc = log_add(acc, t->lp[i]);
	double total = acc;
	acc = -INFINITY;
	for (size_t i = t->n; i-- > 0;)
		t->lsf[i] = acc = log_add(acc, t->lp[i]);
	for (size_t i = 0; i < t->n; i++) {
		t->lp[i] -= total;
		t->lcdf[i] = fmin(t->lcdf[i] - total, 0.0);
		t->lsf[i] = fmin(t->lsf[i] - total, 0.0);
	}
}

/* The E-test statistic: the difference of rates over its unpooled standard
 * error; 0 when the rates are equal (then the error may be 0 too). */
static double e_stat(double x1, double x2, double n1, double n2)
{
	double d = x1 / n1 - x2 / n2;
	if (d == 0)
		return 0;
	return d / sqrt(x1 / (n1 * n1) + x2 / (n2 * n2));
}

/* log P(X2 <= c) or log P(X2 >= c) for the pairs with first count X1 that
 * qualify: for a fixed first count the statistic falls strictly as the
 * second count grows, so they are one tail of the second count's table. */
static double e_inner(const pois_tab *p2, double x1, double n1, double n2, double thr, int upper)
{
	/* first index of p2 where the pair fails (upper) or qualifies (lower) */
	size_t a = 0, b = p2->n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		double t = e_stat(x1, (double)(p2->first + (long long)mid), n1, n2);
		if (upper ? t >= thr : t > thr)
			a = mid + 1;
		else
			b = mid;
	}
	if (upper)
		return a == 0 ? -INFINITY : p2->lcdf[a - 1];
	return a == p2->n ? -INFINITY : p2->lsf[a];
}

/* Once the first count's probability left beyond the sum's reach is this far
 * (in log) below the sum, the rest cannot change its 17th digit. */
#define E_NEGLIGIBLE 40.0

/* log P(T >= THR) (UPPER) or log P(T <= THR) under H0: the first count's
 * terms from its mode outward, each side until what is left is negligible. */
static double e_tail(const pois_tab *p1, const pois_tab *p2, double n1, double n2, double thr, int upper)
{
	double acc = -INFINITY;
	for (size_t i = p1->mode; i < p1->n && !(p1->lsf[i] < acc - E_NEGLIGIBLE); i++)
		acc = log_add(acc, p1->lp[i] + e_inner(p2, (double)(p1->first + (long long)i), n1, n2, thr, upper));
	for (size_t i = p1->mode; i-- > 0 && !(p1->lcdf[i] < acc - E_NEGLIGIBLE);)
		acc = log_add(acc, p1->lp[i] + e_inner(p2, (double)(p1->first + (long long)i), n1, n2, thr, upper));
	return acc;
}

/* Statistics within this relative distance of the observed one count as
 * equal to it: rounding must not drop the observed pair or its mirror. */
#define E_TIE 1e-9

double sig_etest(long long k1, long long k2, double n1, double n2, sig_alt alt)
{
	if (k1 < 0 || k2 < 0 || !(n1 > 0) || !(n2 > 0) || !isfinite(n1) || !isfinite(n2))
		return NAN;
	double t = e_stat((double)k1, (double)k2, n1, n2);
	/* no crime in either period: (0, 0) is the only outcome H0 allows */
	if ((k1 == 0 && k2 == 0) || (t == 0 && alt == SIG_TWO_SIDED))
		return 1.0;
	double lam = ((double)k1 + (double)k2) / (n1 + n2);
	pois_tab p1, p2;
	pois_build(&p1, n1 * lam);
	pois_build(&p2, n2 * lam);
	double tol = E_TIE * fabs(t), lp;
	switch (alt) {
	case SIG_GREATER: lp = e_tail(&p1, &p2, n1, n2, t - tol, 1); break;
	case SIG_LESS: lp = e_tail(&p1, &p2, n1, n2, t + tol, 0); break;
	default:
		lp = log_add(e_tail(&p1, &p2, n1, n2, fabs(t) - tol, 1), e_tail(&p1, &p2, n1, n2, -fabs(t) + tol, 0));
		break;
	}
	pois_free(&p1);
	pois_free(&p2);
	double p = exp(lp);
	return p > 1 ? 1 : p;
}

double sig_norm_p2(double z)
{
	return erfc(fabs(z) / sqrt(2.0));
}

/* Horner's rule for a polynomial of degree 7, coefficients from x^0 up. */
static double poly7(const double c[8], double x)
{
	double v = c[7];
	for (int i = 6; i >= 0; i--)
		v = v * x + c[i];
	return v;
}

double sig_norm_quantile(double p)
{
	/* Wichura, M. J. (1988) Algorithm AS 241: The percentage points of the
	 * normal distribution.  Applied Statistics 37, 477-484 (PPND16). */
	static const double a[8] = {3.387132872796366608,   133.14166789178437745, 1971.5909503065514427,
				    13731.693765509461125,  45921.953931549871457, 67265.770927008700853,
				    33430.575583588128105,  2509.0809287301226727};
	static const double b[8] = {1.0,                   42.313330701600911252, 687.1870074920579083,
				    5394.1960214247511077, 21213.794301586595867, 39307.89580009271061,
				    28729.085735721942674, 5226.495278852545925};
	static const double c[8] = {1.42343711074968357734,  4.6303378461565452959,   5.7694972214606914055,
				    3.64784832476320460504,  1.27045825245236838258,  0.24178072517745061177,
				    0.0227238449892691845833, 7.7454501427834140764e-4};
	static const double d[8] = {1.0,                      2.05319162663775882187,  1.6763848301838038494,
				    0.68976733498510000455,   0.14810397642748007459,  0.0151986665636164571966,
				    5.475938084995344946e-4,  1.05075007164441684324e-9};
	static const double e[8] = {6.6579046435011037772,    5.4637849111641143699,    1.7848265399172913358,
				    0.29656057182850489123,   0.026532189526576123093,  0.0012426609473880784386,
				    2.71155556874348757815e-5, 2.01033439929228813265e-7};
	static const double f[8] = {1.0,                      0.59983220655588793769,   0.13692988092273580531,
				    0.0148753612908506148525, 7.868691311456132591e-4,  1.8463183175100546818e-5,
				    1.4215117583164458887e-7, 2.04426310338993978564e-15};
	if (!(p > 0 && p < 1))
		return NAN;
	double q = p - 0.5;
	if (fabs(q) <= 0.425) {
		double r = 0.180625 - q * q;
		return q * poly7(a, r) / poly7(b, r);
	}
	double r = sqrt(-log(q < 0 ? p : 1 - p)), v;
	if (r <= 5) {
		r -= 1.6;
		v = poly7(c, r) / poly7(d, r);
	} else {
		r -= 5;
		v = poly7(e, r) / poly7(f, r);
	}
	return q < 0 ? -v : v;
}

sig_wdd sig_wdd_test(const sig_wdd_counts *c, double level)
{
	sig_wdd w = {0};
	/* a count before, in crimes per post period, and its variance */
	double k = c->pre > 0 && c->post > 0 ? c->post / c->pre : 1.0;
	double t0 = k * (double)c->t0, c0 = k * (double)c->c0, dt0 = k * (double)c->dt0, dc0 = k * (double)c->dc0;
	w.local = ((double)c->t1 - t0) - ((double)c->c1 - c0);
	double var_local = (double)c->t1 + (double)c->c1 + k * k * ((double)c->t0 + (double)c->c0);
	w.displace = ((double)c->dt1 - dt0) - ((double)c->dc1 - dc0);
	double var_disp = (double)c->dt1 + (double)c->dc1 + k * k * ((double)c->dt0 + (double)c->dc0);
	w.local_se = sqrt(var_local);
	w.displace_se = sqrt(var_disp);
	w.est = w.local + w.displace;
	w.se = sqrt(var_local + var_disp);
	w.z = w.se > 0 ? w.est / w.se : 0;
	w.p = sig_norm_p2(w.z);
	double q = sig_norm_quantile(0.5 + level / 2);
	w.lo = w.est - q * w.se;
	w.hi = w.est + q * w.se;
	return w;
}
