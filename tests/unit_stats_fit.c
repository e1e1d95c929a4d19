/* bench/lib/stats.c's fits: fit_weighted against a hand-worked example, and the coverage of its
 * slope interval checked by simulation on the design the pagetable sweep uses (log-spaced
 * sizes, 0 to 4 GiB: the last point has leverage ~0.99), each point's quantile off by its own
 * error (2 % of the point, as block-bootstrap intervals here say), the reported sd itself an
 * estimate (chi-square with 20 dof). The plain OLS interval is run on the same data to show
 * why it was replaced: its residuals cannot see the last point's error. */
#include "synth.h"
#include "tap.h"
#include "bench/lib/stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#define REPS 2000

static uint64_t state = 4242;

static void test_hand(void)
{
	/* y = 1 + 2x exactly at x = 0, 1, 2 with sd 1, 1, 2: slope 2, intercept 1, chi^2 0, so
	 * scatter 0 and the interval is 2 -+ 1.96 / sqrt(Sxx). Weights 1, 1, 1/4: xbar_w =
	 * (0 + 1 + 0.5) / 2.25 = 2/3; Sxx = (4/9) + (1/9) + (16/9)/4 = 1, so [0.04, 3.96]. */
	double x[3] = {0, 1, 2}, y[3] = {1, 3, 5}, sd[3] = {1, 1, 2}, bad[3] = {1, 0, 1};
	struct fit f;
	int rc = fit_weighted(x, y, sd, 3, &f);

	tap_ok(rc == 0 && fabs(f.slope - 2) < 1e-12 && fabs(f.intercept - 1) < 1e-12 &&
		   fabs(f.slope_ci95[0] - (2 - 1.959963984540054)) < 1e-9 &&
		   fabs(f.slope_ci95[1] - (2 + 1.959963984540054)) < 1e-9 && f.scatter < 1e-20,
	       "exact line, known sds: slope 2 [0.04, 3.96] (got %g [%g, %g])", f.slope,
	       f.slope_ci95[0], f.slope_ci95[1]);
	/* Scatter: y off the line by 3 sds at the middle point. */
	y[1] = 6;
	rc = fit_weighted(x, y, sd, 3, &f);
	tap_ok(rc == 0 && f.scatter > 1 && f.slope_ci95[1] - f.slope_ci95[0] > 2 * 1.96 * 3,
	       "points off the line: scatter %.2f > 1 widens the interval ([%g, %g])", f.scatter,
	       f.slope_ci95[0], f.slope_ci95[1]);
	tap_ok(fit_weighted(x, y, bad, 3, &f) == -EDOM && fit_weighted(x, y, sd, 1, &f) == -EDOM,
	       "an sd of 0 or a single point is -EDOM");
}

/* Coverage of the slope interval over REPS sweeps whose point sds are estimated with dof
 * degrees of freedom (20: a block-bootstrap interval; 3: the spread of 4 rounds), with or
 * without fit_sd_floor. */
static double coverage(int dof, bool floor, double *ols_coverage)
{
	static const double mib[8] = {0, 1, 4, 16, 64, 256, 1024, 4096};
	const double a = 100e3, b = 15e3; /* 100 µs + 15 µs per MiB */
	unsigned wls = 0, ols = 0;

	for (int r = 0; r < REPS; r++) {
		double y[8], sd[8];
		struct fit fw, fo;

		for (int i = 0; i < 8; i++) {
			double truth = a + b * mib[i], chi2 = 0;

			y[i] = truth + 0.02 * truth * synth_gauss(&state);
			for (int k = 0; k < dof; k++) {
				double g = synth_gauss(&state);
				chi2 += g * g;
			}
			sd[i] = 0.02 * truth * sqrt(chi2 / dof);
		}
		if (floor)
			fit_sd_floor(y, sd, 8);
		fit_weighted(mib, y, sd, 8, &fw);
		fit_linear(mib, y, 8, &fo);
		wls += fw.slope_ci95[0] <= b && b <= fw.slope_ci95[1];
		ols += fo.slope_ci95[0] <= b && b <= fo.slope_ci95[1];
	}
	if (ols_coverage)
		*ols_coverage = 100.0 * ols / REPS;
	return 100.0 * wls / REPS;
}

static void test_coverage(void)
{
	double ols, c20 = coverage(20, false, &ols), c20f = coverage(20, true, NULL),
		    c3 = coverage(3, false, NULL), c3f = coverage(3, true, NULL);

	tap_ok(c20 >= 90 && c20 <= 98,
	       "weighted fit, point sds from intervals: the slope interval covers the true 15 "
	       "µs/MiB in %.1f%% of %d sweeps (90-98)",
	       c20, REPS);
	tap_ok(c20f >= 90 && c20f <= 98, "the same with the sd floor: %.1f%% (90-98)", c20f);
	tap_ok(c3f >= 90 && c3f <= 98,
	       "point sds from the spread of 4 rounds, with the floor: %.1f%% (90-98)", c3f);
	tap_ok(c3 < 90, "without the floor those sds undercover: %.1f%% (< 90)", c3);
	tap_diag("the plain OLS interval covers it in %.1f%%", ols);
}

static void test_floor(void)
{
	double y[4] = {100, 200, 400, -800}, sd[4] = {1, 20, 40, NAN};

	/* relative sds 0.01, 0.1, 0.1 (NaN skipped): median 0.1, so the first is raised to 10 */
	fit_sd_floor(y, sd, 4);
	tap_ok(sd[0] == 10 && sd[1] == 20 && sd[2] == 40 && isnan(sd[3]),
	       "sd floor: 1 -> 10 (median relative sd 0.1 x 100), others kept, NaN left alone");
}

int main(void)
{
	tap_plan(8);
	test_hand();
	test_coverage();
	test_floor();
	return tap_done();
}
