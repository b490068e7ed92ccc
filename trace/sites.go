package trace

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Site is a place in the traced program: a call site (the instruction a
// session call returns to) or a callback function. File and Line are set
// when the object has debug information (or a /usr/lib/debug file found by
// its build id); otherwise Func and Offset say where it is.
type Site struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Func   string `json:"func,omitempty"`
	Offset uint64 `json:"offset,omitempty"`
	Object string `json:"object,omitempty"`
	PC     uint64 `json:"pc,omitempty"`
}

// String gives "file.c:42 (func)" or "func+0x1c (/usr/lib/…/libcurl.so.4)".
func (s Site) String() string {
	switch {
	case s.File != "" && s.Func != "":
		return fmt.Sprintf("%s:%d (%s)", s.File, s.Line, s.Func)
	case s.File != "":
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	case s.Func != "":
		return fmt.Sprintf("%s+%#x (%s)", s.Func, s.Offset, s.Object)
	case s.Object != "":
		return fmt.Sprintf("%s+%#x", s.Object, s.Offset)
	}
	return "unknown site"
}

// resolver turns site records into Sites, reading each object once.
type resolver struct {
	objs map[string]*object
}

type cuRange struct {
	lo, hi uint64
	cu     *dwarf.Entry
}

// object is what one ELF file tells about addresses in it.
type object struct {
	path   string
	base   uint64 // lowest PT_LOAD address, page-aligned
	dwarf  *dwarf.Data
	ranges []cuRange
	syms   []elf.Symbol // functions, by address
}

func newResolver() *resolver { return &resolver{objs: map[string]*object{}} }

func (r *resolver) object(path string) *object {
	if o, ok := r.objs[path]; ok {
		return o
	}
	o := &object{path: path}
	r.objs[path] = o
	f, err := elf.Open(path)
	if err != nil {
		return o
	}
	defer f.Close()
	first := true
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && (first || p.Vaddr < o.base) {
			o.base, first = p.Vaddr&^0xfff, false
		}
	}
	syms, err := f.Symbols()
	if err != nil || len(syms) == 0 {
		syms, _ = f.DynamicSymbols()
	}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
			o.syms = append(o.syms, s)
		}
	}
	sort.Slice(o.syms, func(i, j int) bool { return o.syms[i].Value < o.syms[j].Value })
	o.dwarf = loadDWARF(f)
	if o.dwarf != nil {
		rd := o.dwarf.Reader()
		for {
			e, err := rd.Next()
			if err != nil || e == nil {
				break
			}
			if e.Tag == dwarf.TagCompileUnit {
				rs, _ := o.dwarf.Ranges(e)
				for _, rg := range rs {
					o.ranges = append(o.ranges, cuRange{rg[0], rg[1], e})
				}
			}
			rd.SkipChildren()
		}
	}
	return o
}

// loadDWARF reads f's debug information, or that of the separate debug
// file Debian's -dbgsym packages install under /usr/lib/debug/.build-id.
func loadDWARF(f *elf.File) *dwarf.Data {
	if f.Section(".debug_info") != nil {
		if d, err := f.DWARF(); err == nil {
			return d
		}
	}
	note := f.Section(".note.gnu.build-id")
	if note == nil {
		return nil
	}
	b, err := note.Data()
	if err != nil || len(b) < 16+2 {
		return nil
	}
	id := hex.EncodeToString(b[16:])
	df, err := elf.Open(filepath.Join("/usr/lib/debug/.build-id", id[:2], id[2:]+".debug"))
	if err != nil {
		return nil
	}
	defer df.Close()
	d, err := df.DWARF()
	if err != nil {
		return nil
	}
	return d
}

// resolve finds where the site record rec of stream s points.
func (r *resolver) resolve(s *Stream, rec Record) Site {
	path := rec.Obj
	if path == "" || !filepath.IsAbs(path) {
		// dladdr names the main program as it was started.
		if s.Start.Exe != "" && (path == "" || filepath.Base(path) == filepath.Base(s.Start.Exe)) {
			path = s.Start.Exe
		} else if s.Start.Cwd != "" {
			path = filepath.Join(s.Start.Cwd, path)
		}
	}
	site := Site{Object: path, PC: rec.PC}
	o := r.object(path)
	addr := rec.PC - rec.Base + o.base
	look := addr
	if rec.Entry == 0 && look > 0 {
		look-- // a return address: the call is the instruction before it
	}
	site.Offset = rec.PC - rec.Base
	if i := sort.Search(len(o.syms), func(i int) bool { return o.syms[i].Value > look }); i > 0 {
		sym := o.syms[i-1]
		if look < sym.Value+max(sym.Size, 1) || sym.Size == 0 {
			site.Func, site.Offset = sym.Name, addr-sym.Value
		}
	}
	if site.Func == "" && rec.Sym != "" {
		site.Func, site.Offset = rec.Sym, rec.PC-rec.SAddr
	}
	if o.dwarf != nil {
		for _, cr := range o.ranges {
			if look < cr.lo || look >= cr.hi {
				continue
			}
			lr, err := o.dwarf.LineReader(cr.cu)
			if err != nil || lr == nil {
				break
			}
			var le dwarf.LineEntry
			if lr.SeekPC(look, &le) == nil && le.File != nil {
				site.File, site.Line = le.File.Name, le.Line
			}
			if rec.Entry != 0 {
				// A function: where it is declared, not its first instruction.
				if file, line, ok := o.declared(cr.cu, look, lr.Files()); ok {
					site.File, site.Line = file, line
				}
			}
			break
		}
	}
	if site.File != "" {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, site.File); err == nil && !strings.HasPrefix(rel, "..") {
				site.File = rel
			}
		}
	}
	return site
}

// declared finds the function of cu that starts at pc and returns the file
// and line of its declaration.
func (o *object) declared(cu *dwarf.Entry, pc uint64, files []*dwarf.LineFile) (string, int, bool) {
	rd := o.dwarf.Reader()
	rd.Seek(cu.Offset)
	if _, err := rd.Next(); err != nil {
		return "", 0, false
	}
	for {
		e, err := rd.Next()
		if err != nil || e == nil || e.Tag == 0 || e.Tag == dwarf.TagCompileUnit {
			return "", 0, false // the end of cu's functions
		}
		if e.Tag != dwarf.TagSubprogram {
			if e.Children {
				rd.SkipChildren()
			}
			continue
		}
		low, ok := e.Val(dwarf.AttrLowpc).(uint64)
		if e.Children {
			rd.SkipChildren()
		}
		if !ok || low != pc {
			continue
		}
		line, _ := e.Val(dwarf.AttrDeclLine).(int64)
		idx, _ := e.Val(dwarf.AttrDeclFile).(int64)
		if idx < 0 || int(idx) >= len(files) || files[idx] == nil || line == 0 {
			return "", 0, false
		}
		return files[idx].Name, int(line), true
	}
}
