package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNoticeBoardIsAccessible opens the public notice board in Chromium
// at a desktop width (1366 px) and a phone's (390 px), runs axe-core on
// it, and checks that the narrow page needs no sideways scrolling.
func TestNoticeBoardIsAccessible(t *testing.T) {
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t)
	raw, err := os.ReadFile(filepath.Join("..", "examples", "protocols", "ragunda-ks-44-57-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	if status, body := s.api("POST", "/v1/protocols", "", raw); status != http.StatusCreated {
		t.Fatalf("posting the protocol: %d %s", status, body)
	}
	for _, w := range []struct{ width, height int64 }{{1366, 768}, {390, 844}} {
		b.do(fmt.Sprintf("opening the board at %d px", w.width),
			chromedp.EmulateViewport(w.width, w.height),
			chromedp.Navigate(s.url+"/anslagstavla/ragunda"),
			chromedp.WaitVisible(chromedp.CSS("ul.notices")),
		)
		if got := b.text("ul.notices"); !strings.Contains(got, "Sista dag för överklagande") || !strings.Contains(got, "Kommunstyrelsen") {
			t.Errorf("the board at %d px shows:\n%s", w.width, got)
		}
		b.checkAccessibility(fmt.Sprintf("notice board at %d px", w.width), axe)
		if over := run(b, "measuring the width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); over {
			t.Errorf("the board at %d px scrolls sideways", w.width)
		}
		b.screenshot(fmt.Sprintf("anslagstavla-%d", w.width))
	}
}
