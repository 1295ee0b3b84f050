// Command index measures the index database against today's listing.
//
// It generates extract records (metadata only, deterministic from a seed:
// 24 organisations, 8 organs each with their own diary prefix, meetings
// about monthly from 2010 to 2026 with about 26 paragraphs each, case
// numbers in three styles such as "RS/412/2023", "KS 2023/00145" and
// "BUN-2024-0007", Swedish titles and decisions from a vocabulary of
// municipal business, older meetings mostly certified and distributed),
// loads -n of them into SQLite and into PostgreSQL, and measures at
// -clients concurrent clients, for -duration each: the newest 20 of an
// organ, a search by case-number prefix, a full-text search of two Swedish
// words, the newest 20 not yet certified, a registrar's search (part of
// an organ's name and a range of three §§, by §) and the drafts (ej
// justerade, the last month's) by organ (p50, p99). Beside them, in
// the same run, today's listing (archive.List on MinIO, which lists the
// bucket and reads changed records) on -baseline extracts; then the
// rebuild of an index from -reindex extracts on MinIO (what `utdrag
// reindex` does), and archive creates at -clients clients with no index,
// SQLite and PostgreSQL, in alternating rounds.
//
// Run it with a throwaway MinIO and PostgreSQL:
//
//	UTDRAG_PG_FSYNC=on scripts/with-minio.sh scripts/with-postgres.sh go run ./bench/index
package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"utdrag/archive"
	"utdrag/bench/internal/stats"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/storage"
	"utdrag/storage/s3"
)

type options struct {
	n, baseline, reindex, creates, clients, rounds int
	readers                                        int
	duration                                       time.Duration
	explain, queriesOnly, createsOnly, reindexOnly bool
	reindexWorkers                                 string
	dbs, sqlitePath, postgresURL                   string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1_000_000, "records loaded into each database")
	flag.IntVar(&o.baseline, "baseline", 10_000, "extracts on MinIO for today's listing")
	flag.IntVar(&o.reindex, "reindex", 100_000, "extracts on MinIO rebuilt into each database")
	flag.IntVar(&o.creates, "creates", 1500, "archive creates per mode and round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds of the create comparison")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients")
	flag.IntVar(&o.readers, "readers", 0, "queries each database runs at once (0: the index's default)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "time per query kind and database")
	flag.BoolVar(&o.explain, "explain", false, "print each database's plan of one query of each kind")
	flag.BoolVar(&o.queriesOnly, "queries-only", false, "stop after the queries (no MinIO phases)")
	flag.BoolVar(&o.createsOnly, "creates-only", false, "only the create comparison")
	flag.BoolVar(&o.reindexOnly, "reindex-only", false, "only the rebuild from MinIO")
	flag.StringVar(&o.reindexWorkers, "reindex-workers", "16", "readers of the rebuild, one rebuild of each database for each (16 is what utdrag reindex uses)")
	flag.StringVar(&o.dbs, "dbs", "sqlite,postgres", "the databases the queries run on")
	flag.StringVar(&o.sqlitePath, "sqlite", "", "query this SQLite file instead of a new one (loaded when it holds fewer than -n records)")
	flag.StringVar(&o.postgresURL, "postgres", "", "query this PostgreSQL database instead of a new one (loaded when it holds fewer than -n records)")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
	pg := os.Getenv("UTDRAG_TEST_POSTGRES_URL")
	if (pg == "" && o.postgresURL == "") || (os.Getenv("UTDRAG_TEST_S3_ENDPOINT") == "" && !o.queriesOnly) {
		return fmt.Errorf("index: run under scripts/with-minio.sh scripts/with-postgres.sh")
	}
	tmp, err := os.MkdirTemp("", "utdrag-bench-index")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dbs := map[string]string{"sqlite": "sqlite:" + tmp + "/index.db", "postgres": o.postgresURL}
	if o.sqlitePath != "" {
		dbs["sqlite"] = "sqlite:" + o.sqlitePath
	}
	if dbs["postgres"] == "" {
		if dbs["postgres"], err = freshDatabase(ctx, pg); err != nil {
			return err
		}
	}
	if o.createsOnly {
		return compareCreates(ctx, o, tmp, pg)
	}
	if o.reindexOnly {
		return reindex(ctx, o, tmp, pg)
	}
	fmt.Printf("# Index benchmark: %d records, %d clients, %s per query kind\n\n", o.n, o.clients, o.duration)
	kinds := []string{"newest 20 of an organ", "case-number prefix", "two Swedish words", "not certified, newest 20",
		"organ part and § range, by §", "not justerad, by organ"}
	results := map[string]map[string][]time.Duration{}
	for _, name := range strings.Split(o.dbs, ",") {
		ix, err := index.Open(ctx, dbs[name], index.Options{Readers: o.readers})
		if err != nil {
			return err
		}
		have, err := countRecords(ctx, dbs[name])
		if err != nil {
			return err
		}
		if have < o.n {
			start := time.Now()
			if err := load(ctx, ix, have, o.n); err != nil {
				return err
			}
			el := time.Since(start)
			start = time.Now()
			if err := ix.Optimize(ctx); err != nil {
				return err
			}
			fmt.Printf("%s: loaded %d records in %.0f s (%.0f records/s), statistics in %.1f s\n", name, o.n-have, el.Seconds(),
				float64(o.n-have)/el.Seconds(), time.Since(start).Seconds())
		} else {
			fmt.Printf("%s: %d records already loaded\n", name, have)
		}
		results[name] = map[string][]time.Duration{}
		for _, k := range kinds {
			if o.explain {
				plan, err := ix.Explain(ctx, query(k, rand.New(rand.NewPCG(1, 2)), o.n))
				if err != nil {
					return err
				}
				fmt.Printf("  plan of %q:\n%s", k, plan)
			}
			lat, hits, err := measure(ctx, o, func(r *rand.Rand) error {
				p, err := ix.List(ctx, query(k, r, o.n))
				if err == nil {
					hitCount.Add(int64(len(p.Items)))
				}
				return err
			})
			if err != nil {
				return fmt.Errorf("%s, %s: %w", name, k, err)
			}
			results[name][k] = lat
			fmt.Printf("  %-26s %6d queries  p50 %7.2f ms  p99 %7.2f ms  (%.1f rows a page)\n", k, len(lat),
				stats.Ms(stats.Median(lat)), stats.Ms(stats.Percentile(lat, 99)), hits)
		}
		ix.Close()
	}

	if o.queriesOnly {
		return nil
	}
	a, err := bucket(ctx, "base")
	if err != nil {
		return err
	}
	if err := fill(ctx, archive.New(a), o.baseline, o.clients); err != nil {
		return err
	}
	arch := archive.New(a)
	start := time.Now()
	if _, err := arch.List(ctx, archive.Filter{}); err != nil {
		return err
	}
	fmt.Printf("\ntoday's listing, %d extracts on MinIO: first listing (reads every record) %.2f s\n", o.baseline, time.Since(start).Seconds())
	lat, _, err := measure(ctx, o, func(r *rand.Rand) error {
		recs, err := arch.List(ctx, archive.Filter{Organisation: orgs[r.IntN(len(orgs))].id})
		_ = recs[:min(20, len(recs))]
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("  %-26s %6d queries  p50 %7.2f ms  p99 %7.2f ms\n", "newest 20 of an organisation", len(lat),
		stats.Ms(stats.Median(lat)), stats.Ms(stats.Percentile(lat, 99)))

	if err := reindex(ctx, o, tmp, pg); err != nil {
		return err
	}
	return compareCreates(ctx, o, tmp, pg)
}

// reindex writes o.reindex extracts to MinIO and rebuilds an index of
// each database from them, with each count of readers in turn.
func reindex(ctx context.Context, o options, tmp, pg string) error {
	b, err := bucket(ctx, "reindex")
	if err != nil {
		return err
	}
	start := time.Now()
	if err := fill(ctx, archive.New(b), o.reindex, o.clients); err != nil {
		return err
	}
	fmt.Printf("\nreindex: %d extracts written to MinIO in %.0f s\n", o.reindex, time.Since(start).Seconds())
	for _, w := range strings.Split(o.reindexWorkers, ",") {
		workers, err := strconv.Atoi(w)
		if err != nil {
			return fmt.Errorf("-reindex-workers: %w", err)
		}
		for _, name := range []string{"sqlite", "postgres"} {
			u := "sqlite:" + tmp + "/reindex-" + w + ".db"
			if name == "postgres" {
				if u, err = freshDatabase(ctx, pg); err != nil {
					return err
				}
			}
			ix, err := index.Open(ctx, u, index.Options{})
			if err != nil {
				return err
			}
			st, err := ix.Rebuild(ctx, index.Source{Archive: archive.New(b)}, workers, nil)
			ix.Close()
			if err != nil {
				return err
			}
			fmt.Printf("  %-8s %2d readers: %d records in %.1f s (%.0f records/s)\n", name, workers, st.Records,
				st.Duration.Seconds(), float64(st.Records)/st.Duration.Seconds())
		}
	}
	return nil
}

var hitCount atomic.Int64

// measure runs f from o.clients goroutines for o.duration and returns the
// latencies and the mean rows a page.
func measure(ctx context.Context, o options, f func(r *rand.Rand) error) ([]time.Duration, float64, error) {
	hitCount.Store(0)
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	deadline := time.Now().Add(o.duration)
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 7))
			var mine []time.Duration
			for time.Now().Before(deadline) && len(mine) < 100_000 {
				t := time.Now()
				if err := f(r); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(all) == 0 {
		return nil, 0, fmt.Errorf("no query finished: %v", firstErr)
	}
	return all, float64(hitCount.Load()) / float64(len(all)), firstErr
}

func query(kind string, r *rand.Rand, n int) index.Filter {
	i := r.IntN(n)
	g := gen(i)
	f := index.Filter{Organisation: g.Organisation.ID, Limit: 20}
	switch kind {
	case "newest 20 of an organ":
		f.Organ = g.Organ
	case "case-number prefix":
		cn := g.CaseNumbers[0]
		f.CaseNumber, f.CaseMatch = cn[:len(cn)-2], index.Prefix
	case "two Swedish words":
		f.Text = subjects[r.IntN(len(subjects))].word + " " + places[r.IntN(len(places))]
	case "organ part and § range, by §": // a registrar's "Barn", "§ 80-82"
		f.Organ, f.OrganMatch = strings.ToLower(g.Organ[:min(len(g.Organ), 6)]), index.Partial
		f.Paragraph, f.ParagraphTo = g.Paragraphs[0], g.Paragraphs[0]+2
		f.Sort = index.ParagraphAsc
	case "not justerad, by organ":
		no := false
		f.Adjusted, f.Sort = &no, index.OrganAsc
	default:
		no := false
		f.Certified = &no
	}
	return f
}

// countRecords counts the records an index database holds.
func countRecords(ctx context.Context, u string) (int, error) {
	driver, dsn := "pgx", u
	if p, ok := strings.CutPrefix(u, "sqlite:"); ok {
		driver, dsn = "sqlite", p // registered by package index
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM extracts`).Scan(&n)
	return n, err
}

// load puts records from to n into ix.
func load(ctx context.Context, ix *index.Index, from, n int) error {
	const batch = 1000
	next := make(chan int)
	errc := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for from := range next {
				recs := make([]*archive.Record, 0, batch)
				for i := from; i < min(from+batch, n); i++ {
					recs = append(recs, gen(i))
				}
				if err := ix.Put(ctx, recs...); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	for from := from; from < n; from += batch {
		select {
		case next <- from:
		case err := <-errc:
			close(next)
			wg.Wait()
			return err
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// fill writes n generated extracts to storage (tiny PDFs, no HTML).
func fill(ctx context.Context, a *archive.Archive, n, clients int) error {
	next := make(chan int)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := range next {
				if _, _, err := a.Create(ctx, gen(i), []byte(fmt.Sprintf("%%PDF-1.7 %d", i)), nil); err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return firstErr
}

// compareCreates runs archive creates with no index, SQLite and
// PostgreSQL in alternating rounds.
func compareCreates(ctx context.Context, o options, tmp, pg string) error {
	fmt.Printf("\narchive creates on MinIO at %d clients, %d per mode and round:\n", o.clients, o.creates)
	s, err := bucket(ctx, "creates")
	if err != nil {
		return err
	}
	ixs := map[string]*index.Index{}
	for name, u := range map[string]string{"sqlite": "sqlite:" + tmp + "/creates.db", "postgres": ""} {
		if name == "postgres" {
			if u, err = freshDatabase(ctx, pg); err != nil {
				return err
			}
		}
		if ixs[name], err = index.Open(ctx, u, index.Options{}); err != nil {
			return err
		}
		defer ixs[name].Close()
	}
	modes := []string{"none", "sqlite", "postgres"}
	rates := map[string][]float64{}
	base := 10_000_000
	for round := range o.rounds {
		for k := range modes {
			m := modes[(k+round)%len(modes)]
			a := archive.New(s)
			if m != "none" {
				a.SetIndexer(ixs[m])
			}
			start := time.Now()
			next := make(chan int)
			var wg sync.WaitGroup
			var failed atomic.Int64
			for range o.clients {
				wg.Go(func() {
					for i := range next {
						if _, _, err := a.Create(ctx, gen(i), []byte(fmt.Sprintf("%%PDF-1.7 %d", i)), nil); err != nil {
							failed.Add(1)
						}
					}
				})
			}
			for i := range o.creates {
				next <- base + i
			}
			close(next)
			wg.Wait()
			base += o.creates
			if failed.Load() > 0 {
				return fmt.Errorf("%d creates failed", failed.Load())
			}
			rates[m] = append(rates[m], float64(o.creates)/time.Since(start).Seconds())
		}
	}
	for _, m := range modes {
		sum := 0.0
		for _, r := range rates[m] {
			sum += r
		}
		mean := sum / float64(len(rates[m]))
		ratio := ""
		if m != "none" {
			var rs []string
			for i := range rates[m] {
				rs = append(rs, fmt.Sprintf("%.2f", rates[m][i]/rates["none"][i]))
			}
			ratio = "  per-round ratio to none: " + strings.Join(rs, ", ")
		}
		fmt.Printf("  %-8s %6.0f creates/s%s\n", m, mean, ratio)
	}
	return nil
}

func bucket(ctx context.Context, what string) (storage.Store, error) {
	b := make([]byte, 4)
	crand.Read(b)
	return s3.New(ctx, s3.Config{Endpoint: os.Getenv("UTDRAG_TEST_S3_ENDPOINT"), AccessKey: os.Getenv("UTDRAG_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("UTDRAG_TEST_S3_SECRET_KEY"), Bucket: "utdrag-bench-" + what + "-" + hex.EncodeToString(b)})
}

func freshDatabase(ctx context.Context, base string) (string, error) {
	b := make([]byte, 4)
	crand.Read(b)
	name := "utdrag_bench_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// The generated archive.

type org struct {
	id, name string
	style    int // case-number style
}

var orgs = func() []org {
	names := []string{"Region Jämtland Härjedalen", "Östersunds kommun", "Åre kommun", "Krokoms kommun", "Bergs kommun",
		"Bräcke kommun", "Ragunda kommun", "Strömsunds kommun", "Härjedalens kommun", "Sundsvalls kommun",
		"Umeå kommun", "Luleå kommun", "Skellefteå kommun", "Örnsköldsviks kommun", "Härnösands kommun",
		"Kramfors kommun", "Sollefteå kommun", "Timrå kommun", "Ånge kommun", "Falu kommun", "Borlänge kommun",
		"Mora kommun", "Gävle kommun", "Hudiksvalls kommun"}
	out := make([]org, len(names))
	for i, n := range names {
		id := strings.ToLower(strings.NewReplacer(" kommun", "", "å", "a", "ä", "a", "ö", "o", "Å", "a", "Ä", "a", "Ö", "o", " ", "-").Replace(n))
		out[i] = org{id: id, name: n, style: i % 3}
	}
	return out
}()

var organs = []struct{ name, abbr string }{
	{"Kommunstyrelsen", "KS"}, {"Kommunfullmäktige", "KF"}, {"Barn- och utbildningsnämnden", "BUN"},
	{"Socialnämnden", "SN"}, {"Miljö- och byggnadsnämnden", "MBN"}, {"Tekniska nämnden", "TN"},
	{"Kultur- och fritidsnämnden", "KFN"}, {"Kommunstyrelsens arbetsutskott", "KSAU"},
}

type subject struct{ word, title, decision string }

var subjects = []subject{
	{"detaljplan", "Detaljplan för %s", "Nämnden beslutar att anta detaljplanen för %s."},
	{"budget", "Budget 2025 för %s", "Budgeten för %s fastställs enligt förslaget."},
	{"bygglov", "Bygglov för nybyggnad vid %s", "Bygglov beviljas för nybyggnaden vid %s."},
	{"yttrande", "Yttrande över remiss om %s", "Yttrandet över remissen om %s antas som nämndens eget."},
	{"skolskjuts", "Skolskjuts till %s", "Ansökan om skolskjuts till %s avslås."},
	{"upphandling", "Upphandling av drift av %s", "Upphandlingen av driften av %s godkänns."},
	{"medborgarförslag", "Medborgarförslag om %s", "Medborgarförslaget om %s anses besvarat."},
	{"motion", "Motion om trafiksäkerhet vid %s", "Motionen om trafiksäkerheten vid %s bifalls."},
	{"investering", "Investering i %s", "Investeringen i %s godkänns och finansieras inom ramen."},
	{"avgifter", "Taxor och avgifter för %s", "Avgifterna för %s fastställs från 1 januari."},
	{"tillsyn", "Tillsyn av %s", "Tillsynsrapporten om %s läggs till handlingarna."},
	{"markanvisning", "Markanvisning vid %s", "Markanvisningsavtalet för %s godkänns."},
	{"ombyggnad", "Ombyggnad av %s", "Ombyggnaden av %s ska genomföras under 2025."},
	{"delegationsordning", "Revidering av delegationsordning för %s", "Den reviderade delegationsordningen för %s antas."},
	{"samverkan", "Samverkan kring %s", "Samverkansavtalet om %s godkänns."},
	{"årsredovisning", "Årsredovisning för %s", "Årsredovisningen för %s godkänns."},
}

var places = []string{"centrum", "hamnen", "stationsområdet", "äldreboendet", "förskolan", "idrottshallen",
	"simhallen", "biblioteket", "vattenverket", "reningsverket", "kulturhuset", "industriområdet",
	"skolan", "gymnasiet", "vårdcentralen", "badplatsen", "camping", "flygplatsen", "torget", "parken"}

var placeQualifiers = []string{"norra", "södra", "östra", "västra", "nya", "gamla", "övre", "nedre"}

// gen is record i of the generated archive: the same i, the same record.
func gen(i int) *archive.Record {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	o := orgs[i%len(orgs)]
	og := organs[(i/len(orgs))%len(organs)]
	k := i / (len(orgs) * len(organs)) // position within the organ
	meeting := k / 26
	date := time.Date(2010, 1, 15, 0, 0, 0, 0, time.UTC).AddDate(0, 0, meeting*30+r.IntN(3))
	year := date.Year()
	seq := 1 + r.IntN(1500)
	var cn string
	switch o.style {
	case 0:
		cn = fmt.Sprintf("%s/%d/%d", og.abbr, seq, year)
	case 1:
		cn = fmt.Sprintf("%s %d/%05d", og.abbr, year, seq)
	default:
		cn = fmt.Sprintf("%s-%d-%04d", og.abbr, year, seq)
	}
	s := subjects[r.IntN(len(subjects))]
	place := placeQualifiers[r.IntN(len(placeQualifiers))] + " " + places[r.IntN(len(places))]
	title := fmt.Sprintf(s.title, place)
	x := &extract.Extract{Organisation: extract.Organisation{ID: o.id, Name: o.name}, Organ: og.name,
		Meeting: extract.Meeting{Date: date.Format(time.DateOnly)},
		Paragraphs: []extract.Paragraph{{Number: 1 + k%26 + 10*(meeting%12), CaseNumber: cn, Title: title,
			Decision: []extract.Block{{Type: extract.BlockParagraph, Text: extract.Text(fmt.Sprintf(s.decision, place))}}}}}
	rec := &archive.Record{Extract: x, Summary: archive.Summary{
		ID: fmt.Sprintf("%024x", 0x5eed0000000+i), Organisation: x.Organisation, Organ: og.name, MeetingDate: x.Meeting.Date,
		Paragraphs: []int{x.Paragraphs[0].Number}, CaseNumbers: []string{cn}, Titles: []string{title},
		Template: "standard@1", Filename: "Protokollsutdrag.pdf", Pages: 2, Bytes: 40000 + r.IntN(40000),
		SHA256: fmt.Sprintf("%064x", i), Created: date.AddDate(0, 0, 3),
	}}
	// The last month's protocols are not justerade yet.
	state := extract.StateAdjusted
	if date.After(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)) {
		state = extract.StatePending
	}
	rec.Justering = []extract.ParagraphJustering{{Number: x.Paragraphs[0].Number, State: state}}
	old := date.Before(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	if (old && r.IntN(100) < 85) || (!old && r.IntN(100) < 20) {
		rec.Certifications = []archive.Certification{{Version: 1, Name: "Lena Nordin", Title: "Nämndsekreterare",
			Date: date.AddDate(0, 0, 10).Format(time.DateOnly), Time: date.AddDate(0, 0, 10)}}
	}
	return rec
}
