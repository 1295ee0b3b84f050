package pdf

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// objects writes a PDF file's objects and its cross-reference section.
// Objects are numbered by alloc before they are written, in any order.
// Compact files (PDF/A-2 and -3) keep every object that is not a stream
// in one compressed object stream and end with a cross-reference stream;
// the others (PDF/A-1, and a file certify will sign, whose parser reads
// classic tables) write each object plainly and end with a classic table.
type objects struct {
	out     bytes.Buffer // the file
	size    int          // the size of the last file, to size out by
	page    bytes.Buffer // one page's content, before it is compressed
	font    []byte       // one font program
	compact bool
	// where[n-1] is object n's offset in out; in a compact file, for an
	// object in the object stream, -1-index within it.
	where []int
	// The object stream being filled: the objects' bodies and, per
	// object, its number and offset within body.
	body    bytes.Buffer
	inBody  []int // object numbers, in order
	bodyOff []int
	stmNum  int // the object stream's number
	// id sums what identifies the file: the checksums of the page
	// contents and the metadata (identify); fonts and structure follow
	// from them.
	id   hash.Hash
	z    bytes.Buffer // one compressed stream
	zw   *zlib.Writer
	num  [24]byte
	open int // the object begun and not yet ended; 0 none
	// tree is the structure tree of the file, whose arrays serve the
	// next file.
	tree tree
}

// level keeps files about as small as zlib's default would, at a third of
// its time: streams are compressed once per document.
const level = zlib.BestSpeed

var pool = sync.Pool{New: func() any {
	o := &objects{id: md5.New()}
	o.zw, _ = zlib.NewWriterLevel(&o.z, level) // the level is valid
	return o
}}

func newObjects(compact bool, header string) *objects {
	o := pool.Get().(*objects)
	// The file is handed to the caller (file): a buffer of the last
	// file's size, once.
	o.out = bytes.Buffer{}
	o.out.Grow(o.size + o.size/8 + len(header))
	o.body.Reset()
	o.where, o.inBody, o.bodyOff = o.where[:0], o.inBody[:0], o.bodyOff[:0]
	o.compact, o.open = compact, 0
	o.id.Reset()
	o.out.WriteString(header)
	return o
}

// release returns o to the pool; its buffers keep their size.
func (o *objects) release() {
	o.tree.clear()
	o.out = bytes.Buffer{}
	o.size = min(o.size, 4<<20)
	pool.Put(o)
}

// alloc numbers a new object.
func (o *objects) alloc() int {
	o.where = append(o.where, 0)
	return len(o.where)
}

// begin starts object n, which is not a stream, and returns the buffer its
// body is written to; end closes it.
func (o *objects) begin(n int) *bytes.Buffer {
	o.open = n
	if o.compact {
		o.inBody = append(o.inBody, n)
		o.bodyOff = append(o.bodyOff, o.body.Len())
		o.where[n-1] = -len(o.inBody)
		return &o.body
	}
	o.where[n-1] = o.out.Len()
	o.out.Write(strconv.AppendInt(o.num[:0], int64(n), 10))
	o.out.WriteString(" 0 obj\n")
	return &o.out
}

func (o *objects) end() {
	if o.compact {
		o.body.WriteByte('\n')
	} else {
		o.out.WriteString("\nendobj\n")
	}
	o.open = 0
}

// object writes object n with the given body.
func (o *objects) object(n int, body string) {
	o.begin(n).WriteString(body)
	o.end()
}

// stream writes object n as a stream whose dictionary holds dict (entries
// without the brackets) and, unless plain, the data compressed; Length
// and Filter are added.
func (o *objects) stream(n int, dict string, plain bool, parts ...[]byte) error {
	data := parts
	if !plain {
		o.z.Reset()
		o.zw.Reset(&o.z)
		for _, p := range parts {
			if _, err := o.zw.Write(p); err != nil {
				return fmt.Errorf("compressing: %w", err)
			}
		}
		if err := o.zw.Close(); err != nil {
			return fmt.Errorf("compressing: %w", err)
		}
		data = [][]byte{o.z.Bytes()}
	}
	size := 0
	for _, p := range data {
		size += len(p)
	}
	o.where[n-1] = o.out.Len()
	o.out.Write(strconv.AppendInt(o.num[:0], int64(n), 10))
	o.out.WriteString(" 0 obj\n<<")
	o.out.WriteString(dict)
	if !plain {
		o.out.WriteString("/Filter/FlateDecode")
	}
	o.out.WriteString("/Length ")
	o.out.Write(strconv.AppendInt(o.num[:0], int64(size), 10))
	o.out.WriteString(">>\nstream\n")
	for _, p := range data {
		o.out.Write(p)
	}
	o.out.WriteString("\nendstream\nendobj\n")
	return nil
}

// identify adds b to what the file identifier is computed from.
func (o *objects) identify(b []byte) { o.id.Write(b) }

// compressed writes object n as a stream of data already compressed.
func (o *objects) compressed(n int, dict string, data []byte) {
	o.where[n-1] = o.out.Len()
	o.out.Write(strconv.AppendInt(o.num[:0], int64(n), 10))
	o.out.WriteString(" 0 obj\n<<" + dict + "/Filter/FlateDecode/Length " + strconv.Itoa(len(data)) + ">>\nstream\n")
	o.out.Write(data)
	o.out.WriteString("\nendstream\nendobj\n")
}

// finish writes the object stream (compact files), the cross-reference
// section and the trailer with root, info and a file identifier computed
// from the file's content (identify), and returns the file. The identifier's two
// parts are equal: this is the file's first revision.
func (o *objects) finish(root, info int) ([]byte, error) {
	xref := 0
	if o.compact {
		if len(o.inBody) > 0 {
			if err := o.objectStream(); err != nil {
				return nil, err
			}
		}
		xref = o.alloc()
	}
	id := hex.EncodeToString(o.id.Sum(nil))
	trailer := "/Size " + strconv.Itoa(len(o.where)+1) + "/Root " + strconv.Itoa(root) + " 0 R/Info " +
		strconv.Itoa(info) + " 0 R/ID[<" + id + "><" + id + ">]"
	if o.compact {
		return o.xrefStream(xref, trailer)
	}
	start := o.out.Len()
	o.out.WriteString("xref\n0 " + strconv.Itoa(len(o.where)+1) + "\n0000000000 65535 f \n")
	var entry [20]byte
	for _, off := range o.where {
		b := strconv.AppendInt(entry[:0], int64(off), 10)
		o.out.WriteString("0000000000"[:10-len(b)])
		o.out.Write(b)
		o.out.WriteString(" 00000 n \n")
	}
	o.out.WriteString("trailer\n<<" + trailer + ">>\nstartxref\n" + strconv.Itoa(start) + "\n%%EOF\n")
	return o.file(), nil
}

// file returns the file written, which o no longer holds.
func (o *objects) file() []byte {
	b := o.out.Bytes()
	o.size, o.out = len(b), bytes.Buffer{}
	return b
}

// objectStream writes the objects collected in body as one object stream.
func (o *objects) objectStream() error {
	n := o.alloc()
	var head []byte
	for i, num := range o.inBody {
		head = strconv.AppendInt(head, int64(num), 10)
		head = append(head, ' ')
		head = strconv.AppendInt(head, int64(o.bodyOff[i]), 10)
		head = append(head, ' ')
	}
	dict := "/Type/ObjStm/N " + strconv.Itoa(len(o.inBody)) + "/First " + strconv.Itoa(len(head))
	o.stmNum = n
	return o.stream(n, dict, false, head, o.body.Bytes())
}

// xrefStream ends a compact file with cross-reference stream n.
func (o *objects) xrefStream(n int, trailer string) ([]byte, error) {
	start := o.out.Len()
	o.where[n-1] = start
	w := 1
	for v := max(start, o.stmNum); v > 0xFF; v >>= 8 {
		w++
	}
	rows := make([]byte, 0, (len(o.where)+1)*(w+3))
	put := func(typ byte, v, idx int) {
		rows = append(rows, typ)
		for k := w - 1; k >= 0; k-- {
			rows = append(rows, byte(v>>(8*k)))
		}
		rows = append(rows, byte(idx>>8), byte(idx))
	}
	put(0, 0, 0xFFFF)
	for _, at := range o.where {
		if at < 0 {
			put(2, o.stmNum, -1-at)
		} else {
			put(1, at, 0)
		}
	}
	// A few bytes an object: not worth compressing.
	if err := o.stream(n, "/Type/XRef/W[1 "+strconv.Itoa(w)+" 2]"+trailer, true, rows); err != nil {
		return nil, err
	}
	o.out.WriteString("startxref\n" + strconv.Itoa(start) + "\n%%EOF\n")
	return o.file(), nil
}
