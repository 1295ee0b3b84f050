package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"utdrag/auth"
	"utdrag/service"
)

// widths are the windows every page is checked at: a laptop, a phone,
// and the narrowest phone WCAG's reflow criterion names (320 CSS px).
var widths = []struct {
	w, h int64
	shot bool // keep a screenshot to look at
}{{1366, 768, true}, {390, 844, true}, {320, 640, false}}

// checkLayout checks the page as it stands at each width: nothing wider
// than the window (the page never scrolls sideways), no axe-core
// violation, dates on one line; then it gives the window back.
func (b *browser) checkLayout(page string, axe []byte) {
	b.t.Helper()
	b.checkWords(page)
	for _, w := range widths {
		b.do(fmt.Sprintf("window %d px", w.w), chromedp.EmulateViewport(w.w, w.h))
		where := fmt.Sprintf("%s at %d px", page, w.w)
		m := run(b, "measuring "+where, chromedp.Evaluate[struct {
			Scroll, Client int
			Wide           []string
			Wrapped        []string
			Scrolling      []string
		}](`(() => {
			const de = document.documentElement, vw = de.clientWidth;
			const wide = [], wrapped = [];
			for (const el of document.querySelectorAll("body *")) {
				const r = el.getBoundingClientRect();
				if (r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5) && !el.closest(".visually-hidden, .skip")) {
					wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " " + Math.round(r.left) + ".." + Math.round(r.right));
				}
			}
			const scrolling = [];
			for (const el of document.querySelectorAll("body *")) {
				const ox = getComputedStyle(el).overflowX;
				if ((ox === "auto" || ox === "scroll") && el.scrollWidth > el.clientWidth + 1) {
					scrolling.push((el.id || el.className || el.tagName) + " " + el.scrollWidth + "/" + el.clientWidth);
				}
			}
			// Every ISO date in the page's text, wherever it stands.
			const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
			for (let n = walker.nextNode(); n; n = walker.nextNode()) {
				for (const m of n.data.matchAll(/\d{4}-\d{2}-\d{2}/g)) {
					const r = document.createRange();
					r.setStart(n, m.index);
					r.setEnd(n, m.index + m[0].length);
					const rects = Array.from(r.getClientRects()).filter(x => x.width > 0);
					if (rects.length > 1 && rects.some(x => Math.abs(x.top - rects[0].top) > 2)) wrapped.push(m[0]);
				}
			}
			return {scroll: de.scrollWidth, client: vw, wide: wide.slice(0, 8), wrapped, scrolling};
		})()`))
		if m.Scroll > m.Client {
			b.t.Errorf("%s: the page is %d px wide in a %d px window; beyond it: %s", where, m.Scroll, m.Client, strings.Join(m.Wide, ", "))
		}
		if len(m.Scrolling) > 0 {
			b.t.Errorf("%s: parts of the page scroll sideways (content hidden to the right): %q", where, m.Scrolling)
		}
		if len(m.Wrapped) > 0 {
			b.t.Errorf("%s: dates broken over lines: %q", where, m.Wrapped)
		}
		b.runAxe(where, axe)
		if w.shot && b.layoutShots {
			b.screenshot(fmt.Sprintf("layout-%s-%d", page, w.w))
		}
	}
	b.do("window back", chromedp.EmulateViewport(1280, 900))
}

// tabsTo loads url and counts the Tab presses from the top of the page
// until the element sel has the focus (at most 60).
func (b *browser) tabsTo(url, sel string) int {
	b.t.Helper()
	b.open(url, sel)
	return b.tabsHere(sel)
}

// tabsHere counts the Tab presses from where the page starts the focus
// until the element sel has it (at most 60).
func (b *browser) tabsHere(sel string) int {
	b.t.Helper()
	for n := 1; n <= 60; n++ {
		b.do("Tab", chromedp.KeyEvent(kb.Tab))
		if run(b, "reading focus", chromedp.Evaluate[bool](`document.activeElement === document.querySelector(`+jsString(sel)+`)`)) {
			return n
		}
	}
	b.t.Errorf("%s never got the focus in 60 Tabs", sel)
	return -1
}

// TestPagesFitEveryWidth: every page of a registry's day, in each of its
// states, at 1366, 390 and 320 px; and the Tab presses to the common
// actions, written to the test's output.
func TestPagesFitEveryWidth(t *testing.T) {
	b := startBrowser(t)
	b.layoutShots = true
	axe := readAxe(t)
	s := startSite(t)
	ids := s.seedRegistry("")
	rs, _ := s.seed("")
	load := func(path, ready string) { b.open(s.url+path, ready) }

	load("/", "table.results")
	b.checkLayout("list", axe)
	load("/?organ=Kulturnämnden", "#result-count")
	b.checkLayout("list-no-match", axe)
	load("/?paragraph=80-", "#result-count")
	b.checkLayout("list-bad-input", axe)
	load("/utdrag/"+ids[0], "h1")
	b.checkLayout("extract", axe)
	load("/utdrag/"+ids[len(ids)-1], "#draft") // the newest meeting: a draft
	b.checkLayout("extract-draft", axe)
	load("/utdrag/"+rs+"/bestyrk", "#name")
	b.checkLayout("certify", axe)
	b.do("filling in the certification",
		chromedp.SendKeys(chromedp.CSS("#name"), "Anna Berg"),
		chromedp.SendKeys(chromedp.CSS("#title"), "Nämndsekreterare"),
		chromedp.SendKeys(chromedp.CSS("#place"), "Östersund"),
		chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#sign")))
	b.checkLayout("certify-confirm", axe)
	b.do("signing", chromedp.Click(chromedp.CSS("#sign")), chromedp.WaitVisible(chromedp.CSS("#download-certified")))
	b.checkLayout("extract-certified", axe)
	load("/utdrag/"+rs+"/html", "h1")
	b.checkLayout("extract-html", axe)
	load("/utdrag/"+rs+"/expediera", "#send")
	b.checkLayout("distribute-plan", axe)
	tabPlan := b.tabsTo(s.url+"/utdrag/"+rs+"/expediera", "#send")
	s.smtp.SetScript("registrator@berg.example.se", "451", "451", "451")
	load("/utdrag/"+rs+"/expediera", "#send")
	b.do("sending", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#distribution-status")))
	b.checkLayout("distribute-status", axe)
	load("/sammantrade?organ=Kommunstyrelsen&datum=2024-06-11", "#batch")
	b.checkLayout("meeting", axe)
	load("/sammantrade?organ=Milj%C3%B6-+och+byggnadsn%C3%A4mnden&datum=2025-10-12", "h1")
	b.checkLayout("meeting-draft", axe)
	load("/logg", "#events-heading")
	b.checkLayout("audit", axe)
	load("/logg?extract="+rs, "#events-heading")
	b.checkLayout("audit-extract", axe)
	load("/utdrag/"+rs, "#download-certified")
	b.checkLayout("extract-distributed", axe)
	load("/v/"+rs+"/1", "#verdict")
	b.checkLayout("verify-address", axe)
	load("/verify", "#file")
	b.checkLayout("verify", axe)
	load("/utdrag/finns-inte", "h1")
	b.checkLayout("not-found", axe)

	// The login page of a service with a key file, and its refusal.
	keys := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(keys, []byte("organisations: {region-jh: Region Jämtland Härjedalen}\nkeys:\n"+
		"  - {name: Handläggare, sha256: "+auth.Hash("e2e-layout-clerk-0123456789")+", roles: [clerk], organisation: region-jh}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	closed := startSite(t, func(c *service.Config) { c.AuthFile = keys })
	b.open(closed.url+"/logga-in", "#key")
	b.checkLayout("login", axe)
	b.do("logging in with a wrong key", chromedp.SendKeys(chromedp.CSS("#key"), "fel"+kb.Enter), chromedp.WaitVisible(chromedp.CSS("#login-error")))
	b.checkLayout("login-error", axe)

	// The Tab presses to the common actions; before this layout they were
	// 20, 8 and 7. A search sent from the form (Enter in a field) starts
	// the focus at the results.
	const first = "table.results tbody tr:first-child a"
	tabLoaded := b.tabsTo(s.url+"/?organ=Kommunstyrelsen", first)
	b.open(s.url+"/", "#organ")
	b.do("searching from the keyboard", void(chromedp.Evaluate[bool](`(document.body.dataset.old = "1", true)`)),
		chromedp.SendKeys(chromedp.CSS("#organ"), "Kommunstyrelsen"+kb.Enter), chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) "+first)))
	// The browser moves the focus to the results once the page has loaded.
	b.do("waiting for the focus on the results", void(chromedp.Evaluate[bool](`new Promise(done => {
		const check = () => document.activeElement && document.activeElement.id === "resultat" ? done(true) : setTimeout(check, 20);
		check();
	})`, chromedp.EvalAwaitPromise)))
	tabSearch := b.tabsHere(first)
	tabCertify := b.tabsTo(s.url+"/utdrag/"+ids[1], "#certify")
	t.Logf("Tab presses to the common actions: search → first result %d (a results page opened by its address: %d), extract → certify %d, plan → send %d",
		tabSearch, tabLoaded, tabCertify, tabPlan)
	for _, c := range []struct {
		what      string
		got, want int
	}{{"search → first result", tabSearch, 2}, {"results page → first result", tabLoaded, 19}, {"extract → certify", tabCertify, 7}, {"plan → send", tabPlan, 6}} {
		if c.got < 1 || c.got > c.want {
			t.Errorf("%s takes %d Tab presses, want at most %d", c.what, c.got, c.want)
		}
	}
}

// open loads url and waits for sel. The page is left first for a blank
// one (so sel cannot be found on the old page), and loaded by the page
// itself: Navigate waits for every frame, and an embedded PDF may never
// finish loading in a headless browser.
func (b *browser) open(url, sel string) {
	b.t.Helper()
	b.do("opening "+url, chromedp.Navigate("about:blank"),
		void(chromedp.Evaluate[bool](`(location.href = `+jsString(url)+`, true)`)),
		chromedp.WaitVisible(chromedp.CSS(sel)))
}

// void runs an action for its effect alone.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// wrongNumber finds a count of one with a plural noun or adjective, and
// English role names: the words the clerk pages once got wrong.
var wrongNumber = regexp.MustCompile(`(^|[^0-9 ])\s?\b1 (e-postmeddelanden|adresser|gånger|händelser|paragrafer|sidor|versioner|skickade|misslyckade|manuella|okända|levererade)\b|(^|[^0-9 ])\s?\b1 (utdrag )?(bestyrkta|justerade|expedierade|skickade)\b|\brollen (clerk|admin|system)\b`)

// checkWords fails the test for a count of one with a plural word on the
// page, or a role named in English.
func (b *browser) checkWords(page string) {
	b.t.Helper()
	text := run(b, "reading "+page, chromedp.Evaluate[string](`document.body.innerText`))
	for _, m := range wrongNumber.FindAllString(text, -1) {
		b.t.Errorf("%s says %q", page, strings.TrimSpace(m))
	}
}
