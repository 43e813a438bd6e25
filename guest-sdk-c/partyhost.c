/*
 * partyhost.c: the non-inline part of the C guest SDK (ABI v1).
 *
 * - required exports partyhost_abi_version and partyhost_alloc (wasm only);
 * - ph_alloc/ph_realloc/ph_free: malloc & co. with wasi-libc (or natively),
 *   and freestanding an address-ordered, coalescing first-fit free list on
 *   top of memory.grow (PH_TEST_ARENA builds the same allocator natively,
 *   over a static arena, for the unit test);
 * - freestanding: memcpy, memmove, memset, memcmp (the compiler may emit
 *   calls to them);
 * - the JSON reader and writer (pure: also native);
 * - the *_dup out-buffer helpers (wasm only).
 */
#include "partyhost.h"

#if (defined(__wasm__) && !defined(__wasi__)) || defined(PH_TEST_ARENA)
#define PH__OWN_ALLOC 1
#endif

#if defined(__wasm__) && !defined(__wasi__)
#define PH__FREESTANDING 1
#endif

/* ------------------------------------------------------------------ */
/* Freestanding libc subset                                             */

#ifdef PH__FREESTANDING
/* no_builtin keeps clang from turning these loops into calls to themselves. */
#define PH__MEMFN __attribute__((weak, no_builtin))

PH__MEMFN void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

PH__MEMFN void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else if (d > s) {
        while (n--) d[n] = s[n];
    }
    return dst;
}

PH__MEMFN void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--) *d++ = (uint8_t)c;
    return dst;
}

PH__MEMFN int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* Allocator                                                            */

#ifdef PH__OWN_ALLOC

/* A block: a one-unit header, then the payload. Sizes are in units, header
 * included. Free blocks are chained in address order; allocated blocks have
 * next == PH__USED, which catches double frees and stray pointers. */
typedef union ph__blk {
    struct {
        size_t size;
        union ph__blk *next;
    } h;
    max_align_t align;
} ph__blk;

#define PH__UNIT sizeof(ph__blk)
#define PH__PAGE ((size_t)65536)
#define PH__USED ((ph__blk *)&ph__free_list)

static ph__blk *ph__free_list;
static uintptr_t ph__heap_end; /* 0 until the first ph_alloc */

#ifdef PH__FREESTANDING
extern unsigned char __heap_base;
#define PH__HEAP_START ((uintptr_t)&__heap_base)
#define PH__MEM_PAGES() ((size_t)__builtin_wasm_memory_size(0))
#define PH__MEM_GROW(n) ((size_t)__builtin_wasm_memory_grow(0, (n)))
#define PH__MEM_BASE ((uintptr_t)0)
#else
#ifndef PH_TEST_ARENA_PAGES
#define PH_TEST_ARENA_PAGES 64
#endif
static _Alignas(65536) unsigned char ph__arena[PH_TEST_ARENA_PAGES * 65536];
static size_t ph__arena_pages = 1;
static size_t ph__arena_grow(size_t n)
{
    size_t old = ph__arena_pages;
    if (n > PH_TEST_ARENA_PAGES - old) return (size_t)-1;
    ph__arena_pages += n;
    return old;
}
#define PH__HEAP_START ((uintptr_t)ph__arena + 1000) /* deliberately unaligned */
#define PH__MEM_PAGES() ph__arena_pages
#define PH__MEM_GROW(n) ph__arena_grow(n)
#define PH__MEM_BASE ((uintptr_t)ph__arena)
#endif

/* Hand the memory [start, end) to the free list. */
static void ph__add_region(uintptr_t start, uintptr_t end)
{
    ph__blk *b;
    start = (start + PH__UNIT - 1) & ~(uintptr_t)(PH__UNIT - 1);
    if (end <= start || (end - start) / PH__UNIT < 2) return;
    b = (ph__blk *)start;
    b->h.size = (end - start) / PH__UNIT;
    b->h.next = PH__USED;
    ph_free(b + 1);
}

/* Grow memory so that a block of `units` fits; 0 on failure. */
static int ph__more(size_t units, const ph__blk *last)
{
    size_t need = units, pages, old;
    uintptr_t start;
    if (last && (uintptr_t)(last + last->h.size) == ph__heap_end) need -= last->h.size;
    pages = (need * PH__UNIT + PH__PAGE - 1) / PH__PAGE;
    old = PH__MEM_GROW(pages);
    if (old == (size_t)-1) return 0;
    start = PH__MEM_BASE + old * PH__PAGE;
    if (start < ph__heap_end) start = ph__heap_end; /* never reuse our own bytes */
    ph__heap_end = PH__MEM_BASE + (old + pages) * PH__PAGE;
    ph__add_region(start, ph__heap_end);
    return 1;
}

void *ph_alloc(size_t size)
{
    size_t units;
    if (size > ((size_t)1 << 30)) return 0;
    units = (size + PH__UNIT - 1) / PH__UNIT + 1;
    if (!ph__heap_end) {
        ph__heap_end = PH__MEM_BASE + PH__MEM_PAGES() * PH__PAGE;
        ph__add_region(PH__HEAP_START, ph__heap_end);
    }
    for (;;) {
        ph__blk **link = &ph__free_list, *b, *last = 0;
        for (b = ph__free_list; b; link = &b->h.next, b = b->h.next) {
            last = b;
            if (b->h.size < units) continue;
            if (b->h.size - units >= 2) { /* split: the tail stays free, in place */
                ph__blk *rest = b + units;
                rest->h.size = b->h.size - units;
                rest->h.next = b->h.next;
                *link = rest;
                b->h.size = units;
            } else {
                *link = b->h.next;
            }
            b->h.next = PH__USED;
            return b + 1;
        }
        if (!ph__more(units, last)) return 0;
    }
}

void ph_free(void *ptr)
{
    ph__blk *b, *prev = 0, *cur = ph__free_list;
    if (!ptr) return;
    b = (ph__blk *)ptr - 1;
    if (b->h.next != PH__USED) __builtin_trap(); /* double free or bad pointer */
    while (cur && cur < b) {
        prev = cur;
        cur = cur->h.next;
    }
    if (cur && b + b->h.size == cur) { /* merge with the next free block */
        b->h.size += cur->h.size;
        b->h.next = cur->h.next;
    } else {
        b->h.next = cur;
    }
    if (prev && prev + prev->h.size == b) { /* merge into the previous one */
        prev->h.size += b->h.size;
        prev->h.next = b->h.next;
    } else if (prev) {
        prev->h.next = b;
    } else {
        ph__free_list = b;
    }
}

void *ph_realloc(void *ptr, size_t size)
{
    ph__blk *b;
    size_t have;
    void *q;
    if (!ptr) return ph_alloc(size);
    b = (ph__blk *)ptr - 1;
    have = (b->h.size - 1) * PH__UNIT;
    if (size <= have) return ptr;
    q = ph_alloc(size);
    if (!q) return 0;
    __builtin_memcpy(q, ptr, have);
    ph_free(ptr);
    return q;
}

#ifdef PH_TEST_ARENA
/* For the unit test: bytes on the free list, number of free blocks, pages. */
size_t ph__test_free_bytes(size_t *blocks, size_t *pages)
{
    size_t total = 0, n = 0;
    ph__blk *b;
    for (b = ph__free_list; b; b = b->h.next, n++) total += b->h.size * PH__UNIT;
    *blocks = n;
    *pages = ph__arena_pages;
    return total;
}
#endif

#else /* libc */

#include <stdlib.h>

void *ph_alloc(size_t size) { return malloc(size); }
void *ph_realloc(void *ptr, size_t size) { return realloc(ptr, size); }
void ph_free(void *ptr) { free(ptr); }

#endif

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

/* The length (1-4) of the UTF-8 character at s[0..n), or 0 if the bytes are not one: overlong
 * forms, surrogates and code points over U+10FFFF are refused, as the host does for text. */
static uint32_t ph__utf8_len(const uint8_t *s, uint32_t n)
{
    uint32_t need, cp, i;
    uint8_t b = s[0];
    if (b < 0x80) return 1;
    if (b < 0xC2) return 0; /* a continuation byte, or an overlong 2-byte form */
    need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF5 ? 4 : 0;
    if (!need || n < need) return 0;
    cp = b & (0x7Fu >> need);
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return need;
}

static int ph__hex(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int32_t ph__json_fail(ph_json *d, uint32_t pos, const char *why)
{
    d->error = why;
    d->error_pos = pos;
    return PH_INVALID;
}

static uint32_t ph__json_ws(const ph_json *d, uint32_t i)
{
    while (i < d->len && (d->text[i] == ' ' || d->text[i] == '\t' || d->text[i] == '\n' || d->text[i] == '\r')) i++;
    return i;
}

/* The 4 hex digits at i: 0 and *cp, or the position of the first bad one plus 1. */
static uint32_t ph__json_hex4(const ph_json *d, uint32_t i, uint32_t *cp)
{
    uint32_t k;
    int h;
    *cp = 0;
    for (k = 0; k < 4; k++) {
        if (i + k >= d->len || (h = ph__hex(d->text[i + k])) < 0) return i + k + 1;
        *cp = *cp << 4 | (uint32_t)h;
    }
    return 0;
}

/* Checks the string whose opening quote is at *i; moves *i past the closing quote. */
static int32_t ph__json_string(ph_json *d, uint32_t *i)
{
    const uint8_t *s = d->text;
    uint32_t p = *i + 1, cp, lo, bad, n;
    while (p < d->len) {
        uint8_t c = s[p];
        if (c == '"') {
            *i = p + 1;
            return PH_OK;
        }
        if (c < 0x20) return ph__json_fail(d, p, "control character in string");
        if (c != '\\') {
            if (!(n = ph__utf8_len(s + p, d->len - p))) return ph__json_fail(d, p, "invalid UTF-8");
            p += n;
            continue;
        }
        if (p + 1 >= d->len) break;
        c = s[p + 1];
        if (c != 'u') {
            if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't')
                return ph__json_fail(d, p + 1, "bad escape");
            p += 2;
            continue;
        }
        if ((bad = ph__json_hex4(d, p + 2, &cp))) return ph__json_fail(d, bad - 1, "expected 4 hex digits");
        if (cp >= 0xDC00 && cp <= 0xDFFF) return ph__json_fail(d, p, "lone surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* a pair: \uD83D\uDE00 */
            if (p + 7 >= d->len || s[p + 6] != '\\' || s[p + 7] != 'u') return ph__json_fail(d, p, "lone surrogate");
            if ((bad = ph__json_hex4(d, p + 8, &lo))) return ph__json_fail(d, bad - 1, "expected 4 hex digits");
            if (lo < 0xDC00 || lo > 0xDFFF) return ph__json_fail(d, p, "lone surrogate");
            p += 6;
        }
        p += 6;
    }
    return ph__json_fail(d, d->len, "unterminated string");
}

static uint32_t ph__json_digits(const ph_json *d, uint32_t *i)
{
    uint32_t start = *i;
    while (*i < d->len && d->text[*i] >= '0' && d->text[*i] <= '9') ++*i;
    return *i - start;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? at *i. */
static int32_t ph__json_number(ph_json *d, uint32_t *i)
{
    uint32_t p = *i, int_start, n;
    if (d->text[p] == '-') p++;
    int_start = p;
    n = ph__json_digits(d, &p);
    if (n == 0) return ph__json_fail(d, p, "expected a digit");
    if (n > 1 && d->text[int_start] == '0') return ph__json_fail(d, int_start + 1, "leading zero");
    if (p < d->len && d->text[p] == '.') {
        p++;
        if (!ph__json_digits(d, &p)) return ph__json_fail(d, p, "expected a digit after .");
    }
    if (p < d->len && (d->text[p] == 'e' || d->text[p] == 'E')) {
        p++;
        if (p < d->len && (d->text[p] == '+' || d->text[p] == '-')) p++;
        if (!ph__json_digits(d, &p)) return ph__json_fail(d, p, "expected a digit in the exponent");
    }
    *i = p;
    return PH_OK;
}

/* "key" : at *i, as a token of the object `obj`. */
static int32_t ph__json_key(ph_json *d, uint32_t *i, ph_json_tok *toks, uint32_t cap, int32_t obj)
{
    ph_json_tok *t;
    uint32_t p = ph__json_ws(d, *i);
    int32_t r;
    if (p >= d->len || d->text[p] != '"') return ph__json_fail(d, p, "expected a string key");
    if (d->count == cap) return PH_TOO_LARGE;
    t = &toks[d->count++];
    t->type = PH_JSON_STRING;
    t->start = p;
    t->count = 0;
    if ((r = ph__json_string(d, &p)) < 0) return r;
    t->len = p - t->start;
    t->next = d->count;
    toks[obj].count++;
    p = ph__json_ws(d, p);
    if (p >= d->len || d->text[p] != ':') return ph__json_fail(d, p, "expected :");
    *i = p + 1;
    return PH_OK;
}

/* Closes the open array or object `open` at i (just past its bracket); returns its parent. */
static int32_t ph__json_close(ph_json *d, int32_t open, uint32_t i)
{
    ph_json_tok *o = &d->toks[open];
    int32_t parent = (int32_t)o->next; /* kept there while it was open */
    o->len = i - o->start;
    o->next = d->count;
    return parent;
}

int32_t ph_json_parse(ph_json *d, const void *text, uint32_t len, ph_json_tok *toks, uint32_t cap)
{
    /* No recursion: `open` is the innermost open array or object, -1 at the top. */
    int32_t open = -1, r = PH_OK;
    uint32_t i = 0, depth = 0;
    d->text = (const uint8_t *)text;
    d->len = len;
    d->toks = toks;
    d->count = 0;
    d->error = 0;
    d->error_pos = 0;
    for (;;) {
        /* A value at i. */
        ph_json_tok *t;
        uint8_t c;
        i = ph__json_ws(d, i);
        if (i >= len) return ph__json_fail(d, i, "unexpected end, expected a value");
        if (d->count == cap) {
            r = PH_TOO_LARGE;
            break;
        }
        t = &toks[d->count++];
        t->start = i;
        t->count = 0;
        if (open >= 0 && toks[open].type == PH_JSON_ARRAY) toks[open].count++;
        c = d->text[i];
        if (c == '{' || c == '[') {
            if (depth == PH_JSON_MAX_DEPTH) return ph__json_fail(d, i, "nested too deeply");
            t->type = c == '{' ? PH_JSON_OBJECT : PH_JSON_ARRAY;
            t->next = (uint32_t)open;
            open = (int32_t)(d->count - 1);
            i = ph__json_ws(d, i + 1);
            if (i >= len || d->text[i] != (c == '{' ? '}' : ']')) {
                depth++;
                if (c == '{' && (r = ph__json_key(d, &i, toks, cap, open)) < 0) break;
                continue; /* on to the first value inside */
            }
            open = ph__json_close(d, open, ++i); /* empty */
        } else if (c == '"') {
            t->type = PH_JSON_STRING;
            if ((r = ph__json_string(d, &i)) < 0) break;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            t->type = PH_JSON_NUMBER;
            if ((r = ph__json_number(d, &i)) < 0) break;
        } else if (len - i >= 4 && (ph_bytes_eq(ph_bytes_of(d->text + i, 4), "true") ||
                                    ph_bytes_eq(ph_bytes_of(d->text + i, 4), "null"))) {
            t->type = c == 't' ? PH_JSON_BOOL : PH_JSON_NULL;
            i += 4;
        } else if (len - i >= 5 && ph_bytes_eq(ph_bytes_of(d->text + i, 5), "false")) {
            t->type = PH_JSON_BOOL;
            i += 5;
        } else {
            return ph__json_fail(d, i, "expected a value");
        }
        if (t->type < PH_JSON_ARRAY) {
            t->len = i - t->start;
            t->next = d->count;
        }
        /* The value ended at i: then a comma, the end of its container (which may end another), or
         * the end of the text. */
        for (;;) {
            i = ph__json_ws(d, i);
            if (open < 0) return i == len ? PH_OK : ph__json_fail(d, i, "text after the value");
            c = toks[open].type == PH_JSON_OBJECT ? '}' : ']';
            if (i < len && d->text[i] == ',') {
                i++;
                if (c == '}') r = ph__json_key(d, &i, toks, cap, open);
                break;
            }
            if (i >= len || d->text[i] != c) return ph__json_fail(d, i, c == '}' ? "expected , or }" : "expected , or ]");
            open = ph__json_close(d, open, ++i);
            depth--;
        }
        if (r < 0) break;
    }
    if (r == PH_TOO_LARGE) {
        d->error = "more values than tokens";
        d->error_pos = i;
    }
    return r;
}

int ph_json_type(const ph_json *d, int32_t tok)
{
    return tok >= 0 && (uint32_t)tok < d->count ? d->toks[tok].type : 0;
}

/* Decodes the character of a checked string at s[*p] to UTF-8 in out; returns its length. */
static uint32_t ph__json_char(const uint8_t *s, uint32_t *p, uint8_t out[4])
{
    uint32_t cp;
    uint8_t c = s[*p];
    if (c != '\\') {
        out[0] = c;
        ++*p;
        return 1;
    }
    c = s[*p + 1];
    *p += 2;
    switch (c) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = c; return 1; /* " \ / */
    }
    cp = (uint32_t)(ph__hex(s[*p]) << 12 | ph__hex(s[*p + 1]) << 8 | ph__hex(s[*p + 2]) << 4 | ph__hex(s[*p + 3]));
    *p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) { /* checked by the parser: \uDC00-\uDFFF follows */
        uint32_t lo = (uint32_t)(ph__hex(s[*p + 2]) << 12 | ph__hex(s[*p + 3]) << 8 | ph__hex(s[*p + 4]) << 4 | ph__hex(s[*p + 5]));
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *p += 6;
    }
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

int32_t ph_json_get_string(const ph_json *d, int32_t tok, char *out, uint32_t cap)
{
    const ph_json_tok *t;
    uint32_t p, end, n = 0, k, m;
    uint8_t ch[4];
    if (ph_json_type(d, tok) != PH_JSON_STRING) return PH_INVALID;
    t = &d->toks[tok];
    end = t->start + t->len - 1; /* the closing quote */
    for (p = t->start + 1; p < end;) {
        m = ph__json_char(d->text, &p, ch);
        for (k = 0; k < m; k++, n++)
            if (n < cap) out[n] = (char)ch[k];
    }
    if (n < cap) out[n] = 0;
    return (int32_t)n;
}

int ph_json_string_eq(const ph_json *d, int32_t tok, const void *s, uint32_t len)
{
    const uint8_t *b = (const uint8_t *)s;
    uint32_t p, end, n = 0, k, m;
    uint8_t ch[4];
    if (ph_json_type(d, tok) != PH_JSON_STRING) return 0;
    end = d->toks[tok].start + d->toks[tok].len - 1;
    for (p = d->toks[tok].start + 1; p < end;) {
        m = ph__json_char(d->text, &p, ch);
        for (k = 0; k < m; k++, n++)
            if (n >= len || b[n] != ch[k]) return 0;
    }
    return n == len;
}

int32_t ph_json_find(const ph_json *d, int32_t obj, const char *key)
{
    uint32_t i, k, len = (uint32_t)ph_strlen(key);
    int32_t found = PH_NOT_FOUND;
    if (ph_json_type(d, obj) != PH_JSON_OBJECT) return PH_NOT_FOUND;
    for (i = 0, k = (uint32_t)obj + 1; i < d->toks[obj].count; i++, k = d->toks[k + 1].next)
        if (ph_json_string_eq(d, (int32_t)k, key, len)) found = (int32_t)k + 1;
    return found;
}

int32_t ph_json_at(const ph_json *d, int32_t arr, uint32_t i)
{
    uint32_t k, n;
    if (ph_json_type(d, arr) != PH_JSON_ARRAY || i >= d->toks[arr].count) return PH_NOT_FOUND;
    for (n = 0, k = (uint32_t)arr + 1; n < i; n++) k = d->toks[k].next;
    return (int32_t)k;
}

int32_t ph_json_get_bool(const ph_json *d, int32_t tok, int *out)
{
    if (ph_json_type(d, tok) != PH_JSON_BOOL) return PH_INVALID;
    *out = d->text[d->toks[tok].start] == 't';
    return PH_OK;
}

/* A checked number's parts: up to 19 significant digits in *m, the power of ten to scale it by
 * in *e10 (integer digits beyond 19 count there), and the sign. Returns 1 if a non-zero digit
 * beyond the 19th was dropped. */
static int ph__json_decimal(const ph_json *d, int32_t tok, uint64_t *m, int64_t *e10, int *neg)
{
    const uint8_t *s = d->text + d->toks[tok].start, *end = s + d->toks[tok].len;
    int64_t exp = 0, esign = 1;
    uint32_t sig = 0;
    int frac = 0, lost = 0;
    *m = 0;
    *e10 = 0;
    *neg = *s == '-';
    if (*neg) s++;
    for (; s < end && *s != 'e' && *s != 'E'; s++) {
        if (*s == '.') {
            frac = 1;
            continue;
        }
        if (sig == 0 && *s == '0') { /* leading zeros are not significant */
            if (frac) --*e10;
            continue;
        }
        if (sig < 19) {
            *m = *m * 10 + (uint64_t)(*s - '0');
            sig++;
            if (frac) --*e10;
        } else {
            lost |= *s != '0';
            if (!frac) ++*e10; /* a dropped integer digit */
        }
    }
    if (s < end) { /* the exponent, saturated far beyond any double */
        if (*++s == '-' || *s == '+') esign = *s++ == '-' ? -1 : 1;
        for (; s < end; s++)
            if (exp < 100000) exp = exp * 10 + (*s - '0');
    }
    *e10 += esign * exp;
    return lost;
}

int32_t ph_json_get_i64(const ph_json *d, int32_t tok, int64_t *out)
{
    uint64_t m, limit;
    int64_t e10;
    int neg;
    if (ph_json_type(d, tok) != PH_JSON_NUMBER) return PH_INVALID;
    /* Over 19 significant digits: 1e19 or more, or a fraction. */
    if (ph__json_decimal(d, tok, &m, &e10, &neg)) return e10 > 0 ? PH_TOO_LARGE : PH_INVALID;
    while (m != 0 && e10 < 0 && m % 10 == 0) { /* 2.50e1: trailing zeros of the fraction */
        m /= 10;
        e10++;
    }
    if (m != 0 && e10 < 0) return PH_INVALID; /* a fraction */
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; m != 0 && e10 > 0; e10--) {
        if (m > limit / 10) return PH_TOO_LARGE;
        m *= 10;
    }
    if (m > limit) return PH_TOO_LARGE;
    *out = neg ? (int64_t)(0 - m) : (int64_t)m; /* two's complement, INT64_MIN included */
    return PH_OK;
}

int32_t ph_json_get_double(const ph_json *d, int32_t tok, double *out)
{
    static const double ph__pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m;
    int64_t e10;
    int neg;
    double v;
    if (ph_json_type(d, tok) != PH_JSON_NUMBER) return PH_INVALID;
    ph__json_decimal(d, tok, &m, &e10, &neg);
    v = (double)m;
    if (m == 0 || e10 < -400) {
        v = 0;
    } else if (m <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
        /* Both exact: one rounding, the correct one. */
        v = e10 < 0 ? v / ph__pow10[-e10] : v * ph__pow10[e10];
    } else {
        /* Scaled in steps of 1e22 (exact) or less: a rounding per step. */
        for (; e10 > 22; e10 -= 22) v *= 1e22;
        for (; e10 < -22; e10 += 22) v /= 1e22;
        v = e10 < 0 ? v / ph__pow10[-e10] : v * ph__pow10[e10];
    }
    if (v > 1.7976931348623157e308) return PH_TOO_LARGE;
    *out = neg ? -v : v;
    return PH_OK;
}

/* Writing */

static void ph__json_sep(ph_json_writer *j)
{
    if (j->comma) ph_writer_put(&j->w, ",", 1);
    j->comma = 0;
}

void ph_json_begin_object(ph_json_writer *j)
{
    ph__json_sep(j);
    ph_writer_put(&j->w, "{", 1);
}

void ph_json_end_object(ph_json_writer *j)
{
    ph_writer_put(&j->w, "}", 1);
    j->comma = 1;
}

void ph_json_begin_array(ph_json_writer *j)
{
    ph__json_sep(j);
    ph_writer_put(&j->w, "[", 1);
}

void ph_json_end_array(ph_json_writer *j)
{
    ph_writer_put(&j->w, "]", 1);
    j->comma = 1;
}

void ph_json_put_string(ph_json_writer *j, const void *str, uint32_t len)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *s = (const uint8_t *)str;
    uint32_t i = 0, run = 0, n;
    ph__json_sep(j);
    ph_writer_put(&j->w, "\"", 1);
    while (i < len) {
        uint8_t c = s[i];
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        uint32_t esc_len = 2;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80 && (n = ph__utf8_len(s + i, len - i))) {
            i += n;
            continue;
        }
        ph_writer_put(&j->w, s + run, i - run); /* the plain bytes before this one */
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            if (c < 0x20) {
                esc[1] = 'u';
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                esc_len = 6;
            } else { /* not UTF-8 */
                ph_writer_put(&j->w, "\\ufffd", 6);
                esc_len = 0;
            }
        }
        ph_writer_put(&j->w, esc, esc_len);
        run = ++i;
    }
    ph_writer_put(&j->w, s + run, len - run);
    ph_writer_put(&j->w, "\"", 1);
    j->comma = 1;
}

void ph_json_put_cstring(ph_json_writer *j, const char *s)
{
    ph_json_put_string(j, s, (uint32_t)ph_strlen(s));
}

void ph_json_key(ph_json_writer *j, const char *key)
{
    ph_json_put_cstring(j, key);
    ph_writer_put(&j->w, ":", 1);
    j->comma = 0;
}

void ph_json_put_int(ph_json_writer *j, int64_t v)
{
    char digits[20];
    uint32_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do digits[n++] = (char)('0' + u % 10); while ((u /= 10) != 0);
    ph__json_sep(j);
    if (v < 0) ph_writer_put(&j->w, "-", 1);
    while (n) ph_writer_put(&j->w, &digits[--n], 1);
    j->comma = 1;
}

void ph_json_put_bool(ph_json_writer *j, int b)
{
    ph_json_put_raw(j, b ? "true" : "false", b ? 4 : 5);
}

void ph_json_put_null(ph_json_writer *j)
{
    ph_json_put_raw(j, "null", 4);
}

void ph_json_put_raw(ph_json_writer *j, const void *json, uint32_t len)
{
    ph__json_sep(j);
    ph_writer_put(&j->w, json, len);
    j->comma = 1;
}

/* ------------------------------------------------------------------ */
/* Required exports and out-buffer helpers                              */

#ifdef __wasm__

PH__EXPORT("partyhost_abi_version") int32_t partyhost_abi_version(void)
{
    return PARTYHOST_ABI_VERSION;
}

/* One spare byte so every hook argument is NUL-terminated. */
PH__EXPORT("partyhost_alloc") uint8_t *partyhost_alloc(uint32_t len)
{
    uint8_t *p;
    if (len == UINT32_MAX) return 0;
    p = ph_alloc((size_t)len + 1);
    if (p) p[len] = 0;
    return p;
}

/* Run CALL (which writes up to `cap` bytes at `buf`) until the result fits. */
#define PH__DUP(CALL)                                                         \
    do {                                                                      \
        uint32_t cap = 64;                                                    \
        for (;;) {                                                            \
            char *buf = ph_alloc((size_t)cap + 1);                            \
            int32_t n;                                                        \
            *out = 0;                                                         \
            if (!buf) return PH_TOO_LARGE;                                    \
            n = (CALL);                                                       \
            if (n >= 0 && (uint32_t)n <= cap) {                               \
                buf[n] = 0;                                                   \
                *out = buf;                                                   \
                return n;                                                     \
            }                                                                 \
            ph_free(buf);                                                     \
            if (n < 0) return n;                                              \
            cap = (uint32_t)n;                                                \
        }                                                                     \
    } while (0)

int32_t ph_room_id_dup(char **out) { PH__DUP(ph_room_id(buf, cap)); }
int32_t ph_party_name_dup(char **out) { PH__DUP(ph_party_name(buf, cap)); }
int32_t ph_conn_id_dup(ph_conn conn, char **out) { PH__DUP(ph_conn_id(conn, buf, cap)); }
int32_t ph_conn_uri_dup(ph_conn conn, char **out) { PH__DUP(ph_conn_uri(conn, buf, cap)); }
int32_t ph_conn_state_dup(ph_conn conn, char **out) { PH__DUP(ph_conn_state_get(conn, buf, cap)); }
int32_t ph_conn_tags_dup(ph_conn conn, char **out) { PH__DUP(ph_conn_tags(conn, buf, cap)); }
int32_t ph_config_dup(const char *key, char **out)
{
    PH__DUP(ph_config_get(key, (uint32_t)ph_strlen(key), buf, cap));
}
int32_t ph_storage_get_dup(const void *key, uint32_t key_len, char **out)
{
    PH__DUP(ph_storage_get(key, key_len, buf, cap));
}
int32_t ph_storage_list_dup(const void *prefix, uint32_t prefix_len, int32_t limit, int32_t reverse, char **out)
{
    PH__DUP(ph_storage_list(prefix, prefix_len, "", 0, "", 0, limit, reverse, buf, cap));
}

/* Encode with ENCODE(&w) (a ph_writer), then CALL(list, len). */
#define PH__BATCH(ENCODE, CALL)                                               \
    do {                                                                      \
        uint8_t small[512];                                                   \
        uint8_t *list = small;                                                \
        int32_t r;                                                            \
        ph_writer w = ph_writer_init(small, sizeof small);                    \
        ENCODE;                                                               \
        if (!ph_writer_ok(&w)) {                                              \
            uint32_t need = w.len;                                            \
            if (need == UINT32_MAX || !(list = ph_alloc(need))) return PH_TOO_LARGE; \
            w = ph_writer_init(list, need);                                   \
            ENCODE;                                                           \
        }                                                                     \
        r = CALL(list, w.len);                                                \
        if (list != small) ph_free(list);                                     \
        return r;                                                             \
    } while (0)

int32_t ph_storage_put_entries(const ph_entry *entries, uint32_t count)
{
    if (count == 0) return PH_OK;
    PH__BATCH(ph_list_put_entries(&w, entries, count), ph_storage_put_many);
}

int32_t ph_storage_delete_keys(const ph_bytes *keys, uint32_t count)
{
    if (count == 0) return 0;
    PH__BATCH(ph_list_put_keys(&w, keys, count), ph_storage_delete_many);
}

static void ph__call_request(ph_writer *w, const char *method, const char *url,
                             const char *content_type, const void *body, uint32_t body_len)
{
    ph_call_request_put(w, method, url, body, body_len);
    if (content_type) {
        ph_list_put_str(w, "content-type");
        ph_list_put_str(w, content_type);
    }
}

int32_t ph_call_room_simple(const char *party, const char *room, const char *method, const char *url,
                            const char *content_type, const void *body, uint32_t body_len)
{
#define PH__ROOM_CALL(list, len) \
    ph_room_call(party, (uint32_t)ph_strlen(party), room, (uint32_t)ph_strlen(room), list, len)
    PH__BATCH(ph__call_request(&w, method, url, content_type, body, body_len), PH__ROOM_CALL);
#undef PH__ROOM_CALL
}

int32_t ph_call_http_simple(const char *method, const char *url, const char *content_type,
                            const void *body, uint32_t body_len)
{
    PH__BATCH(ph__call_request(&w, method, url, content_type, body, body_len), ph_http_call);
}

void ph__assert_fail(const char *cond, const char *file, int line)
{
    uint8_t buf[512];
    char digits[12];
    uint32_t n = 0, u = line < 0 ? 0 : (uint32_t)line;
    ph_writer w = ph_writer_init(buf, sizeof buf);
    do digits[n++] = (char)('0' + u % 10); while ((u /= 10) != 0);
    ph_writer_put(&w, "assertion failed: ", 18);
    ph_writer_put(&w, cond, (uint32_t)ph_strlen(cond));
    if (!ph_writer_ok(&w)) { /* a huge condition: the place matters more */
        w = ph_writer_init(buf, sizeof buf);
        ph_writer_put(&w, "assertion failed", 16);
    }
    ph_writer_put(&w, " at ", 4);
    ph_writer_put(&w, file, (uint32_t)ph_strlen(file));
    ph_writer_put(&w, ":", 1);
    while (n) ph_writer_put(&w, &digits[--n], 1);
    ph_log(PH_LOG_ERROR, buf, ph_writer_ok(&w) ? w.len : 0);
    __builtin_trap();
}

/* Read, never written: the compiler cannot drop the call below, so every module with a before
 * hook imports request_set_header (ABI v1.2), and a host older than v1.2, which would ignore the
 * hooks, refuses the module at upload instead of serving it ungated. */
static volatile int ph__never;

int32_t ph__before_hook(uint8_t *ptr, uint32_t len, int (*fn)(const ph_request *req))
{
    ph_request req;
    int32_t r;
    if (ph__never) ph_request_set_header(0, 0, 0, 0);
    r = ph_request_parse(&req, ptr, len);
    if (r == PH_OK) r = fn(&req);
    ph_free(ptr);
    return r;
}

#endif /* __wasm__ */
