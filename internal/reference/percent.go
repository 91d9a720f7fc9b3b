package reference

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// PercentOf formats num/den as a percent string the way fgen's report nodes
// write it: the exact ratio times 100, rounded half away from zero to 2
// decimals, then the shortest decimal that reads back as that float64, with at
// least one digit after the point: 3/4000 is exactly 0.075 % and gives
// "0.08%"; 1/2 gives "50.0%". A zero denominator gives nil.
func PercentOf(num, den int64) *string {
	if den == 0 {
		return nil
	}
	// k = round(num * 10000 / den), half away from zero, in exact integers.
	n := new(big.Int).Mul(big.NewInt(num), big.NewInt(20000))
	d := new(big.Int).Mul(big.NewInt(den), big.NewInt(2))
	neg := (num < 0) != (den < 0)
	n.Abs(n)
	d.Abs(d)
	n.Add(n, new(big.Int).Abs(big.NewInt(den)))
	k := new(big.Int).Quo(n, d)
	v, _ := new(big.Rat).SetFrac(k, big.NewInt(100)).Float64()
	if neg && v != 0 {
		v = -v
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	s += "%"
	return &s
}

// Percent formats a rate the way the seed does, concat(round(r * 100, 2), '%'): r * 100 as a
// float64 product, rounded half away from zero to 2 decimals, then the shortest decimal that
// reads back as that float64, with at least one digit after the point: "34.29%", "50.0%",
// "100.0%", "0.0%". nil gives nil.
//
// The rounding is decided on the exact binary value of r * 100, so 3.125 (exact in binary)
// rounds to 3.13, while 1.005 (really 1.00499999999999989...) rounds to 1.0.
func Percent(r *float64) *string {
	if r == nil {
		return nil
	}
	s := strconv.FormatFloat(round2(*r*100), 'f', -1, 64)
	if !strings.ContainsAny(s, ".NI") { // keep "NaN" and "+Inf" as they are
		s += ".0"
	}
	s += "%"
	return &s
}

// round2 rounds x half away from zero to 2 decimals and returns the float64 nearest to that
// decimal.
func round2(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	q := new(big.Rat).SetFloat64(x) // exact
	neg := q.Sign() < 0
	q.Abs(q)
	q.Mul(q, big.NewRat(100, 1))
	q.Add(q, big.NewRat(1, 2))
	n := new(big.Int).Quo(q.Num(), q.Denom()) // floor, q > 0
	v, _ := new(big.Rat).SetFrac(n, big.NewInt(100)).Float64()
	if neg && v != 0 {
		v = -v
	}
	return v
}
