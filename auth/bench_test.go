package auth

import "testing"

// BenchmarkVerifyPIN is the cost of one sign-in check with the default argon2id parameters:
// what a cashier waits for, and what slows a guesser who has the database file.
func BenchmarkVerifyPIN(b *testing.B) {
	h, err := HashPIN("1234", DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if ok, err := VerifyPIN("1234", h); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
