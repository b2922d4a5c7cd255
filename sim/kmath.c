/*
 * kmath.c - see kmath.h.
 */
#include "kmath.h"

uint64_t int_sqrt(uint64_t x)
{
	uint64_t root = 0, bit = (uint64_t)1 << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= root + bit) {
			x -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
		bit >>= 2;
	}
	return root;
}
