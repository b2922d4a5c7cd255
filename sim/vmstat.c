#include "vmstat.h"

static const char *const vmstat_names[NR_VM_EVENT_ITEMS] = {
#define VMSTAT_NAME(name) #name,
	VMSTAT_ITEMS(VMSTAT_NAME)
#undef VMSTAT_NAME
};

static const char *const zone_vmstat_names[NR_ZONE_VM_ITEMS] = {
#define ZVMSTAT_NAME(name) #name,
	ZONE_VMSTAT_ITEMS(ZVMSTAT_NAME)
#undef ZVMSTAT_NAME
};

const char *vmstat_name(enum vm_event_item item)
{
	return vmstat_names[item];
}

const char *zone_vmstat_name(enum zone_vm_item item)
{
	return zone_vmstat_names[item];
}
