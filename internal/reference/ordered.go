package reference

import "slices"

// Step is one stage row of one user, as the ordered funnel sees it.
type Step struct {
	TS    int64 // in units of the time precision, like the window
	Stage int   // 1-based
	Start bool  // the row may begin a chain: a row of day D (rows of D+1 may only continue one)
}

// Progress is how far one user got in the ordered funnel on one day.
type Progress struct {
	// Level is the largest m such that a chain r1..rm exists: rows in (TS, Stage) order with
	// Stage(ri) = i, r1 a Start row, and TS(rm) - TS(r1) <= window. 0 when there is none.
	Level int
	// Durations has Level entries. Durations[k] is TS(r) - start, where r is the first row in
	// (TS, Stage) order at which some chain reaching stage k+1 completes, and start is the
	// latest TS(r1) among the valid chains completing at r. Durations[0] is 0.
	Durations []int64
	// StepDurations has Level entries. StepDurations[k] is T(k+1) - T(k), where T(j) is the TS
	// of the first row in (TS, Stage) order at which the level first reaches j: the first row
	// at which some chain reaching stage j completes (T(1): the first Start stage-1 row).
	// StepDurations[0] is 0, and none is negative. The chain that first reaches stage j may
	// start later than the one that first reached stage j-1, so StepDurations[k] may exceed
	// Durations[k] (and the window).
	StepDurations []int64
}

// sortSteps returns the steps in (TS, Stage) order. The order among equal (TS, Stage) steps
// does not matter: a chain uses each stage once.
func sortSteps(steps []Step) []Step {
	seq := slices.Clone(steps)
	slices.SortStableFunc(seq, func(a, b Step) int {
		if c := compareInt(a.TS, b.TS); c != 0 {
			return c
		}
		return compareInt(int64(a.Stage), int64(b.Stage))
	})
	return seq
}

// OrderedLevel computes a user's Progress from the definition of a chain.
//
// For a fixed first row r1, matching each later stage to its earliest possible row (greedy)
// finds the longest chain from r1, and also the earliest row at which each stage can be
// reached from r1: by induction on i, the greedy row for stage i comes no later than the row
// for stage i of any chain from r1 (the greedy row for stage i-1 is no later than the other
// chain's, so the other chain's stage-i row is a candidate the greedy scan also sees, and the
// window bound TS(r1)+W is the same for both). So
//
//   - Level is the longest greedy chain over all Start rows of stage 1;
//   - the first row completing stage j is the earliest greedy stage-j row over all r1;
//   - a chain from r1 completes stage j at row r iff the greedy stage-(j-1) row from r1 comes
//     before r and TS(r) - TS(r1) <= W, which gives the latest start directly;
//   - the level first reaches j at the first row completing stage j, which gives T(j).
//
// "Earliest later stage-s row" is a table lookup, so the work is O(n log n + n*stages).
func OrderedLevel(steps []Step, stages int, window int64) Progress {
	seq := sortSteps(steps)
	n := len(seq)

	// next[s][i] is the position of the first stage-s row at or after position i, n if none.
	next := make([][]int, stages+1)
	for s := 1; s <= stages; s++ {
		next[s] = make([]int, n+1)
		next[s][n] = n
		for i := n - 1; i >= 0; i-- {
			if seq[i].Stage == s {
				next[s][i] = i
			} else {
				next[s][i] = next[s][i+1]
			}
		}
	}

	// One greedy chain per possible r1: pos[i-1] is the position where stage i is reached.
	type chain struct {
		start int64
		pos   []int
	}
	var chains []chain
	for i, st := range seq {
		if st.Stage != 1 || !st.Start {
			continue
		}
		c := chain{start: st.TS, pos: []int{i}}
		for s := 2; s <= stages; s++ {
			j := next[s][c.pos[len(c.pos)-1]+1]
			if j == n || seq[j].TS-st.TS > window {
				break
			}
			c.pos = append(c.pos, j)
		}
		chains = append(chains, c)
	}

	var p Progress
	for _, c := range chains {
		p.Level = max(p.Level, len(c.pos))
	}
	if p.Level == 0 {
		return p
	}
	p.Durations = make([]int64, p.Level)
	p.StepDurations = make([]int64, p.Level)
	reached := seq[chains[0].pos[0]].TS // T(1): chains are in (TS, Stage) order of their start
	for j := 2; j <= p.Level; j++ {
		first := n // first position at which some chain completes stage j
		for _, c := range chains {
			if len(c.pos) >= j {
				first = min(first, c.pos[j-1])
			}
		}
		r := seq[first]
		p.StepDurations[j-1] = r.TS - reached
		reached = r.TS
		start := int64(0)
		found := false
		for _, c := range chains {
			// The window test can never fail for the latest start (the chain that reached
			// stage j at first passes it, with an earlier or equal start), but it is the
			// definition.
			if len(c.pos) >= j-1 && c.pos[j-2] < first && r.TS-c.start <= window {
				if !found || c.start > start {
					start = c.start
				}
				found = true
			}
		}
		p.Durations[j-1] = r.TS - start
	}
	return p
}

// FoldLevel computes a user's Progress with the latest-start fold of FUNNELS.md, one pass over
// the rows in (TS, Stage) order:
//
//	s1(r)   = latest TS of a Start stage-1 row at or before r
//	st_k(r) = s_(k-1)(r) if Stage(r) = k and TS(r) - s_(k-1)(r) <= W, else NULL
//	s_k(r)  = latest non-NULL st_k at or before r
//	level   = largest k with some non-NULL st_k (k >= 2); 1 if any Start stage-1 row; else 0
//
// The row whose st_k is the first non-NULL one is where the level first reaches k: T(k) of
// Progress.StepDurations. It must agree with OrderedLevel; the tests check that it does.
func FoldLevel(steps []Step, stages int, window int64) Progress {
	seq := sortSteps(steps)
	s := make([]int64, stages+1)
	set := make([]bool, stages+1)
	var p Progress
	var reached int64 // T(p.Level)
	for _, r := range seq {
		k := r.Stage
		if k == 1 {
			if r.Start {
				s[1], set[1] = r.TS, true
				if p.Level == 0 {
					p.Level = 1
					p.Durations = []int64{0}
					p.StepDurations = []int64{0}
					reached = r.TS
				}
			}
			continue
		}
		if !set[k-1] || r.TS-s[k-1] > window {
			continue // st_k(r) is NULL
		}
		st := s[k-1]
		s[k], set[k] = st, true
		if k > p.Level { // the first non-NULL st_k: k == p.Level+1, since set[k-1]
			p.Level = k
			p.Durations = append(p.Durations, r.TS-st)
			p.StepDurations = append(p.StepDurations, r.TS-reached)
			reached = r.TS
		}
	}
	return p
}
