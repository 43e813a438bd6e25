/*
 * partyhost.h: C guest SDK for the partyhost ABI v1 (see abi/v1/README.md).
 *
 * Works freestanding (clang --target=wasm32 -nostdlib) and with wasi-libc
 * (clang --target=wasm32-wasi -mexec-model=reactor). Link partyhost.c into
 * every module: it provides the required exports partyhost_abi_version and
 * partyhost_alloc, the allocator (ph_alloc/ph_free) and, freestanding, the
 * memcpy/memmove/memset/memcmp the compiler may call.
 *
 * The pure helpers (byte-string lists, request records, counting writer,
 * JSON) do not depend on the host and also compile natively (e.g. gcc), which is
 * how test/test_encoding.c checks them.
 */
#ifndef PARTYHOST_H
#define PARTYHOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PARTYHOST_ABI_VERSION 1

/* Status codes (ABI section 4). Non-negative results are lengths/counts. */
#define PH_OK               0
#define PH_NOT_FOUND       (-1)
#define PH_BAD_HANDLE      (-2)
#define PH_BAD_POINTER     (-3)
#define PH_TOO_LARGE       (-4)
#define PH_INVALID         (-5)
#define PH_NOT_IMPLEMENTED (-6)
#define PH_QUOTA_EXCEEDED  (-7)
#define PH_WRONG_HOOK      (-8)
#define PH_CLOSED          (-9)
#define PH_BUSY            (-10) /* since ABI v1.4: too many calls in flight */
#define PH_NOT_ALLOWED     (-11) /* a host off the allowlist, or a private address */
#define PH_TIMED_OUT       (-12) /* a call's answer: no response within its deadline */
#define PH_FAILED          (-13) /* a call's answer: the callee failed, or the connection did */

/* Message kinds and log levels (ABI section 5). */
#define PH_TEXT   0
#define PH_BINARY 1

#define PH_LOG_DEBUG 0
#define PH_LOG_INFO  1
#define PH_LOG_WARN  2
#define PH_LOG_ERROR 3

/* A connection handle (> 0). */
typedef int32_t ph_conn;

/* A byte view. Not NUL-terminated in general. */
typedef struct ph_bytes {
    const uint8_t *ptr;
    uint32_t len;
} ph_bytes;

/* ------------------------------------------------------------------ */
/* Allocator (partyhost.c). Freestanding: a coalescing free list over   */
/* memory.grow; with libc: malloc/realloc/free. ph_free(NULL) is a no-op. */

void *ph_alloc(size_t size);
void *ph_realloc(void *ptr, size_t size);
void ph_free(void *ptr);

/* ------------------------------------------------------------------ */
/* Pure helpers: byte views                                            */

static inline size_t ph_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static inline ph_bytes ph_bytes_of(const void *ptr, uint32_t len)
{
    ph_bytes b;
    b.ptr = (const uint8_t *)ptr;
    b.len = len;
    return b;
}

static inline ph_bytes ph_bytes_str(const char *s)
{
    return ph_bytes_of(s, (uint32_t)ph_strlen(s));
}

/* 1 if b holds exactly the bytes of the C string s. */
static inline int ph_bytes_eq(ph_bytes b, const char *s)
{
    uint32_t i = 0;
    for (; i < b.len; i++)
        if (s[i] == 0 || (uint8_t)s[i] != b.ptr[i]) return 0;
    return s[i] == 0;
}

/* Same, ignoring ASCII case. */
static inline int ph_bytes_eq_nocase(ph_bytes b, const char *s)
{
    uint32_t i = 0;
    for (; i < b.len; i++) {
        uint8_t x = b.ptr[i], y = (uint8_t)s[i];
        if (y == 0) return 0;
        if (x >= 'A' && x <= 'Z') x = (uint8_t)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (uint8_t)(y + 32);
        if (x != y) return 0;
    }
    return s[i] == 0;
}

static inline uint32_t ph_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------------------ */
/* Byte-string lists: items of u32 LE length + bytes, back to back.    */

typedef struct ph_list_iter {
    const uint8_t *p;
    uint32_t left;
} ph_list_iter;

static inline ph_list_iter ph_list_iter_init(const void *list, uint32_t len)
{
    ph_list_iter it;
    it.p = (const uint8_t *)list;
    it.left = len;
    return it;
}

/* Next item: 1 (item set), 0 (end of list) or PH_INVALID (malformed). */
static inline int ph_list_next(ph_list_iter *it, ph_bytes *item)
{
    uint32_t n;
    if (it->left == 0) return 0;
    if (it->left < 4) return PH_INVALID;
    n = ph_u32le(it->p);
    if (n > it->left - 4) return PH_INVALID;
    item->ptr = it->p + 4;
    item->len = n;
    it->p += 4 + n;
    it->left -= 4 + n;
    return 1;
}

/* Number of items, or PH_INVALID. */
static inline int32_t ph_list_count(const void *list, uint32_t len)
{
    ph_list_iter it = ph_list_iter_init(list, len);
    ph_bytes item;
    int32_t n = 0;
    int r;
    while ((r = ph_list_next(&it, &item)) > 0) n++;
    return r < 0 ? r : n;
}

/*
 * Counting writer over a caller buffer, snprintf style: writes only while
 * the bytes fit but always advances len, so after writing, len is the
 * total size needed and ph_writer_ok() says whether it all fit. A writer
 * with buf NULL / cap 0 just measures.
 */
typedef struct ph_writer {
    uint8_t *buf;
    uint32_t cap;
    uint32_t len;
} ph_writer;

static inline ph_writer ph_writer_init(void *buf, uint32_t cap)
{
    ph_writer w;
    w.buf = (uint8_t *)buf;
    w.cap = buf ? cap : 0;
    w.len = 0;
    return w;
}

static inline int ph_writer_ok(const ph_writer *w) { return w->len <= w->cap; }

static inline void ph_writer_put(ph_writer *w, const void *data, uint32_t len)
{
    const uint8_t *s = (const uint8_t *)data;
    uint32_t i;
    if (w->len <= w->cap && len <= w->cap - w->len)
        for (i = 0; i < len; i++) w->buf[w->len + i] = s[i];
    w->len = (len > UINT32_MAX - w->len) ? UINT32_MAX : w->len + len;
}

/* Append one list item (u32 LE length, then the bytes). */
static inline void ph_list_put(ph_writer *w, const void *item, uint32_t len)
{
    uint8_t h[4];
    h[0] = (uint8_t)len;
    h[1] = (uint8_t)(len >> 8);
    h[2] = (uint8_t)(len >> 16);
    h[3] = (uint8_t)(len >> 24);
    ph_writer_put(w, h, 4);
    ph_writer_put(w, item, len);
}

static inline void ph_list_put_str(ph_writer *w, const char *s)
{
    ph_list_put(w, s, (uint32_t)ph_strlen(s));
}

/* ------------------------------------------------------------------ */
/* Storage batches: the lists storage_put_many and storage_delete_many  */
/* take (ABI section 7). ph_storage_put_entries / ph_storage_delete_keys */
/* below encode and call in one go.                                     */

typedef struct ph_entry {
    ph_bytes key;   /* 1 byte to 2 KiB */
    ph_bytes value; /* 0 bytes to 2 MiB */
} ph_entry;

/* Append [key1, value1, key2, value2, ...]. */
static inline void ph_list_put_entries(ph_writer *w, const ph_entry *entries, uint32_t count)
{
    uint32_t i;
    for (i = 0; i < count; i++) {
        ph_list_put(w, entries[i].key.ptr, entries[i].key.len);
        ph_list_put(w, entries[i].value.ptr, entries[i].value.len);
    }
}

/* Append [key1, key2, ...]. */
static inline void ph_list_put_keys(ph_writer *w, const ph_bytes *keys, uint32_t count)
{
    uint32_t i;
    for (i = 0; i < count; i++) ph_list_put(w, keys[i].ptr, keys[i].len);
}

/* ------------------------------------------------------------------ */
/* Request records: [method, url, body, name1, value1, ...]            */

typedef struct ph_request {
    ph_bytes method;  /* upper case, e.g. "GET" */
    ph_bytes url;     /* absolute URL, e.g. "http://h/parties/p/r?x=1" */
    ph_bytes body;    /* empty for on_connect */
    ph_bytes headers; /* the rest: a header list [name, value, ...] */
} ph_request;

/* PH_OK, or PH_INVALID (malformed list, < 3 items, odd header items). */
static inline int ph_request_parse(ph_request *req, const void *rec, uint32_t len)
{
    ph_list_iter it = ph_list_iter_init(rec, len);
    int32_t n;
    if (ph_list_next(&it, &req->method) != 1) return PH_INVALID;
    if (ph_list_next(&it, &req->url) != 1) return PH_INVALID;
    if (ph_list_next(&it, &req->body) != 1) return PH_INVALID;
    req->headers = ph_bytes_of(it.p, it.left);
    n = ph_list_count(it.p, it.left);
    if (n < 0 || (n & 1)) return PH_INVALID;
    return PH_OK;
}

/* Iterate a header list: ph_list_iter it = ph_list_iter_init(req->headers.ptr,
 * req->headers.len); while (ph_header_next(&it, &name, &value) == 1) ... */
static inline int ph_header_next(ph_list_iter *it, ph_bytes *name, ph_bytes *value)
{
    int r = ph_list_next(it, name);
    if (r != 1) return r;
    return ph_list_next(it, value) == 1 ? 1 : PH_INVALID;
}

/* First header called name (ASCII case-insensitive): 1 and *value set, or 0. */
static inline int ph_request_header(const ph_request *req, const char *name, ph_bytes *value)
{
    ph_list_iter it = ph_list_iter_init(req->headers.ptr, req->headers.len);
    ph_bytes n, v;
    while (ph_header_next(&it, &n, &v) == 1)
        if (ph_bytes_eq_nocase(n, name)) {
            *value = v;
            return 1;
        }
    return 0;
}

/* ---- calls (ABI v1.4) ---- */

/* A call request [method, url, body, name1, value1, ...]: put its head, then any headers with
 * ph_list_put_str(w, name); ph_list_put_str(w, value). */
static inline void ph_call_request_put(ph_writer *w, const char *method, const char *url,
                                       const void *body, uint32_t body_len)
{
    ph_list_put_str(w, method);
    ph_list_put_str(w, url);
    ph_list_put(w, body, body_len);
}

/* The answer to a call, in on_response: status 100-599 with the body and headers of the response;
 * or a negative status (PH_NOT_FOUND, PH_TOO_LARGE, PH_NOT_ALLOWED, PH_TIMED_OUT, PH_FAILED) with
 * body holding the host's message and no headers. */
typedef struct ph_response {
    int32_t status;
    ph_bytes body;
    ph_bytes headers; /* a header list [name, value, ...], names lower case */
} ph_response;

/* PH_OK, or PH_INVALID (malformed list, no body item, a header without its value). */
static inline int ph_response_parse(ph_response *resp, int32_t status, const void *rec, uint32_t len)
{
    ph_list_iter it = ph_list_iter_init(rec, len);
    int32_t n;
    resp->status = status;
    if (ph_list_next(&it, &resp->body) != 1) return PH_INVALID;
    resp->headers = ph_bytes_of(it.p, it.left);
    n = ph_list_count(it.p, it.left);
    if (n < 0 || (n & 1) || (status < 0 && n != 0)) return PH_INVALID;
    return PH_OK;
}

/* First header called name (ASCII case-insensitive) of a response: 1 and *value set, or 0. */
static inline int ph_response_header(const ph_response *resp, const char *name, ph_bytes *value)
{
    ph_list_iter it = ph_list_iter_init(resp->headers.ptr, resp->headers.len);
    ph_bytes n, v;
    while (ph_header_next(&it, &n, &v) == 1)
        if (ph_bytes_eq_nocase(n, name)) {
            *value = v;
            return 1;
        }
    return 0;
}

/* ------------------------------------------------------------------ */
/* JSON (partyhost.c; no malloc, pure: also compiles natively).         */
/*                                                                      */
/* Reading: ph_json_parse checks a whole text strictly (RFC 8259,      */
/* UTF-8, escapes, surrogate pairs) into tokens in an array you give,   */
/* one token per value and per object key, in text order: token 0 is  */
/* the root, and an array's or object's contents follow it. Tokens are  */
/* int32_t indexes; the lookups answer PH_NOT_FOUND (< 0) when there is */
/* nothing, and every function takes a negative index as "nothing", so  */
/* lookups chain: ph_json_find(&doc, ph_json_find(&doc, 0, "a"), "b").  */

#define PH_JSON_NULL   1
#define PH_JSON_BOOL   2
#define PH_JSON_NUMBER 3
#define PH_JSON_STRING 4
#define PH_JSON_ARRAY  5
#define PH_JSON_OBJECT 6

/* Deeper nesting is refused (PH_INVALID), as in the Rust SDK. */
#define PH_JSON_MAX_DEPTH 128

typedef struct ph_json_tok {
    uint8_t type;   /* PH_JSON_* */
    uint32_t start; /* the value's text: [start, start + len), quotes and brackets included */
    uint32_t len;
    uint32_t count; /* array: items; object: members (each a key token, then its value) */
    uint32_t next;  /* the token after this value and everything in it */
} ph_json_tok;

typedef struct ph_json {
    const uint8_t *text;
    uint32_t len;
    ph_json_tok *toks;
    uint32_t count;      /* tokens used */
    const char *error;   /* after a failed parse: why ("expected , or ]"), else NULL */
    uint32_t error_pos;  /* and at which byte */
} ph_json;

/* PH_OK; PH_INVALID (not JSON: doc->error, doc->error_pos); PH_TOO_LARGE (more than cap tokens).
 * The text and the tokens must outlive the doc. */
int32_t ph_json_parse(ph_json *doc, const void *text, uint32_t len, ph_json_tok *toks, uint32_t cap);
/* The type of a token, or 0 for a negative index. */
int ph_json_type(const ph_json *doc, int32_t tok);
/* The value of an object's member called key (the last one if the key occurs twice, as in
 * JavaScript's JSON.parse), or PH_NOT_FOUND. */
int32_t ph_json_find(const ph_json *doc, int32_t obj, const char *key);
/* Item i of an array, or PH_NOT_FOUND. Objects: key k = obj + 1, its value k + 1, the next key
 * doc->toks[k + 1].next; array items likewise: the first obj + 1, then toks[item].next. */
int32_t ph_json_at(const ph_json *doc, int32_t arr, uint32_t i);
/* A string (or key) unescaped to UTF-8: returns its length n (or PH_INVALID if tok is not a
 * string) and writes at most cap bytes at out; when n < cap, all of it and a 0 after it. */
int32_t ph_json_get_string(const ph_json *doc, int32_t tok, char *out, uint32_t cap);
/* 1 if tok is a string equal to the UTF-8 bytes s[0..len), else 0. */
int ph_json_string_eq(const ph_json *doc, int32_t tok, const void *s, uint32_t len);
/* A number that is an integer (1, -20, 1e3, 2.50e1): PH_OK; PH_INVALID if tok is another value
 * or has a fraction; PH_TOO_LARGE outside int64_t. */
int32_t ph_json_get_i64(const ph_json *doc, int32_t tok, int64_t *out);
/* A number: PH_OK, PH_INVALID, or PH_TOO_LARGE (beyond double). Correctly rounded for up to 15
 * significant digits and a decimal exponent within +-22 (what parties send); otherwise it may be
 * off in its last digit or two (no strtod freestanding). */
int32_t ph_json_get_double(const ph_json *doc, int32_t tok, double *out);
/* true/false: PH_OK and *out 1/0, or PH_INVALID. */
int32_t ph_json_get_bool(const ph_json *doc, int32_t tok, int *out);

/* Writing: a ph_writer (counting, snprintf style) that places commas and colons, e.g.
 *   ph_json_writer j = ph_json_writer_init(buf, sizeof buf);
 *   ph_json_begin_object(&j); ph_json_key(&j, "count"); ph_json_put_int(&j, 3); ph_json_end_object(&j);
 *   if (ph_writer_ok(&j.w)) send(buf, j.w.len);     -> {"count":3}
 * Strings are escaped as JSON requires (quotes, backslash, control characters); other bytes pass
 * as they are, but bytes that are not UTF-8 become U+FFFD, so the output is always valid text. */
typedef struct ph_json_writer {
    ph_writer w;
    int comma; /* a value came before: the next one needs a comma */
} ph_json_writer;

static inline ph_json_writer ph_json_writer_init(void *buf, uint32_t cap)
{
    ph_json_writer j;
    j.w = ph_writer_init(buf, cap);
    j.comma = 0;
    return j;
}

void ph_json_begin_object(ph_json_writer *j);
void ph_json_end_object(ph_json_writer *j);
void ph_json_begin_array(ph_json_writer *j);
void ph_json_end_array(ph_json_writer *j);
void ph_json_key(ph_json_writer *j, const char *key);
void ph_json_put_string(ph_json_writer *j, const void *s, uint32_t len);
void ph_json_put_cstring(ph_json_writer *j, const char *s);
void ph_json_put_int(ph_json_writer *j, int64_t v);
void ph_json_put_bool(ph_json_writer *j, int b);
void ph_json_put_null(ph_json_writer *j);
/* A value that is JSON already, e.g. a token's text: ph_json_put_raw(&j, doc.text + t->start, t->len). */
void ph_json_put_raw(ph_json_writer *j, const void *json, uint32_t len);

/* ------------------------------------------------------------------ */
/* Host calls (import module "partyhost"), ABI section 7.              */

#ifdef __wasm__

#define PH__IMPORT(name) __attribute__((import_module("partyhost"), import_name(name)))
#define PH__EXPORT(name) __attribute__((export_name(name)))

/* Connections */
PH__IMPORT("conn_send") int32_t ph_conn_send(ph_conn conn, const void *ptr, uint32_t len, int32_t kind);
PH__IMPORT("broadcast") int32_t ph_broadcast(const void *ptr, uint32_t len, int32_t kind,
                                             const ph_conn *exclude, uint32_t exclude_count);
PH__IMPORT("conn_close") int32_t ph_conn_close(ph_conn conn, int32_t code, const void *reason, uint32_t reason_len);
PH__IMPORT("conn_id") int32_t ph_conn_id(ph_conn conn, void *out, uint32_t out_cap);
PH__IMPORT("conn_uri") int32_t ph_conn_uri(ph_conn conn, void *out, uint32_t out_cap);
PH__IMPORT("conn_find") int32_t ph_conn_find(const void *id, uint32_t id_len);
PH__IMPORT("conn_state_get") int32_t ph_conn_state_get(ph_conn conn, void *out, uint32_t out_cap);
PH__IMPORT("conn_state_set") int32_t ph_conn_state_set(ph_conn conn, const void *ptr, uint32_t len);
PH__IMPORT("conn_set_tags") int32_t ph_conn_set_tags(ph_conn conn, const void *list, uint32_t list_len);
PH__IMPORT("conn_tags") int32_t ph_conn_tags(ph_conn conn, void *out, uint32_t out_cap);
/* out_cap is in bytes; returns bytes (4 x count). */
PH__IMPORT("conn_list") int32_t ph_conn_list(const void *tag, uint32_t tag_len, ph_conn *out, uint32_t out_cap);

/* Room */
PH__IMPORT("room_id") int32_t ph_room_id(void *out, uint32_t out_cap);
PH__IMPORT("party_name") int32_t ph_party_name(void *out, uint32_t out_cap);
/* headers: a byte list of names and values. PH_INVALID for a name that is not an HTTP token or a value
 * with CR, LF or NUL (since ABI v1.3: such a header would be split or folded on the wire). */
PH__IMPORT("respond") int32_t ph_respond(int32_t status, const void *headers, uint32_t headers_len,
                                         const void *body, uint32_t body_len);
PH__IMPORT("config_get") int32_t ph_config_get(const void *key, uint32_t key_len, void *out, uint32_t out_cap);

/* Utilities */
PH__IMPORT("log") int32_t ph_log(int32_t level, const void *ptr, uint32_t len);
PH__IMPORT("now_ms") int64_t ph_now_ms(void);
PH__IMPORT("random_fill") int32_t ph_random_fill(void *ptr, uint32_t len);

/* Storage: durable, per room. Every hook is one transaction: its writes (and alarm changes)
 * become durable together when it returns, or not at all if it traps; what it sends reaches
 * clients only after that. Reads are served from memory. */
PH__IMPORT("storage_get") int32_t ph_storage_get(const void *key, uint32_t key_len, void *out, uint32_t out_cap);
PH__IMPORT("storage_put") int32_t ph_storage_put(const void *key, uint32_t key_len, const void *val, uint32_t val_len);
/* list: [key1, value1, key2, value2, ...] (ph_list_put_entries); all or nothing. Since ABI v1.1. */
PH__IMPORT("storage_put_many") int32_t ph_storage_put_many(const void *list, uint32_t list_len);
/* 1 if the key existed, 0 if not. */
PH__IMPORT("storage_delete") int32_t ph_storage_delete(const void *key, uint32_t key_len);
/* list: [key1, key2, ...] (ph_list_put_keys); returns how many existed. Since ABI v1.1. */
PH__IMPORT("storage_delete_many") int32_t ph_storage_delete_many(const void *list, uint32_t list_len);
/* Entries as a list [key1, value1, ...]: keys starting with prefix, >= start, < end (empty
 * bounds are open), at most limit (<= 0: all), descending if reverse is 1. */
PH__IMPORT("storage_list") int32_t ph_storage_list(const void *prefix, uint32_t prefix_len,
                                                   const void *start, uint32_t start_len,
                                                   const void *end, uint32_t end_len,
                                                   int32_t limit, int32_t reverse,
                                                   void *out, uint32_t out_cap);
PH__IMPORT("storage_delete_all") int32_t ph_storage_delete_all(void);

/* Alarm: one per room, durable with the hook's writes. on_alarm runs when it is due; by then the
 * alarm is cleared (set the next one from there). */
PH__IMPORT("alarm_set") int32_t ph_alarm_set(int64_t epoch_ms);
PH__IMPORT("alarm_get") int32_t ph_alarm_get(int64_t *out);
PH__IMPORT("alarm_delete") int32_t ph_alarm_delete(void);

/* Before hooks (since ABI v1.2): only in PH_ON_BEFORE_CONNECT / PH_ON_BEFORE_REQUEST. Sets a
 * header of the request the room's on_connect / on_request will see if the hook lets it through:
 * the name (1-256 token characters) is lower-cased and replaces every header of that name; the
 * value is up to 8 KiB without CR, LF or NUL. At most 64 calls per hook. */
PH__IMPORT("request_set_header") int32_t ph_request_set_header(const void *name, uint32_t name_len,
                                                               const void *value, uint32_t value_len);

/* Calls (since ABI v1.4). A call is output, like a frame: it leaves once the hook's writes are
 * durable, not at all if the hook traps, and its answer comes later to PH_ON_RESPONSE with the id
 * these return (> 0). req: a call request (ph_call_request_put). room_call: to room `room` of
 * party `party` (empty: this party), whose on_request sees the url (empty or "/path?query") below
 * its own address, with the header x-partyhost-caller: <party>/<room>. http_call: to the absolute
 * http(s) url, if the operator put its host on the party's allowlist (else PH_NOT_ALLOWED).
 * Refused at once: PH_BUSY (too many calls in flight), PH_INVALID, PH_TOO_LARGE, PH_WRONG_HOOK. */
PH__IMPORT("room_call") int32_t ph_room_call(const void *party, uint32_t party_len,
                                             const void *room, uint32_t room_len,
                                             const void *req, uint32_t req_len);
PH__IMPORT("http_call") int32_t ph_http_call(const void *req, uint32_t req_len);

/* ---- assertions ---- */

/* PH_ASSERT(cond): if cond is false, log "assertion failed: cond at file:line" at ERROR and trap
 * (the room is reset). Always on, NDEBUG or not; works freestanding, where there is no assert.h,
 * and with wasi-libc, whose assert() writes to stderr (the host log, at INFO) and pulls in stdio. */
#define PH_ASSERT(cond) ((cond) ? (void)0 : ph__assert_fail(#cond, __FILE__, __LINE__))
__attribute__((noreturn)) void ph__assert_fail(const char *cond, const char *file, int line);

/* ---- convenience ---- */

static inline int32_t ph_log_str(int32_t level, const char *msg)
{
    return ph_log(level, msg, (uint32_t)ph_strlen(msg));
}

static inline int32_t ph_send_text(ph_conn conn, const char *text)
{
    return ph_conn_send(conn, text, (uint32_t)ph_strlen(text), PH_TEXT);
}

/* Broadcast to everyone. Returns the number of recipients. */
static inline int32_t ph_broadcast_text(const char *text)
{
    return ph_broadcast(text, (uint32_t)ph_strlen(text), PH_TEXT, 0, 0);
}

/* Broadcast to everyone but one connection (the sender, typically). */
static inline int32_t ph_broadcast_except(const void *ptr, uint32_t len, int32_t kind, ph_conn except)
{
    return ph_broadcast(ptr, len, kind, &except, 1);
}

static inline int32_t ph_close_str(ph_conn conn, int32_t code, const char *reason)
{
    return ph_conn_close(conn, code, reason, (uint32_t)ph_strlen(reason));
}

static inline int32_t ph_request_set_header_str(const char *name, const char *value)
{
    return ph_request_set_header(name, (uint32_t)ph_strlen(name), value, (uint32_t)ph_strlen(value));
}

/* Storage with C-string keys (and values). */
static inline int32_t ph_storage_put_str(const char *key, const char *value)
{
    return ph_storage_put(key, (uint32_t)ph_strlen(key), value, (uint32_t)ph_strlen(value));
}

static inline int32_t ph_storage_delete_str(const char *key)
{
    return ph_storage_delete(key, (uint32_t)ph_strlen(key));
}

/*
 * Batches: encode the list and make one storage_put_many / storage_delete_many
 * call (a stack buffer for small lists, ph_alloc otherwise: PH_TOO_LARGE if
 * that fails). count 0 makes no call. Results as for the raw calls.
 */
int32_t ph_storage_put_entries(const ph_entry *entries, uint32_t count);
int32_t ph_storage_delete_keys(const ph_bytes *keys, uint32_t count);

/* Calls with a body and (if content_type is not NULL) a content-type header: the call id, or
 * as for the raw calls (PH_TOO_LARGE also if the request cannot be encoded in memory). */
int32_t ph_call_room_simple(const char *party, const char *room, const char *method, const char *url,
                            const char *content_type, const void *body, uint32_t body_len);
int32_t ph_call_http_simple(const char *method, const char *url, const char *content_type,
                            const void *body, uint32_t body_len);

/* Respond with a body and (if content_type is not NULL) a content-type
 * header. PH_TOO_LARGE if content_type exceeds 200 bytes. */
static inline int32_t ph_respond_body(int32_t status, const char *content_type,
                                      const void *body, uint32_t body_len)
{
    uint8_t hb[256];
    ph_writer w = ph_writer_init(hb, sizeof hb);
    if (content_type) {
        ph_list_put_str(&w, "content-type");
        ph_list_put_str(&w, content_type);
    }
    if (!ph_writer_ok(&w)) return PH_TOO_LARGE;
    return ph_respond(status, hb, w.len, body, body_len);
}

static inline int32_t ph_respond_text(int32_t status, const char *content_type, const char *body)
{
    return ph_respond_body(status, content_type, body, (uint32_t)ph_strlen(body));
}

/*
 * Out-buffer calls, allocating: each returns the result length n >= 0 and
 * sets *out to a new NUL-terminated buffer of n + 1 bytes (free it with
 * ph_free), or returns a negative status and sets *out to NULL.
 */
int32_t ph_room_id_dup(char **out);
int32_t ph_party_name_dup(char **out);
int32_t ph_conn_id_dup(ph_conn conn, char **out);
int32_t ph_conn_uri_dup(ph_conn conn, char **out);
int32_t ph_conn_state_dup(ph_conn conn, char **out);
int32_t ph_conn_tags_dup(ph_conn conn, char **out); /* a byte-string list */
int32_t ph_config_dup(const char *key, char **out);
int32_t ph_storage_get_dup(const void *key, uint32_t key_len, char **out);
/* storage_list with a prefix only (no bounds): the list [key1, value1, ...]. */
int32_t ph_storage_list_dup(const void *prefix, uint32_t prefix_len, int32_t limit, int32_t reverse, char **out);

/* ------------------------------------------------------------------ */
/* Hooks. Write plain functions and export each with one macro at file */
/* scope, e.g. PH_ON_MESSAGE(my_message). Hooks you do not export       */
/* behave as the spec says for missing hooks (on_request: 404).         */
/*                                                                      */
/* Argument buffers belong to the SDK: they are valid during the hook   */
/* and freed when it returns (copy what you keep). They are always      */
/* NUL-terminated (data[len] == 0) and never NULL (len 0 gives "").     */
/* A non-zero return value is reported to the host as an error.         */
/*                                                                      */
/*   int on_start(void)                                                 */
/*   int on_connect(ph_conn conn, const ph_request *req)                */
/*   int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind) */
/*   int on_close(ph_conn conn, int code, const char *reason, uint32_t len) */
/*   int on_error(ph_conn conn, const char *msg, uint32_t len)          */
/*   int on_request(const ph_request *req)                              */
/*   int on_alarm(void)                                                 */
/*   int on_response(int32_t call, const ph_response *resp)   (v1.4)   */
/*                                                                      */
/* Before hooks (ABI v1.2) run in a gate instance of the party (no     */
/* room, no on_start, created and discarded by the host at will: keep   */
/* no state), before the request reaches its room. Call ph_respond* to  */
/* refuse the request with that response; return 0 without responding  */
/* to let it through, with the headers set by ph_request_set_header.    */
/* Only respond, request_set_header, room_id, party_name, config_get,   */
/* log, now_ms and random_fill work there (others: PH_WRONG_HOOK).      */
/* Export only the hooks you need: the host calls them for every        */
/* request. Both macros keep the request_set_header import, so that a   */
/* host older than v1.2 refuses the module instead of skipping them.    */
/*                                                                      */
/*   int before_connect(const ph_request *req)   WebSocket upgrades     */
/*   int before_request(const ph_request *req)   other HTTP requests    */

#define PH__ARG(p) ((p) ? (const uint8_t *)(p) : (const uint8_t *)"")

#define PH_ON_START(fn)                                                       \
    PH__EXPORT("partyhost_on_start") int32_t partyhost_on_start(void)          \
    {                                                                         \
        return fn();                                                          \
    }

#define PH_ON_ALARM(fn)                                                       \
    PH__EXPORT("partyhost_on_alarm") int32_t partyhost_on_alarm(void)          \
    {                                                                         \
        return fn();                                                          \
    }

#define PH_ON_CONNECT(fn)                                                     \
    PH__EXPORT("partyhost_on_connect")                                        \
    int32_t partyhost_on_connect(ph_conn conn, uint8_t *ptr, uint32_t len)     \
    {                                                                         \
        ph_request req;                                                       \
        int32_t r = ph_request_parse(&req, ptr, len);                         \
        if (r == PH_OK) r = fn(conn, &req);                                   \
        ph_free(ptr);                                                         \
        return r;                                                             \
    }

#define PH_ON_REQUEST(fn)                                                     \
    PH__EXPORT("partyhost_on_request")                                        \
    int32_t partyhost_on_request(uint8_t *ptr, uint32_t len)                  \
    {                                                                         \
        ph_request req;                                                       \
        int32_t r = ph_request_parse(&req, ptr, len);                         \
        if (r == PH_OK) r = fn(&req);                                         \
        ph_free(ptr);                                                         \
        return r;                                                             \
    }

#define PH_ON_RESPONSE(fn)                                                    \
    PH__EXPORT("partyhost_on_response")                                       \
    int32_t partyhost_on_response(int32_t call, uint8_t *ptr, uint32_t len,    \
                                  int32_t status)                             \
    {                                                                         \
        ph_response resp;                                                     \
        int32_t r = ph_response_parse(&resp, status, ptr, len);               \
        if (r == PH_OK) r = fn(call, &resp);                                  \
        ph_free(ptr);                                                         \
        return r;                                                             \
    }

/* Parses the record, calls fn, frees the record (partyhost.c). */
int32_t ph__before_hook(uint8_t *ptr, uint32_t len, int (*fn)(const ph_request *req));

#define PH_ON_BEFORE_CONNECT(fn)                                              \
    PH__EXPORT("partyhost_on_before_connect")                                 \
    int32_t partyhost_on_before_connect(uint8_t *ptr, uint32_t len)           \
    {                                                                         \
        return ph__before_hook(ptr, len, fn);                                 \
    }

#define PH_ON_BEFORE_REQUEST(fn)                                              \
    PH__EXPORT("partyhost_on_before_request")                                 \
    int32_t partyhost_on_before_request(uint8_t *ptr, uint32_t len)           \
    {                                                                         \
        return ph__before_hook(ptr, len, fn);                                 \
    }

#define PH_ON_MESSAGE(fn)                                                     \
    PH__EXPORT("partyhost_on_message")                                        \
    int32_t partyhost_on_message(ph_conn conn, uint8_t *ptr, uint32_t len,     \
                                 int32_t kind)                                \
    {                                                                         \
        int32_t r = fn(conn, PH__ARG(ptr), len, kind);                        \
        ph_free(ptr);                                                         \
        return r;                                                             \
    }

#define PH_ON_CLOSE(fn)                                                       \
    PH__EXPORT("partyhost_on_close")                                          \
    int32_t partyhost_on_close(ph_conn conn, int32_t code, uint8_t *ptr,       \
                               uint32_t len)                                  \
    {                                                                         \
        int32_t r = fn(conn, code, (const char *)PH__ARG(ptr), len);          \
        ph_free(ptr);                                                         \
        return r;                                                             \
    }

#define PH_ON_ERROR(fn)                                                       \
    PH__EXPORT("partyhost_on_error")                                          \
    int32_t partyhost_on_error(ph_conn conn, uint8_t *ptr, uint32_t len)       \
    {                                                                         \
        int32_t r = fn(conn, (const char *)PH__ARG(ptr), len);                \
        ph_free(ptr);                                                         \
        return r;                                                             \
    }

#endif /* __wasm__ */

#ifdef __cplusplus
}
#endif

#endif /* PARTYHOST_H */
