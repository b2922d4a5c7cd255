/*
 * compact_registry.c - every compaction policy, by name. Adding a policy
 * is its own file plus one line here.
 */
#include <string.h>

#include "policy/compact.h"

extern const struct compact_ops compact_kernel_ops;
extern const struct compact_ops compact_none_ops;

static const struct compact_ops *const compact_policies[] = {
	&compact_kernel_ops,
	&compact_none_ops,
	NULL,
};

const struct compact_ops *const *compact_policy_list(void)
{
	return compact_policies;
}

const struct compact_ops *compact_policy_find(const char *name)
{
	for (const struct compact_ops *const *p = compact_policies; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}
