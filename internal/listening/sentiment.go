package listening

// Sentiment is a simple lexicon score of a text, from -1 (only negative
// words) to 1 (only positive), 0 when it has neither: (positive − negative)
// ÷ (positive + negative). A negation ("not", "never", "don't") just before
// a word turns it round. It is deliberately plain — an admin can predict it
// from the words — and good enough to tell a complaint from praise.
func Sentiment(text string) float64 { return sentimentOf(Words(text)) }

func sentimentOf(words []string) float64 {
	var pos, neg float64
	negated := false
	for _, w := range words {
		if negations[w] {
			negated = true
			continue
		}
		v, known := lexicon[w]
		if known {
			if negated {
				v = -v
			}
			if v > 0 {
				pos++
			} else {
				neg++
			}
		}
		negated = false
	}
	if pos+neg == 0 {
		return 0
	}
	return (pos - neg) / (pos + neg)
}

var negations = map[string]bool{"not": true, "no": true, "never": true, "don't": true, "doesn't": true,
	"didn't": true, "isn't": true, "wasn't": true, "can't": true, "cannot": true, "won't": true}

// lexicon is +1 for a positive word, -1 for a negative one.
var lexicon = map[string]int{
	"good": 1, "great": 1, "love": 1, "loved": 1, "excellent": 1, "amazing": 1, "thanks": 1, "thank": 1,
	"happy": 1, "awesome": 1, "helpful": 1, "fast": 1, "perfect": 1, "nice": 1, "best": 1, "fantastic": 1,
	"recommend": 1, "works": 1, "fixed": 1, "glad": 1, "pleased": 1, "wonderful": 1, "easy": 1,
	"bad": -1, "terrible": -1, "awful": -1, "hate": -1, "worst": -1, "broken": -1, "slow": -1, "angry": -1,
	"disappointed": -1, "useless": -1, "refund": -1, "scam": -1, "fail": -1, "failed": -1,
	"fails": -1, "problem": -1, "issue": -1, "bug": -1, "crash": -1, "crashed": -1, "down": -1, "outage": -1,
	"horrible": -1, "poor": -1, "rude": -1, "wrong": -1, "lost": -1, "stuck": -1, "waiting": -1, "annoyed": -1,
	"unacceptable": -1, "ridiculous": -1, "complaint": -1, "charged": -1, "cancel": -1,
}
