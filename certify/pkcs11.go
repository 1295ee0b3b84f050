package certify

// PKCS11Config names a signing key in a PKCS #11 token: an HSM, or a
// smart-card service that offers one. The key is used through the token
// and never leaves it.
type PKCS11Config struct {
	// Module is the token vendor's PKCS #11 library (a .so file).
	Module string
	// Token is the token's label.
	Token string
	// PIN is the user PIN.
	PIN string
	// Key is the label (CKA_LABEL) of the key pair.
	Key string
}
