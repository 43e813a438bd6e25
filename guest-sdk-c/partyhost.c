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
