/* bench/core/paired.c on hand-built arms: the per-round quantiles are paired by round id, rounds
 * one arm lacks are left out, switch samples and failed samples do not count, and a constant
 * ratio comes back exactly. */
#include "tap.h"
#include "bench/core/paired.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define ROUNDS 30
#define PER 5

static struct sample ref_s[ROUNDS * PER], arm_s[ROUNDS * PER];

/* Round r's samples: 100 + 10 i (i = 0..PER-1) ns times factor, the first a switch sample
 * that must not count: 1e6 ns in the reference, 1 ns in the other arm, so counting it would
 * move the two medians apart (x1.385 instead of x1.5). */
static void fill(struct arm *a, struct sample *s, double factor, int skip_round)
{
	size_t n = 0;

	memset(a, 0, sizeof(*a));
	for (int r = 0; r < ROUNDS; r++) {
		if (r == skip_round)
			continue;
		for (int i = 0; i < PER; i++) {
			struct sample *x = &s[n++];

			memset(x, 0, sizeof(*x));
			x->block = (uint32_t)r;
			x->pos_in_block = (uint16_t)i;
			x->t[M_FIRST] = i == 0 ? (factor > 1 ? 1 : 1000000)
					       : (int64_t)((100 + 10 * i) * factor);
			x->t[M_RETURN] = x->t[M_REAPED] = x->t[M_FIRST];
		}
	}
	a->s = s;
	a->n = n;
}

int main(void)
{
	struct arm ref, arm;
	struct gate_shift s;
	int rc;

	tap_plan(6);
	fill(&ref, ref_s, 1.0, -1);
	fill(&arm, arm_s, 1.5, -1);
	rc = paired_by_round(&ref, &arm, M_FIRST, 0.5, &s);
	/* counted samples of a round: 110, 120, 130, 140 -> p50 125; x1.5 -> 187.5 */
	tap_ok(rc == 0 && s.n == ROUNDS && fabs(exp(s.est) - 1.5) < 1e-12 &&
		   fabs(exp(s.lo) - 1.5) < 1e-12 && fabs(exp(s.hi) - 1.5) < 1e-12,
	       "x1.5 in every round: estimate and interval 1.5 over %d rounds (got %g [%g, %g], "
	       "%zu rounds)",
	       ROUNDS, exp(s.est), exp(s.lo), exp(s.hi), s.n);
	fill(&arm, arm_s, 1.5, 7);
	rc = paired_by_round(&ref, &arm, M_FIRST, 0.1, &s);
	tap_ok(rc == 0 && s.n == ROUNDS - 1 && fabs(exp(s.est) - 1.5) < 1e-12,
	       "a round missing in one arm is left out (%zu rounds), p10 ratio 1.5", s.n);
	/* A failed sample does not count either: make every counted sample of round 3 fail. */
	for (size_t i = 0; i < ref.n; i++)
		if (ref.s[i].block == 3 && ref.s[i].pos_in_block > 0)
			ref.s[i].err = -ENOENT;
	rc = paired_by_round(&ref, &arm, M_FIRST, 0.5, &s);
	tap_ok(rc == 0 && s.n == ROUNDS - 2, "a round whose samples all failed is left out (%zu)",
	       s.n);
	tap_ok(arm_main_metric(&ref) == M_FIRST, "t_first is the compared metric when stamped");
	for (size_t i = 0; i < ref.n; i++)
		ref.s[i].t[M_FIRST] = -1;
	tap_ok(arm_main_metric(&ref) == M_REAPED, "t_reaped when no sample has t_first");
	ref.n = 0;
	tap_ok(paired_by_round(&ref, &arm, M_FIRST, 0.5, &s) == -ERANGE,
	       "no round in common: -ERANGE");
	return tap_done();
}
