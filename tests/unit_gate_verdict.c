/* The gate's decision rule, its combination over comparisons, and the shift computations
 * (bench/gate/verdict.c, bench/lib/shift.c) against hand-computed examples. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gate/gate.h"
#include "tap.h"

static bool near(double x, double want, double tol)
{
	return fabs(x - want) <= tol;
}

static struct gate_shift shift_pct(size_t n, double est, double lo, double hi)
{
	struct gate_shift s = {.n = n,
			       .est = log1p(est / 100),
			       .lo = log1p(lo / 100),
			       .hi = log1p(hi / 100),
			       .p = 0.01,
			       .paired = true};
	return s;
}

static void test_decide(void)
{
	const struct gate_rule r = {.threshold = 0.05, .noise = 0.01, .min_n = 8};
	struct gate_shift s;

	s = shift_pct(7, 20, 15, 25);
	tap_ok(gate_decide(&s, &r, false) == GV_CONTINUE, "fewer than min_n pairs: undecided");
	tap_ok(gate_decide(&s, &r, true) == GV_INCONCLUSIVE, "... and inconclusive when final");
	s = shift_pct(8, 10, 5, 15);
	tap_ok(gate_decide(&s, &r, false) == GV_REGRESSION, "+10%% [+5, +15]: regression");
	s = shift_pct(8, 5, 2, 8);
	tap_ok(gate_decide(&s, &r, false) == GV_REGRESSION,
	       "estimate exactly at the threshold (+5%%) with lo +2%%: regression");
	s = shift_pct(8, 10, 0.5, 20);
	tap_ok(gate_decide(&s, &r, false) == GV_CONTINUE,
	       "+10%% but lower bound +0.5%% inside the noise band: undecided");
	s = shift_pct(8, 4, 2, 6);
	tap_ok(gate_decide(&s, &r, false) == GV_CONTINUE,
	       "+4%% [+2, +6]: real but below the threshold, interval reaches it: undecided");
	tap_ok(gate_decide(&s, &r, true) == GV_INCONCLUSIVE, "... inconclusive when final");
	s = shift_pct(8, 4, 3, 4.9);
	tap_ok(gate_decide(&s, &r, false) == GV_PASS, "+4%% [+3, +4.9]: pass (below threshold)");
	s = shift_pct(8, 0, -2, 2);
	tap_ok(gate_decide(&s, &r, false) == GV_PASS, "0%% [-2, +2]: pass");
	s = shift_pct(8, -10, -15, -5);
	tap_ok(gate_decide(&s, &r, false) == GV_IMPROVED, "-10%% [-15, -5]: improved");
	s = shift_pct(8, -3, -5, -1.5);
	tap_ok(gate_decide(&s, &r, false) == GV_PASS, "-3%% [-5, -1.5]: pass, not improved");
	s = shift_pct(8, NAN, NAN, NAN);
	tap_ok(gate_decide(&s, &r, false) == GV_CONTINUE &&
		   gate_decide(&s, &r, true) == GV_INCONCLUSIVE,
	       "NaN shift: never a decision");
	s = shift_pct(8, 10, -INFINITY, INFINITY);
	tap_ok(gate_decide(&s, &r, false) == GV_CONTINUE, "infinite interval: undecided");
}

static void test_combine(void)
{
	enum gate_verdict v1[] = {GV_PASS, GV_REGRESSION, GV_CONTINUE};
	enum gate_verdict v2[] = {GV_PASS, GV_CONTINUE};
	enum gate_verdict v3[] = {GV_IMPROVED, GV_IMPROVED};
	enum gate_verdict v4[] = {GV_IMPROVED, GV_PASS};

	tap_ok(gate_combine(v1, 3, false) == GV_REGRESSION, "combine: any regression wins");
	tap_ok(gate_combine(v2, 2, false) == GV_CONTINUE, "combine: one undecided keeps going");
	tap_ok(gate_combine(v2, 2, true) == GV_INCONCLUSIVE,
	       "combine: ... inconclusive when final");
	tap_ok(gate_combine(v3, 2, false) == GV_IMPROVED, "combine: all improved -> improved");
	tap_ok(gate_combine(v4, 2, false) == GV_PASS, "combine: improved and pass -> pass");
	tap_ok(gate_combine(NULL, 0, true) == GV_INCONCLUSIVE, "combine: nothing -> inconclusive");
	tap_ok(gate_verdict_exit(GV_PASS) == 0 && gate_verdict_exit(GV_IMPROVED) == 0 &&
		   gate_verdict_exit(GV_REGRESSION) == 1 &&
		   gate_verdict_exit(GV_INCONCLUSIVE) == 3 && gate_verdict_exit(GV_CONTINUE) == 3,
	       "exit status: pass/improved 0, regression 1, inconclusive 3");
	tap_ok(!strcmp(gate_verdict_name(GV_REGRESSION), "regression") &&
		   !strcmp(gate_verdict_name(GV_INCONCLUSIVE), "inconclusive"),
	       "verdict names");
	tap_ok(near(gate_pct(log(1.1)), 10, 1e-9) && near(gate_pct(log(0.8)), -20, 1e-9),
	       "gate_pct: log ratio -> %% change");
}

static void test_shift_paired(void)
{
	/* d = log(b/a) = 0.01 .. 0.08, all positive. By hand: W+ = 1+..+8 = 36; exact two-sided
	 * p = 2 * P(W+ = 36) = 2/256. Walsh averages of 1..8 (x 0.01): median 4.5; n = 8 at
	 * 95%: P(W+ <= 3) = 5/256 <= 0.025 < P(W+ <= 4) = 7/256, so the interval is the 4th
	 * smallest and 4th largest of the 36 averages: 2 and 7 (x 0.01). */
	double a[8], b[8];
	struct gate_shift s;
	int rc;

	for (int i = 0; i < 8; i++) {
		a[i] = 100000;
		b[i] = 100000 * exp(0.01 * (i + 1));
	}
	rc = gate_shift_paired(a, b, 8, &s);
	tap_ok(rc == 0 && s.n == 8 && s.paired, "paired shift of 8 pairs computes (rc %d)", rc);
	tap_ok(near(s.stat, 36, 1e-9), "W+ = 36 (got %g)", s.stat);
	tap_ok(near(s.p, 2.0 / 256, 1e-9), "exact two-sided p = 2/256 (got %g)", s.p);
	tap_ok(near(s.est, 0.045, 1e-9), "HL estimate 0.045 (got %g)", s.est);
	tap_ok(near(s.lo, 0.02, 1e-9) && near(s.hi, 0.07, 1e-9),
	       "interval [0.02, 0.07] (got [%g, %g])", s.lo, s.hi);
	/* B = A: every ratio 1, every difference zero */
	rc = gate_shift_paired(a, a, 8, &s);
	tap_ok(rc == 0 && near(s.est, 0, 1e-12) && near(s.p, 1, 1e-12), "A = B: shift 0, p = 1");
	b[3] = 0;
	tap_ok(gate_shift_paired(a, b, 8, &s) == -EDOM, "a zero time is -EDOM");
	b[3] = NAN;
	tap_ok(gate_shift_paired(a, b, 8, &s) == -EDOM, "a NaN time is -EDOM");
	tap_ok(gate_shift_paired(a, b, 0, &s) == -ERANGE, "no pairs is -ERANGE");
}

static void test_shift_unpaired(void)
{
	/* a = 100..1000, b = 1.1 a. HL: median of log(1.1 i / j) = log 1.1 (the log(i/j) are
	 * symmetric around 0). U = #{(i, j): 1.1 i > j} = 1 + 2 + ... + 9 + 10 = 55; exact
	 * two-sided p for m = n = 10 by enumeration of the U distribution (python3 DP over
	 * rank sums): 2 * P(U >= 55) = 0.7393643508. */
	double a[10], b[10];
	struct gate_shift s;
	int rc;

	for (int i = 0; i < 10; i++) {
		a[i] = 100.0 * (i + 1);
		b[i] = 1.1 * a[i];
	}
	rc = gate_shift_unpaired(a, 10, b, 10, &s);
	tap_ok(rc == 0 && !s.paired && s.n == 10, "unpaired shift computes (rc %d)", rc);
	tap_ok(near(s.est, log(1.1), 1e-9), "two-sample HL = log 1.1 (got %g)", s.est);
	tap_ok(near(s.stat, 55, 1e-9), "U = 55 (got %g)", s.stat);
	tap_ok(near(s.p, 0.7393643508, 1e-6), "exact p = 0.73936 (got %g)", s.p);
	tap_ok(s.lo < s.est && s.est < s.hi, "the interval contains the estimate");
	a[0] = -1;
	tap_ok(gate_shift_unpaired(a, 10, b, 10, &s) == -EDOM, "a negative time is -EDOM");
	tap_ok(gate_shift_unpaired(a, 0, b, 10, &s) == -ERANGE, "an empty side is -ERANGE");
}

static void test_series(void)
{
	struct gate_series s = {0};
	double med, sd;
	int rc = 0;

	for (int i = 0; i < 200 && !rc; i++)
		rc = gate_series_push(&s, i % 2, 1000 + i, 2000 + i);
	tap_ok(rc == 0 && s.na == 100 && s.nb == 100, "series: 200 pushes, 100 per side");
	tap_ok(s.a[GQ_P10][99] == 1198 && s.b[GQ_P50][0] == 2001, "series: values kept in order");
	gate_series_level((const double[]){10, 20, 30, 40}, 4, &med, &sd);
	/* median 25; sample stddev of 10..40 = 12.9099; / mean 25 = 51.64 % */
	tap_ok(near(med, 25, 1e-12) && near(sd, 51.639777949, 1e-6),
	       "level: median 25, relative stddev 51.64%% (got %g, %g)", med, sd);
	gate_series_level(NULL, 0, &med, &sd);
	tap_ok(isnan(med), "level of nothing is NaN");
	gate_series_free(&s);
}

/* Runs as the unit: three runs a side whose logs are equally spaced by h = log 1.1, B twice
 * A. By hand: shift log 2; both variances h^2, se^2 = 2h^2/3, Welch dof exactly 4, t(4) =
 * 2.776445; interval exp(log 2 +- 2.776445 se) = [1.61137, 2.48236]; t = 8.90701 and its
 * two-sided p 0.000878178 (numerical integration of the t(4) density in python3). */
static void test_shift_runs(void)
{
	const double a[3] = {100, 110, 121}, b[3] = {200, 220, 242}, same[3] = {5, 5, 5};
	struct gate_shift s;
	int rc = gate_shift_runs(a, 3, b, 3, &s);

	tap_ok(rc == 0 && near(s.est, log(2), 1e-12), "runs: shift log 2 (got %g)", s.est);
	tap_ok(near(exp(s.lo), 1.6113672, 1e-6) && near(exp(s.hi), 2.4823640, 1e-6),
	       "runs: Welch interval [1.61137, 2.48236] (got [%.7g, %.7g])", exp(s.lo), exp(s.hi));
	tap_ok(near(s.stat, 8.907007166, 1e-8) && near(s.p, 0.000878178, 1e-8),
	       "runs: t 8.90701, p 0.000878178 (got %.9g, %.9g)", s.stat, s.p);
	/* Equal numbers of runs, unequal spreads (B's logs spaced by log 1.3): Student's t on the
	 * pooled variance, sp^2 = (h^2 + k^2)/2, se^2 = 2 sp^2/3, 4 dof: [1.51096, 3.69750]
	 * (Welch's dof would be 2.52, floored to 2: t(2) = 4.303 and a far wider interval). */
	rc = gate_shift_runs(a, 3, (const double[]){200, 260, 338}, 3, &s);
	tap_ok(rc == 0 && near(exp(s.lo), 1.5109602, 1e-5) && near(exp(s.hi), 3.6975010, 1e-5) &&
		   near(s.stat, 5.337512613, 1e-7),
	       "runs, equal n: pooled Student interval [1.51096, 3.69750], t 5.33751 (got "
	       "[%.7g, %.7g], %.9g)",
	       exp(s.lo), exp(s.hi), s.stat);
	/* Unequal numbers (3 and 4 runs, logs spaced by h): Welch, dof 4.959 floored to 4. */
	rc = gate_shift_runs(a, 3, (const double[]){200, 220, 242, 266.2}, 4, &s);
	tap_ok(rc == 0 && near(exp(s.lo), 1.6680105, 1e-5) && near(exp(s.hi), 2.6378730, 1e-5),
	       "runs, unequal n: Welch interval [1.66801, 2.63787] (got [%.7g, %.7g])", exp(s.lo),
	       exp(s.hi));
	tap_ok(gate_shift_runs(a, 2, b, 3, &s) == 0 && gate_shift_runs(a, 1, b, 3, &s) == -ERANGE,
	       "runs: two a side is computable, one is -ERANGE");
	rc = gate_shift_runs(same, 3, same, 3, &s);
	tap_ok(rc == 0 && s.est == 0 && s.lo == 0 && s.hi == 0 && s.p == 1,
	       "runs: identical runs on each side give a zero-width interval at 0");
	tap_ok(gate_shift_runs((const double[]){1, 0, 2}, 3, b, 3, &s) == -EDOM,
	       "runs: a value <= 0 is -EDOM");
}

int main(void)
{
	tap_plan(13 + 9 + 9 + 7 + 4 + 8);
	test_decide();
	test_combine();
	test_shift_paired();
	test_shift_unpaired();
	test_series();
	test_shift_runs();
	return tap_done();
}
