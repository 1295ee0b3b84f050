package service_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Summary string `xml:"summary"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// strictXML reads b token by token with encoding/xml in strict mode: it
// fails on anything that is not well-formed XML.
func strictXML(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("the feed is not well-formed XML: %v", err)
		}
	}
}

var boardEntry = regexp.MustCompile(`<li id="p-([0-9a-f]{24})">`)

func TestNoticeBoard(t *testing.T) {
	e := start(t, stores["fs"](t))
	var posted, unposted protocolDoc
	resp, body := e.do("POST", "/v1/protocols", example(t, protocolExample))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	_ = json.Unmarshal(body, &posted)
	// The same meeting's protocol, before its anslag: not on the board.
	resp, body = e.do("POST", "/v1/protocols", protocolJSON(t, func(d map[string]any) { delete(d, "anslag") }))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	_ = json.Unmarshal(body, &unposted)
	if posted.Anslag == nil || unposted.Anslag != nil {
		t.Fatalf("anslag %+v / %+v", posted.Anslag, unposted.Anslag)
	}

	resp, body = e.do("GET", "/anslagstavla/ragunda", nil)
	page := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("board: %d %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("board is not cacheable: Cache-Control %q, Set-Cookie %q", cc, resp.Header.Get("Set-Cookie"))
	}
	var ids []string
	for _, m := range boardEntry.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	if !slices.Equal(ids, []string{posted.ID}) {
		t.Errorf("board lists %v, want only the posted protocol %s", ids, posted.ID)
	}
	for _, want := range []string{`lang="sv"`, "Sista dag för överklagande", posted.Anslag.LastAppealDay, posted.Anslag.Posted, posted.Anslag.TakeDown, "Anslaget är nedtaget."} {
		if !strings.Contains(page, want) {
			t.Errorf("board lacks %q", want)
		}
	}
	if nm, _ := e.do("GET", "/anslagstavla/ragunda", nil, "If-None-Match", resp.Header.Get("ETag")); nm.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", nm.StatusCode)
	}

	resp, body = e.do("GET", "/anslagstavla/ragunda/atom.xml", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", resp.StatusCode, body)
	}
	strictXML(t, body)
	var feed atomDoc
	if err := xml.Unmarshal(body, &feed); err != nil {
		t.Fatal(err)
	}
	var feedIDs []string
	for _, en := range feed.Entries {
		feedIDs = append(feedIDs, strings.TrimPrefix(en.ID, "urn:utdrag:protokoll:"))
		if !strings.Contains(en.Summary, posted.Anslag.LastAppealDay) || !strings.HasSuffix(en.Link.Href, "#p-"+posted.ID) {
			t.Errorf("feed entry %+v", en)
		}
	}
	if !slices.Equal(feedIDs, ids) {
		t.Errorf("feed lists %v, the page %v", feedIDs, ids)
	}

	if resp, _ := e.do("GET", "/anslagstavla/okand", nil); resp.StatusCode != 404 {
		t.Errorf("unknown organisation: %d", resp.StatusCode)
	}
}
