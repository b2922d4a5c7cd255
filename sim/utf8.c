/*
 * utf8.c - see utf8.h.
 */
#include "utf8.h"

int utf8_seq_len(const unsigned char *b, size_t avail)
{
	unsigned char c = b[0];
	int n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		if (b[i] < lo || b[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}
