/* Significance of changes in crime counts: the Poisson z-score, the
 * Krishnamoorthy-Thomson E-test for two Poisson rates, and the Weighted
 * Displacement Difference test for place-based interventions.  Pure
 * arithmetic on counts; docs/statistics.md gives the formulas and sources. */
#ifndef CRIMETAB_SIGNIF_H
#define CRIMETAB_SIGNIF_H

/* Which changes a p-value counts as at least as extreme as the one seen. */
typedef enum {
	SIG_TWO_SIDED, /* a change of either direction as large as the one seen */
	SIG_GREATER,   /* a rise as large: H1 is rate 1 > rate 2 */
	SIG_LESS,      /* a fall as large: H1 is rate 1 < rate 2 */
} sig_alt;

/* Wheeler's Poisson z-score for CUR against CMP over periods of equal length:
 * 2 (sqrt(CUR) - sqrt(CMP)).  About standard normal when nothing changed;
 * 25 against 16 gives 2.0. */
double sig_z(long long cur, long long cmp);

/* The p-value of the Krishnamoorthy-Thomson (2004) E-test of H0: K1/N1 =
 * K2/N2, for counts K1 and K2 observed over exposures N1 and N2 (months, or
 * any unit; both > 0), against the alternative ALT.  Exact: the sum of
 * Poisson probabilities, at the rate H0 makes most likely, of every pair of
 * counts whose statistic is at least as extreme as the one seen, in log
 * space from each mode outward until the terms vanish below double
 * precision, so counts in the millions take milliseconds.  0 against 0 shows
 * no change: 1.  NaN for negative counts or exposures that are not positive
 * and finite.  25 against 16: 0.165 two-sided, 0.082 for a rise. */
double sig_etest(long long k1, long long k2, double n1, double n2, sig_alt alt);

/* The two-sided p-value of a standard normal score Z: P(|N(0,1)| >= |Z|). */
double sig_norm_p2(double z);

/* The standard normal quantile: Q with P(N(0,1) <= Q) = P, for 0 < P < 1
 * (Wichura's AS 241, about 16 digits); NaN outside. */
double sig_norm_quantile(double p);

/* The Weighted Displacement Difference test (Wheeler and Ratcliffe 2018).
 * Counts before (0) and after (1) the intervention in the treated area(s),
 * the control area(s) and, optionally, the displacement buffers around each
 * (zeros when there are none).  PRE and POST are the periods' lengths
 * (months; Wheeler's extension for unequal periods): counts before are
 * scaled to the length after, so every estimate is in crimes per post
 * period. */
typedef struct sig_wdd_counts {
	long long t0, t1;   /* treated */
	long long c0, c1;   /* control */
	long long dt0, dt1; /* buffer around the treated area(s) */
	long long dc0, dc1; /* buffer around the control area(s) */
	double pre, post;
} sig_wdd_counts;

typedef struct sig_wdd {
	double local, local_se;     /* (T1 - T0) - (C1 - C0) and its standard error */
	double displace, displace_se; /* (DT1 - DT0) - (DC1 - DC0) and its standard error */
	double est, se;             /* local + displacement: the WDD */
	double z;                   /* est / se; 0 when se is 0 */
	double p;                   /* two-sided normal p-value of z */
	double lo, hi;              /* the LEVEL interval: est -+ quantile * se */
} sig_wdd;

/* The WDD for C with a LEVEL (e.g. 0.95) confidence interval.  Treated 100
 * -> 80 and control 100 -> 90 give est -10, se 19.2. */
sig_wdd sig_wdd_test(const sig_wdd_counts *c, double level);

#endif
