package sample

// device is one phone model in the user population. click and buy are the
// per-product probabilities of reaching the second stage from the first and
// each later stage from the one before it; they vary by device the way
// conversion varies by platform in real shops.
type device struct {
	brand, model, os string
	weight           uint32
	click, buy       float64
}

var devices = []device{
	{"Apple", "iPhone 12", "iOS", 90, 0.39, 0.34},
	{"Apple", "iPhone 11", "iOS", 110, 0.38, 0.32},
	{"Apple", "iPhone XR", "iOS", 60, 0.36, 0.30},
	{"Apple", "iPad Air", "iPadOS", 20, 0.33, 0.31},
	{"Huawei", "Mate 40 Pro", "HarmonyOS", 50, 0.37, 0.30},
	{"Huawei", "P40", "HarmonyOS", 60, 0.35, 0.28},
	{"Huawei", "nova 7", "HarmonyOS", 55, 0.33, 0.25},
	{"Honor", "V40", "Android", 35, 0.33, 0.25},
	{"Xiaomi", "Mi 11", "Android", 55, 0.35, 0.27},
	{"Xiaomi", "Redmi Note 9", "Android", 80, 0.31, 0.21},
	{"OPPO", "Reno5", "Android", 70, 0.32, 0.24},
	{"OPPO", "A92s", "Android", 40, 0.30, 0.20},
	{"vivo", "X60", "Android", 55, 0.33, 0.25},
	{"vivo", "Y50", "Android", 40, 0.30, 0.21},
	{"Samsung", "Galaxy S21", "Android", 25, 0.36, 0.29},
	{"OnePlus", "9 Pro", "Android", 15, 0.37, 0.29},
}

// hourWeights is the share of sessions starting in each Asia/Shanghai hour:
// quiet at night, a lunch bump and an evening peak around 20:00-22:00.
var hourWeights = []uint32{
	20, 10, 6, 4, 4, 6, 12, 25, 35, 40, 45, 50,
	55, 48, 42, 42, 45, 50, 60, 75, 90, 95, 75, 45,
}

// productsPerSession[i] weights a session that browses i+1 products.
var productsPerSession = []uint32{15, 20, 20, 15, 10, 8, 6, 6}

// ipPrefixes are first octets of large Chinese mobile and broadband ranges.
var ipPrefixes = []byte{
	27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114,
	115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 171, 175, 180,
	182, 183, 202, 211, 218, 219, 220, 221, 222, 223,
}

// unknownEvents are event values outside every funnel stage that noise
// inserts; values that collide with a configured stage are dropped.
var unknownEvents = []string{"share", "favorite", "search", "add_cart", "", "Browse"}

// unknownCodes are unknownEvents for an event column of integer codes.
var unknownCodes = []string{"0", "-1", "97", "98", "99", "1000"}

var (
	deviceCum  []uint32
	hourCum    = cumulative(hourWeights)
	productCum = cumulative(productsPerSession)
)

func init() {
	w := make([]uint32, len(devices))
	for i, d := range devices {
		w[i] = d.weight
	}
	deviceCum = cumulative(w)
}
