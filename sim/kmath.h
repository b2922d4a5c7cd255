/*
 * kmath.h - the kernel's integer helpers the model needs (lib/math).
 */
#ifndef SIM_KMATH_H
#define SIM_KMATH_H

#include <stdint.h>

/** floor(sqrt(x)), exact for every 64-bit x (bit by bit, as int_sqrt()). */
uint64_t int_sqrt(uint64_t x);

#endif
