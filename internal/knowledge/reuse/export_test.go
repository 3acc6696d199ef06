package reuse

// LastWords is lastWords, for the tests.
var LastWords = lastWords
