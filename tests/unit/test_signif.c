/* Unit tests for the significance tests: the published worked examples (z,
 * E-test, WDD with displacement and with unequal periods), edge cases (0 vs
 * 0, 0 vs n, counts in the millions), and the E-test against an independent
 * exact computation (tests/tools/etest-exact.py) over a grid of counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats/signif.h"

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.12g, want %.12g (within %g)", what, got, want, tol);
}

/* Wheeler's example: 25 robberies against 16. */
static void test_z_worked_example(void **state)
{
	(void)state;
	near(sig_z(25, 16), 2.0, 1e-12, "z 25 vs 16");
	near(sig_z(16, 25), -2.0, 1e-12, "z 16 vs 25");
	near(sig_z(0, 0), 0.0, 0, "z 0 vs 0");
	near(sig_z(9, 0), 6.0, 1e-12, "z 9 vs 0");
}

/* Krishnamoorthy and Thomson's own examples and the issue's. */
static void test_etest_worked_examples(void **state)
{
	(void)state;
	near(sig_etest(25, 16, 1, 1, SIG_TWO_SIDED), 0.165, 0.0005, "25 vs 16 two-sided");
	near(sig_etest(25, 16, 1, 1, SIG_GREATER), 0.082, 0.0005, "25 vs 16 one-sided (rise)");
	near(sig_etest(219, 195, 1, 1, SIG_TWO_SIDED), 0.239, 0.0005, "219 vs 195 two-sided");
	/* ptools' replication of the paper: e_test(0, 3) = 0.0884, e_test(6, 2) = 0.1749 */
	near(sig_etest(0, 3, 1, 1, SIG_TWO_SIDED), 0.0884, 0.00005, "0 vs 3 two-sided");
	near(sig_etest(6, 2, 1, 1, SIG_TWO_SIDED), 0.1749, 0.00005, "6 vs 2 two-sided");
	/* the order of the counts does not matter two-sided, and swaps the one-sided tails */
	near(sig_etest(2, 6, 1, 1, SIG_TWO_SIDED), sig_etest(6, 2, 1, 1, SIG_TWO_SIDED), 1e-14, "symmetric");
	near(sig_etest(16, 25, 1, 1, SIG_LESS), sig_etest(25, 16, 1, 1, SIG_GREATER), 1e-14, "mirror");
	/* two-sided is the sum of the two directions' extremes */
	near(sig_etest(25, 16, 1, 1, SIG_TWO_SIDED),
	     sig_etest(25, 16, 1, 1, SIG_GREATER) + sig_etest(16, 25, 1, 1, SIG_LESS), 1e-12, "two tails");
}

static void test_etest_edges(void **state)
{
	(void)state;
	/* nothing in either period: no evidence of anything */
	near(sig_etest(0, 0, 1, 1, SIG_TWO_SIDED), 1.0, 0, "0 vs 0");
	near(sig_etest(0, 0, 1, 1, SIG_GREATER), 1.0, 0, "0 vs 0 rise");
	/* equal counts: p = 1 two-sided; one-sided at least a half */
	near(sig_etest(7, 7, 1, 1, SIG_TWO_SIDED), 1.0, 1e-12, "7 vs 7");
	assert_true(sig_etest(7, 7, 1, 1, SIG_GREATER) > 0.5);
	/* one crime against none is no evidence; 12 against none is */
	assert_true(sig_etest(1, 0, 1, 1, SIG_TWO_SIDED) > 0.3);
	assert_true(sig_etest(12, 0, 1, 1, SIG_TWO_SIDED) < 0.001);
	/* equal rates over unequal periods */
	near(sig_etest(12, 6, 2, 1, SIG_TWO_SIDED), 1.0, 1e-12, "12 in 2 vs 6 in 1");
	/* bad input */
	assert_true(isnan(sig_etest(-1, 3, 1, 1, SIG_TWO_SIDED)));
	assert_true(isnan(sig_etest(1, 3, 0, 1, SIG_TWO_SIDED)));
	assert_true(isnan(sig_etest(1, 3, 1, INFINITY, SIG_TWO_SIDED)));
}

/* Counts in the millions: finite, in [0, 1], and in line with the normal
 * approximation, which is excellent at this size. */
static void test_etest_large_counts(void **state)
{
	(void)state;
	double p = sig_etest(1000000, 1000000, 1, 1, SIG_TWO_SIDED);
	near(p, 1.0, 1e-9, "10^6 vs 10^6");
	p = sig_etest(1002000, 1000000, 1, 1, SIG_TWO_SIDED);
	/* z = 2000 / sqrt(2001000) = 1.4139 */
	near(p, sig_norm_p2(2000.0 / sqrt(2001000.0)), 0.002, "10^6 + 2000 vs 10^6");
	p = sig_etest(1100000, 1000000, 1, 1, SIG_TWO_SIDED);
	assert_true(isfinite(p) && p >= 0 && p < 1e-300);
	/* England and Wales record about 6.7 million crimes a year */
	p = sig_etest(20000000, 19990000, 1, 1, SIG_GREATER);
	near(p, 0.5 * sig_norm_p2(10000.0 / sqrt(39990000.0)), 0.002, "2 x 10^7");
}

/* Every p-value of the grid against tests/tools/etest-exact.py, which sums
 * the whole grid of outcomes in 60-digit decimals with exact comparisons. */
static void test_etest_independent_grid(void **state)
{
	(void)state;
	FILE *f = popen("python3 tests/tools/etest-exact.py --grid && python3 tests/tools/etest-exact.py 219 195 "
			"&& python3 tests/tools/etest-exact.py 60 90 6 12",
			"r");
	assert_non_null(f);
	long long k1, k2;
	int n1, n2, cases = 0;
	double want[3];
	const sig_alt alts[3] = {SIG_TWO_SIDED, SIG_GREATER, SIG_LESS};
	while (fscanf(f, "%lld %lld %d %d %lf %lf %lf", &k1, &k2, &n1, &n2, &want[0], &want[1], &want[2]) == 7) {
		for (int a = 0; a < 3; a++) {
			double got = sig_etest(k1, k2, n1, n2, alts[a]);
			/* relative to the p-value, with a floor for the tiny ones */
			if (!(fabs(got - want[a]) <= 1e-9 * want[a] + 1e-15))
				fail_msg("E-test %lld in %d vs %lld in %d (%s): got %.17g, exact %.17g", k1, n1, k2, n2,
					 a == 0 ? "two-sided" : a == 1 ? "greater" : "less", got, want[a]);
		}
		cases++;
	}
	assert_int_equal(pclose(f), 0);
	assert_int_equal(cases, 3 * 9 * 9 + 2);
}

static void test_norm(void **state)
{
	(void)state;
	near(sig_norm_quantile(0.975), 1.959963984540054, 1e-14, "q 0.975");
	near(sig_norm_quantile(0.05), -1.6448536269514726, 1e-14, "q 0.05");
	near(sig_norm_quantile(1e-10), -6.361340902404056, 1e-12, "q 1e-10");
	near(sig_norm_quantile(1e-300), -37.0470962993612, 1e-10, "q 1e-300");
	near(sig_norm_quantile(0.5), 0.0, 0, "q 0.5");
	assert_true(isnan(sig_norm_quantile(0)) && isnan(sig_norm_quantile(1)));
	near(sig_norm_p2(1.959963984540054), 0.05, 1e-14, "p2 1.96");
	near(sig_norm_p2(-2.0), 0.04550026389635842, 1e-15, "p2 -2");
}

/* The example: treated 100 -> 80, control 100 -> 90. */
static void test_wdd_simple(void **state)
{
	(void)state;
	sig_wdd_counts c = {.t0 = 100, .t1 = 80, .c0 = 100, .c1 = 90, .pre = 12, .post = 12};
	sig_wdd w = sig_wdd_test(&c, 0.95);
	near(w.est, -10, 1e-12, "WDD");
	near(w.se, sqrt(370.0), 1e-12, "SE");
	near(w.se, 19.2, 0.05, "SE about 19");
	near(w.local, -10, 1e-12, "local");
	near(w.displace, 0, 0, "no displacement");
	near(w.z, -10 / sqrt(370.0), 1e-12, "z");
	near(w.lo, -10 - 1.959963984540054 * sqrt(370.0), 1e-9, "low");
	near(w.hi, -10 + 1.959963984540054 * sqrt(370.0), 1e-9, "high");
	assert_true(w.p > 0.5);
}

/* Wheeler and Ratcliffe (2018), Table 1: the paper's worked example with
 * displacement buffers: WDD -118, variance 1568, z -2.98, 95% CI -196 to -40. */
static void test_wdd_paper(void **state)
{
	(void)state;
	sig_wdd_counts c = {.t0 = 207, .t1 = 110, .c0 = 308, .c1 = 318, .dt0 = 178, .dt1 = 157, .dc0 = 150,
			    .dc1 = 140, .pre = 1, .post = 1};
	sig_wdd w = sig_wdd_test(&c, 0.95);
	near(w.local, -107, 1e-12, "local");
	near(w.displace, -11, 1e-12, "displacement");
	near(w.est, -118, 1e-12, "WDD");
	near(w.se * w.se, 1568, 1e-9, "variance");
	near(w.z, -2.98, 0.005, "z");
	near(w.lo, -196, 0.5, "low");
	near(w.hi, -40, 0.5, "high");
	assert_true(w.p < 0.01);
}

/* Wheeler (2021), "The WDD test with different pre/post time periods":
 * control 100 -> 50 and treated 80 -> 20 with two years before and one
 * after: WDD -20, variance 115. */
static void test_wdd_unequal_periods(void **state)
{
	(void)state;
	sig_wdd_counts c = {.t0 = 80, .t1 = 20, .c0 = 100, .c1 = 50, .pre = 24, .post = 12};
	sig_wdd w = sig_wdd_test(&c, 0.95);
	near(w.est, -20, 1e-12, "WDD");
	near(w.se * w.se, 115, 1e-9, "variance");
	/* weights need not be whole months */
	c.pre = 2, c.post = 1;
	near(sig_wdd_test(&c, 0.95).est, -20, 1e-12, "WDD with weights 2:1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_z_worked_example),
		cmocka_unit_test(test_etest_worked_examples),
		cmocka_unit_test(test_etest_edges),
		cmocka_unit_test(test_etest_large_counts),
		cmocka_unit_test(test_etest_independent_grid),
		cmocka_unit_test(test_norm),
		cmocka_unit_test(test_wdd_simple),
		cmocka_unit_test(test_wdd_paper),
		cmocka_unit_test(test_wdd_unequal_periods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
