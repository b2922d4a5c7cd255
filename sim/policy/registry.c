/*
 * registry.c - every reclaim policy, by name. Adding a policy is its own
 * file plus one line here.
 */
#include <string.h>

#include "policy/reclaim.h"

extern const struct reclaim_ops reclaim_classic_ops;
extern const struct reclaim_ops reclaim_mglru_ops;
extern const struct reclaim_ops reclaim_clock_ops;
extern const struct reclaim_ops reclaim_lru_ops;
extern const struct reclaim_ops reclaim_fifo_ops;
extern const struct reclaim_ops reclaim_opt_ops;

static const struct reclaim_ops *const reclaim_policies[] = {
	&reclaim_classic_ops,
	&reclaim_mglru_ops,
	&reclaim_clock_ops,
	&reclaim_lru_ops,
	&reclaim_fifo_ops,
	&reclaim_opt_ops,
	NULL,
};

const struct reclaim_ops *const *reclaim_policy_list(void)
{
	return reclaim_policies;
}

const struct reclaim_ops *reclaim_policy_find(const char *name)
{
	for (const struct reclaim_ops *const *p = reclaim_policies; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}
