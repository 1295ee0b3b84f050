package service

import "utdrag/domain"

// The API speaks the domain's vocabulary under the names its handlers and
// its OpenAPI document have always used.
type (
	CertifyRequest   = domain.CertifyRequest
	Verification     = domain.Verification
	SignatureCheck   = domain.SignatureCheck
	ChainCertificate = domain.ChainCertificate
	RevocationStatus = domain.RevocationStatus
	ArchiveTimestamp = domain.ArchiveTimestamp
	ProtocolCheck    = domain.ProtocolCheck
	ParagraphCheck   = domain.ParagraphCheck

	renditionsMissing = domain.RenditionsMissing
	notAdjusted       = domain.NotAdjusted
)

var (
	errCertified          = domain.ErrCertified
	errCertifiedMeanwhile = domain.ErrCertifiedMeanwhile
	errBusy               = domain.ErrBusy
	errRenderTimeout      = domain.ErrRenderTimeout
)

var renditionFilename = domain.RenditionFilename
