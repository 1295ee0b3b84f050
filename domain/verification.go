package domain

import (
	"time"

	"utdrag/archive"
	"utdrag/extract"
)

// Verification answers whether a PDF is a genuine extract, or protocol,
// from this service.
type Verification struct {
	Genuine bool   `json:"genuine"`
	SHA256  string `json:"sha256"`
	// Document is what the file is: "extract", or "protocol" for a whole
	// protocol (ID then names the protocol, and Protocol is absent).
	Document string `json:"document,omitempty"`
	// Message says the verdict in Swedish for a reader.
	Message      string   `json:"message"`
	ID           string   `json:"id,omitempty"`
	Organisation string   `json:"organisation,omitempty"`
	Organ        string   `json:"organ,omitempty"`
	MeetingDate  string   `json:"meetingDate,omitempty"`
	Paragraphs   []int    `json:"paragraphs,omitempty"`
	CaseNumbers  []string `json:"caseNumbers,omitempty"`
	Titles       []string `json:"titles,omitempty"`
	Certified    bool     `json:"certified"`
	// Rendition is which rendition the file is: internal (with secret
	// text) or public.
	Rendition extract.Rendition `json:"rendition,omitempty"`
	Version   int               `json:"version,omitempty"`
	// Revision is the revision of the certified version the file is:
	// 0 as signed, k after the k-th archive-timestamp run.
	Revision      int                    `json:"revision,omitempty"`
	Latest        bool                   `json:"latest,omitempty"` // the newest certified version
	Certification *archive.Certification `json:"certification,omitempty"`
	Signature     *SignatureCheck        `json:"signature,omitempty"`
	// Protocol compares the extract with the stored protocol of its
	// meeting, paragraph by paragraph; absent when none is stored.
	Protocol *ProtocolCheck `json:"protocol,omitempty"`
}

// SignatureCheck is what the digital signature check found, with what an
// archivist needs to judge it decades later, from the file alone.
type SignatureCheck struct {
	Valid         bool      `json:"valid"`
	WholeDocument bool      `json:"wholeDocument"`
	Trusted       bool      `json:"trusted"`
	Signer        string    `json:"signer"`
	Fingerprint   string    `json:"fingerprint"`
	SigningTime   time.Time `json:"signingTime"`
	Reason        string    `json:"reason"`
	Problems      []string  `json:"problems"`
	// Level is the PAdES baseline level: B-B, B-T, B-LT or B-LTA.
	Level string `json:"level"`
	// Timestamped: signingTime comes from a timestamp, not the signer.
	Timestamped bool `json:"timestamped"`
	// ValidationAppended: what was appended after signing is validation
	// data and archive timestamps only.
	ValidationAppended bool `json:"validationAppended"`
	// ValidAtSigningTime: a valid signature whose chain was valid and
	// trusted, and not revoked, at signingTime.
	ValidAtSigningTime  bool `json:"validAtSigningTime"`
	ChainValidAtSigning bool `json:"chainValidAtSigning"`
	// RevokedBeforeSigning: a certificate of the chain was revoked by
	// signingTime; the signature does not hold.
	RevokedBeforeSigning bool `json:"revokedBeforeSigning"`
	// Chain is the signer's chain, leaf first.
	Chain []ChainCertificate `json:"chain"`
	// Revocation is each certificate's status as of signingTime, from the
	// validation data in the file.
	Revocation []RevocationStatus `json:"revocation"`
	// ArchiveTimestamps are the document timestamps, oldest first.
	ArchiveTimestamps []ArchiveTimestamp `json:"archiveTimestamps"`
	// LastArchiveTimestamp is the newest valid one's time.
	LastArchiveTimestamp time.Time `json:"lastArchiveTimestamp,omitzero"`
	// RenewBy: a new archive timestamp must be added before this, when
	// the newest timestamp's certificate chain expires.
	RenewBy time.Time `json:"renewBy,omitzero"`
}

// ChainCertificate is one certificate of a signer's chain.
type ChainCertificate struct {
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	Serial      string    `json:"serial"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	Fingerprint string    `json:"fingerprint"`
}

// RevocationStatus is a certificate's status as of the signing time:
// "good" (revokedAt set when it was revoked later), "revoked" or
// "unknown".
type RevocationStatus struct {
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Source    string    `json:"source,omitempty"` // OCSP or CRL
	Issued    time.Time `json:"issued,omitzero"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
}

// ArchiveTimestamp is one document timestamp.
type ArchiveTimestamp struct {
	Time    time.Time `json:"time"`
	TSA     string    `json:"tsa"`
	Valid   bool      `json:"valid"`
	Trusted bool      `json:"trusted"`
	Expires time.Time `json:"expires"`
}

// ProtocolCheck is what verification found comparing an extract with the
// stored protocol of its meeting.
type ProtocolCheck struct {
	// Agrees: every paragraph of the extract has the digest the protocol
	// holds for it.
	Agrees      bool   `json:"agrees"`
	Protocol    string `json:"protocol"`
	Organ       string `json:"organ"`
	MeetingDate string `json:"meetingDate"`
	// Certified: the protocol compared with is the certified (justerat,
	// signed) one, as version Version; false when no protocol of the
	// meeting is certified yet.
	Certified bool `json:"certified"`
	Version   int  `json:"version,omitempty"`
	// TakenFrom: the extract was made from this protocol by the service.
	TakenFrom  bool             `json:"takenFrom"`
	Paragraphs []ParagraphCheck `json:"paragraphs"`
	Message    string           `json:"message"`
}

// ParagraphCheck compares one paragraph.
type ParagraphCheck struct {
	Number int    `json:"number"`
	Agrees bool   `json:"agrees"`
	Digest string `json:"digest"`
	// ProtocolDigest is the protocol's digest of the paragraph; empty
	// when the protocol has no paragraph of that number.
	ProtocolDigest string `json:"protocolDigest"`
}
