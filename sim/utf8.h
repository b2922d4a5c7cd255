/*
 * utf8.h - well-formed UTF-8 (RFC 3629), for the trace sniffer (is this
 * text?) and the log writer (escape what is not).
 */
#ifndef SIM_UTF8_H
#define SIM_UTF8_H

#include <stddef.h>

/**
 * Length of the well-formed UTF-8 sequence at b (1..4), 0 if the bytes are
 * not one, or -1 if they are the valid start of a sequence cut off after
 * avail bytes. Rejects overlong forms, surrogates and code points above
 * U+10FFFF.
 */
int utf8_seq_len(const unsigned char *b, size_t avail);

#endif
