package sample

import "math/bits"

// rng is wyrand: a tiny, fast, fully specified generator, so the output of a
// given seed never changes with the Go release (math/rand's global functions
// make no such promise).
type rng struct{ s uint64 }

func newRNG(seed int64) rng { return rng{s: mix64(uint64(seed) ^ 0x6a09e667f3bcc909)} }

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a value in [0, n) for n > 0 (multiply-shift; the bias is
// below 2^-32 for the small n used here).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// small returns a value in [lo, hi] skewed towards lo (the product of two
// uniform draws), for waiting times.
func (r *rng) small(lo, hi int) int {
	n := hi - lo + 1
	return lo + r.intn(n)*r.intn(n)/n
}

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) * (1.0 / (1 << 53)) }

func (r *rng) chance(p float64) bool { return r.float() < p }

// mix64 is the splitmix64 finaliser: a bijection on uint64 with good
// avalanche, used to derive per-user and per-record values from counters.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// pick returns an index into the cumulative weights cum (last element = total)
// for the uniform value u in [0, 2^32).
func pick(cum []uint32, u uint32) int {
	x := uint32(uint64(u) * uint64(cum[len(cum)-1]) >> 32)
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

func cumulative(w []uint32) []uint32 {
	c := make([]uint32, len(w))
	var t uint32
	for i, v := range w {
		t += v
		c[i] = t
	}
	return c
}
