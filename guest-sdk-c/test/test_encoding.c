/*
 * Native unit test of the pure parts of the C guest SDK: byte-string list
 * encoding/decoding against abi/conformance/encoding-vectors.txt, request
 * record parsing, the storage batch lists, and the freestanding allocator (built over a static arena).
 *
 *   gcc -std=c11 -O2 -Wall -Wextra -o build/test_encoding guest-sdk-c/test/test_encoding.c
 *   ./build/test_encoding abi/conformance/encoding-vectors.txt
 *
 * Without an argument it reads ../abi/conformance/encoding-vectors.txt (run
 * from guest-sdk-c/) or abi/conformance/encoding-vectors.txt (repo root).
 */
#define PH_TEST_ARENA 1
#define PH_TEST_ARENA_PAGES 256 /* 16 MiB, like the host's default limit */
#include "../partyhost.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ph__test_free_bytes(size_t *blocks, size_t *pages);

static int passed, failed;

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (cond) {                                                           \
            passed++;                                                         \
        } else {                                                              \
            failed++;                                                         \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
            printf(__VA_ARGS__);                                              \
            printf("\n");                                                     \
        }                                                                     \
    } while (0)

/* ---- vector file parsing ---- */

#define MAX_ITEMS 64

typedef struct {
    uint8_t *data[MAX_ITEMS];
    uint32_t len[MAX_ITEMS];
    int n;
} items;

static void put_utf8(uint8_t *o, uint32_t *k, uint32_t c)
{
    if (c < 0x80) {
        o[(*k)++] = (uint8_t)c;
    } else if (c < 0x800) {
        o[(*k)++] = (uint8_t)(0xC0 | c >> 6);
        o[(*k)++] = (uint8_t)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        o[(*k)++] = (uint8_t)(0xE0 | c >> 12);
        o[(*k)++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        o[(*k)++] = (uint8_t)(0x80 | (c & 0x3F));
    } else {
        o[(*k)++] = (uint8_t)(0xF0 | c >> 18);
        o[(*k)++] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
        o[(*k)++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        o[(*k)++] = (uint8_t)(0x80 | (c & 0x3F));
    }
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* A JSON array of strings; returns the rest of the line, or NULL. */
static const char *parse_json_strings(const char *s, items *it)
{
    it->n = 0;
    s = skip_ws(s);
    if (*s++ != '[') return NULL;
    s = skip_ws(s);
    if (*s == ']') return s + 1;
    for (;;) {
        uint8_t *o = malloc(strlen(s) + 1);
        uint32_t k = 0;
        s = skip_ws(s);
        if (*s++ != '"' || it->n == MAX_ITEMS) return free(o), NULL;
        while (*s != '"') {
            if (!*s) return free(o), NULL;
            if (*s != '\\') {
                o[k++] = (uint8_t)*s++;
                continue;
            }
            s++;
            switch (*s++) {
            case '"': o[k++] = '"'; break;
            case '\\': o[k++] = '\\'; break;
            case '/': o[k++] = '/'; break;
            case 'b': o[k++] = '\b'; break;
            case 'f': o[k++] = '\f'; break;
            case 'n': o[k++] = '\n'; break;
            case 'r': o[k++] = '\r'; break;
            case 't': o[k++] = '\t'; break;
            case 'u': {
                unsigned c, lo;
                if (sscanf(s, "%4x", &c) != 1) return free(o), NULL;
                s += 4;
                if (c >= 0xD800 && c < 0xDC00 && s[0] == '\\' && s[1] == 'u' &&
                    sscanf(s + 2, "%4x", &lo) == 1) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                    s += 6;
                }
                put_utf8(o, &k, c);
                break;
            }
            default: return free(o), NULL;
            }
        }
        s++;
        it->data[it->n] = o;
        it->len[it->n] = k;
        it->n++;
        s = skip_ws(s);
        if (*s == ']') return s + 1;
        if (*s++ != ',') return NULL;
    }
}

/* Lower-case hex with optional spaces; returns the byte count or -1. */
static long parse_hex(const char *s, uint8_t *out)
{
    long n = 0;
    int half = -1;
    for (; *s && *s != '\n' && *s != '\r'; s++) {
        int v;
        if (*s == ' ' || *s == '\t') continue;
        if (*s >= '0' && *s <= '9') v = *s - '0';
        else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
        else return -1;
        if (half < 0) {
            half = v;
        } else {
            out[n++] = (uint8_t)(half << 4 | v);
            half = -1;
        }
    }
    return half < 0 ? n : -1;
}

/* ---- checks ---- */

static void check_vector(int line, const items *it, const uint8_t *enc, uint32_t enc_len)
{
    ph_list_iter li = ph_list_iter_init(enc, enc_len);
    ph_bytes b;
    uint8_t buf[4096];
    ph_writer w, m, small;
    int i, r;

    /* decode */
    CHECK(ph_list_count(enc, enc_len) == it->n, "line %d: count %d != %d", line,
          (int)ph_list_count(enc, enc_len), it->n);
    for (i = 0; i < it->n; i++) {
        r = ph_list_next(&li, &b);
        CHECK(r == 1, "line %d: item %d: next returned %d", line, i, r);
        if (r != 1) return;
        CHECK(b.len == it->len[i] && memcmp(b.ptr, it->data[i], b.len) == 0,
              "line %d: item %d differs", line, i);
    }
    r = ph_list_next(&li, &b);
    CHECK(r == 0, "line %d: expected end of list, got %d", line, r);

    /* encode */
    w = ph_writer_init(buf, sizeof buf);
    m = ph_writer_init(NULL, 0);
    for (i = 0; i < it->n; i++) {
        ph_list_put(&w, it->data[i], it->len[i]);
        ph_list_put(&m, it->data[i], it->len[i]);
    }
    CHECK(ph_writer_ok(&w) && w.len == enc_len && memcmp(buf, enc, enc_len) == 0,
          "line %d: encoding differs (len %u, want %u)", line, (unsigned)w.len, (unsigned)enc_len);
    CHECK(m.len == enc_len && ph_writer_ok(&m) == (enc_len == 0),
          "line %d: measuring writer says %u", line, (unsigned)m.len);
    if (enc_len > 0) {
        small = ph_writer_init(buf, enc_len - 1);
        for (i = 0; i < it->n; i++) ph_list_put(&small, it->data[i], it->len[i]);
        CHECK(!ph_writer_ok(&small) && small.len == enc_len, "line %d: short buffer not detected", line);
    }

    /* every strict prefix of a non-empty encoding that cuts an item is invalid */
    {
        uint32_t cut;
        int32_t valid_prefixes = 0;
        for (cut = 0; cut < enc_len; cut++) {
            int32_t c = ph_list_count(enc, cut);
            if (c >= 0) valid_prefixes++;
            else CHECK(c == PH_INVALID, "line %d: cut %u gave %d", line, (unsigned)cut, (int)c);
        }
        /* valid prefixes are exactly the item boundaries before the end */
        CHECK(valid_prefixes == it->n, "line %d: %d valid prefixes, want %d", line,
              (int)valid_prefixes, it->n);
    }

    /* request record parsing of the same bytes */
    {
        ph_request req;
        int32_t want = (it->n >= 3 && (it->n - 3) % 2 == 0) ? PH_OK : PH_INVALID;
        r = ph_request_parse(&req, enc, enc_len);
        CHECK(r == want, "line %d: request parse %d, want %d", line, r, (int)want);
        if (r == PH_OK) {
            CHECK(req.method.len == it->len[0] && memcmp(req.method.ptr, it->data[0], it->len[0]) == 0,
                  "line %d: method", line);
            CHECK(req.url.len == it->len[1] && memcmp(req.url.ptr, it->data[1], it->len[1]) == 0,
                  "line %d: url", line);
            CHECK(req.body.len == it->len[2] && memcmp(req.body.ptr, it->data[2], it->len[2]) == 0,
                  "line %d: body", line);
        }
    }
}

static int run_vectors(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[65536];
    static uint8_t enc[32768];
    int lineno = 0, vectors = 0;
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        items it;
        const char *rest;
        long n;
        int i;
        lineno++;
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == 0) continue;
        rest = parse_json_strings(line, &it);
        CHECK(rest != NULL, "line %d: cannot parse JSON", lineno);
        if (!rest) continue;
        rest = skip_ws(rest);
        CHECK(*rest == '|', "line %d: no '|'", lineno);
        if (*rest != '|') continue;
        n = parse_hex(rest + 1, enc);
        CHECK(n >= 0, "line %d: bad hex", lineno);
        if (n >= 0) check_vector(lineno, &it, enc, (uint32_t)n);
        for (i = 0; i < it.n; i++) free(it.data[i]);
        vectors++;
    }
    fclose(f);
    return vectors;
}

static void test_malformed(void)
{
    static const uint8_t too_long[] = {5, 0, 0, 0, 'a', 'b'};
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 'a'};
    static const uint8_t trailing[] = {1, 0, 0, 0, 'a', 0, 0};
    ph_list_iter it = ph_list_iter_init(trailing, sizeof trailing);
    ph_bytes b;
    CHECK(ph_list_count(too_long, sizeof too_long) == PH_INVALID, "length past the end");
    CHECK(ph_list_count(huge, sizeof huge) == PH_INVALID, "length 0xffffffff");
    CHECK(ph_list_next(&it, &b) == 1 && b.len == 1 && b.ptr[0] == 'a', "first item");
    CHECK(ph_list_next(&it, &b) == PH_INVALID, "trailing 2 bytes");
    CHECK(ph_list_count(NULL, 0) == 0, "empty list");
}

/* Call requests (ABI v1.4) encode as the spec says; answers parse into responses or failures. */
static void test_calls(void)
{
    uint8_t buf[256];
    ph_writer w = ph_writer_init(buf, sizeof buf);
    ph_response resp;
    ph_bytes v;
    ph_list_iter it;
    ph_bytes item;
    static const char *const want[] = {"POST", "/join", "{}", "content-type", "application/json"};
    int i = 0;

    ph_call_request_put(&w, "POST", "/join", "{}", 2);
    ph_list_put_str(&w, "content-type");
    ph_list_put_str(&w, "application/json");
    CHECK(ph_writer_ok(&w), "call request fits");
    it = ph_list_iter_init(buf, w.len);
    while (ph_list_next(&it, &item) == 1 && i < 5) {
        CHECK(ph_bytes_eq(item, want[i]), "call request item %d", i);
        i++;
    }
    CHECK(i == 5 && it.left == 0, "call request has 5 items (%d)", i);

    w = ph_writer_init(buf, sizeof buf);
    ph_list_put_str(&w, "made");
    ph_list_put_str(&w, "x-a");
    ph_list_put_str(&w, "1");
    CHECK(ph_response_parse(&resp, 201, buf, w.len) == PH_OK, "response parses");
    CHECK(resp.status == 201 && ph_bytes_eq(resp.body, "made"), "response status and body");
    CHECK(ph_response_header(&resp, "X-A", &v) == 1 && ph_bytes_eq(v, "1"), "response header");
    CHECK(ph_response_header(&resp, "x-b", &v) == 0, "absent response header");

    w = ph_writer_init(buf, sizeof buf);
    ph_list_put_str(&w, "no answer in 10000 ms");
    CHECK(ph_response_parse(&resp, PH_TIMED_OUT, buf, w.len) == PH_OK, "failure parses");
    CHECK(resp.status == PH_TIMED_OUT && ph_bytes_eq(resp.body, "no answer in 10000 ms"), "failure message");
    CHECK(resp.headers.len == 0, "a failure has no headers");

    /* A header without its value, an empty record, a failure with headers: malformed. */
    w = ph_writer_init(buf, sizeof buf);
    ph_list_put_str(&w, "b");
    ph_list_put_str(&w, "x-a");
    CHECK(ph_response_parse(&resp, 200, buf, w.len) == PH_INVALID, "odd header items");
    CHECK(ph_response_parse(&resp, PH_FAILED, buf, w.len) == PH_INVALID, "failure with extra items");
    CHECK(ph_response_parse(&resp, 200, buf, 0) == PH_INVALID, "no body item");
}

static void test_request(void)
{
    uint8_t buf[512];
    ph_writer w = ph_writer_init(buf, sizeof buf);
    ph_request req;
    ph_list_iter it;
    ph_bytes n, v;
    int i;
    static const char *const rec[] = {"POST", "http://host/parties/chat/room-1/sub?x=1", "hello",
                                      "host", "host", "x-multi", "1", "x-multi", "2",
                                      "content-type", "text/plain"};
    for (i = 0; i < (int)(sizeof rec / sizeof rec[0]); i++) ph_list_put_str(&w, rec[i]);
    CHECK(ph_writer_ok(&w), "record fits");
    CHECK(ph_request_parse(&req, buf, w.len) == PH_OK, "parse");
    CHECK(ph_bytes_eq(req.method, "POST"), "method");
    CHECK(!ph_bytes_eq(req.method, "POS") && !ph_bytes_eq(req.method, "POSTX"), "method prefix");
    CHECK(ph_bytes_eq(req.url, "http://host/parties/chat/room-1/sub?x=1"), "url");
    CHECK(ph_bytes_eq(req.body, "hello"), "body");
    it = ph_list_iter_init(req.headers.ptr, req.headers.len);
    for (i = 3; ph_header_next(&it, &n, &v) == 1; i += 2)
        CHECK(ph_bytes_eq(n, rec[i]) && ph_bytes_eq(v, rec[i + 1]), "header %d", (i - 3) / 2);
    CHECK(i == 11, "4 headers iterated (i=%d)", i);
    CHECK(ph_request_header(&req, "x-multi", &v) == 1 && ph_bytes_eq(v, "1"), "first of repeated header");
    CHECK(ph_request_header(&req, "Content-Type", &v) == 1 && ph_bytes_eq(v, "text/plain"),
          "case-insensitive lookup");
    CHECK(ph_request_header(&req, "x-none", &v) == 0, "missing header");
    CHECK(ph_request_header(&req, "x-mult", &v) == 0, "header name prefix");

    /* too few items, odd header items, trailing garbage */
    w = ph_writer_init(buf, sizeof buf);
    ph_list_put_str(&w, "GET");
    ph_list_put_str(&w, "http://h/");
    CHECK(ph_request_parse(&req, buf, w.len) == PH_INVALID, "2 items");
    ph_list_put_str(&w, "");
    CHECK(ph_request_parse(&req, buf, w.len) == PH_OK && req.headers.len == 0, "3 items");
    ph_list_put_str(&w, "host");
    CHECK(ph_request_parse(&req, buf, w.len) == PH_INVALID, "header without value");
    ph_list_put_str(&w, "h");
    CHECK(ph_request_parse(&req, buf, w.len) == PH_OK, "one header");
    CHECK(ph_request_parse(&req, buf, w.len + 1) == PH_INVALID, "trailing byte");
}

/* The lists storage_put_many and storage_delete_many take. */
static void test_storage_batches(void)
{
    static const uint8_t want_entries[] = {1, 0, 0, 0, 'k', 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'v'};
    static const uint8_t want_keys[] = {1, 0, 0, 0, 'a', 2, 0, 0, 0, 'b', 'c'};
    uint8_t buf[64];
    ph_entry e[2];
    ph_bytes keys[2], item;
    ph_writer w = ph_writer_init(buf, sizeof buf), m = ph_writer_init(NULL, 0);
    ph_list_iter it;

    /* ["k", "", "", "v"]: the vector of the same name in encoding-vectors.txt */
    e[0].key = ph_bytes_str("k");
    e[0].value = ph_bytes_of("", 0);
    e[1].key = ph_bytes_of(NULL, 0);
    e[1].value = ph_bytes_str("v");
    ph_list_put_entries(&w, e, 2);
    ph_list_put_entries(&m, e, 2);
    CHECK(ph_writer_ok(&w) && w.len == sizeof want_entries && memcmp(buf, want_entries, w.len) == 0,
          "entries encoding (len %u)", (unsigned)w.len);
    CHECK(m.len == sizeof want_entries, "entries measured %u", (unsigned)m.len);
    CHECK(ph_list_count(buf, w.len) == 4, "entries: 2 x 2 items");

    w = ph_writer_init(buf, sizeof buf);
    keys[0] = ph_bytes_str("a");
    keys[1] = ph_bytes_str("bc");
    ph_list_put_keys(&w, keys, 2);
    CHECK(w.len == sizeof want_keys && memcmp(buf, want_keys, w.len) == 0, "keys encoding");
    it = ph_list_iter_init(buf, w.len);
    CHECK(ph_list_next(&it, &item) == 1 && ph_bytes_eq(item, "a"), "key 1");
    CHECK(ph_list_next(&it, &item) == 1 && ph_bytes_eq(item, "bc"), "key 2");
    CHECK(ph_list_next(&it, &item) == 0, "2 keys");

    w = ph_writer_init(buf, sizeof buf);
    ph_list_put_entries(&w, e, 0);
    ph_list_put_keys(&w, keys, 0);
    CHECK(w.len == 0, "empty batches encode to nothing");
}

static int32_t rnd(void)
{
    static uint32_t s = 12345;
    s = s * 1103515245u + 12345u;
    return (int32_t)(s >> 8);
}

static void test_allocator(void)
{
    enum { SLOTS = 512 };
    static uint8_t *slot[SLOTS];
    static size_t size[SLOTS];
    size_t blocks, pages, pages_after_warmup;
    long i;
    int bad = 0;
    uint8_t *big, *p;

    /* relay pattern: alloc one message, free it, a million times */
    for (i = 0; i < 1000000; i++) {
        p = ph_alloc((size_t)(rnd() % 65536) + 1);
        if (!p) { bad++; break; }
        p[0] = 1;
        ph_free(p);
    }
    ph__test_free_bytes(&blocks, &pages);
    CHECK(bad == 0 && blocks == 1 && pages <= 3, "relay pattern: %zu blocks, %zu pages", blocks, pages);

    /* random alloc/free/realloc with content checks */
    for (i = 0; i < 400000; i++) {
        int k = rnd() % SLOTS;
        if (slot[k]) {
            size_t j;
            for (j = 0; j < size[k]; j++)
                if (slot[k][j] != (uint8_t)(k + j)) bad++;
            if (rnd() % 4 == 0) {
                size_t ns = size[k] + (size_t)(rnd() % 3000);
                slot[k] = ph_realloc(slot[k], ns);
                if (!slot[k]) { bad++; break; }
                for (j = size[k]; j < ns; j++) slot[k][j] = (uint8_t)(k + j);
                size[k] = ns;
                continue;
            }
            ph_free(slot[k]);
            slot[k] = NULL;
        } else {
            size_t j, n = (size_t)(rnd() % (rnd() % 8 == 0 ? 40000 : 200));
            slot[k] = ph_alloc(n);
            if (!slot[k] || ((uintptr_t)slot[k] & 15)) { bad++; break; }
            size[k] = n;
            for (j = 0; j < n; j++) slot[k][j] = (uint8_t)(k + j);
        }
        if (i == 100000) ph__test_free_bytes(&blocks, &pages_after_warmup);
    }
    CHECK(bad == 0, "random: %d bad", bad);
    for (i = 0; i < SLOTS; i++) {
        ph_free(slot[i]);
        slot[i] = NULL;
    }
    ph__test_free_bytes(&blocks, &pages);
    CHECK(blocks == 1, "everything freed coalesces into one block (%zu blocks)", blocks);
    CHECK(pages <= pages_after_warmup + 16, "no growth after warm-up (%zu -> %zu pages)",
          pages_after_warmup, pages);

    /* after all that, nearly all of the arena is still usable in one piece */
    big = ph_alloc((size_t)(PH_TEST_ARENA_PAGES - 1) * 65536 - 4096);
    CHECK(big != NULL, "one big block after fragmentation");
    CHECK(ph_alloc((size_t)2 * 65536) == NULL, "out of memory returns NULL");
    ph_free(big);
    CHECK(ph_alloc((size_t)1 << 31) == NULL, "2 GiB request returns NULL");
    p = ph_alloc(0);
    CHECK(p != NULL && ((uintptr_t)p & 15) == 0, "alloc(0) gives an aligned pointer");
    ph_free(p);
    ph_free(NULL);
    ph__test_free_bytes(&blocks, &pages);
    CHECK(blocks == 1, "final: %zu blocks", blocks);
}

int main(int argc, char **argv)
{
    int vectors;
    if (argc > 1) {
        vectors = run_vectors(argv[1]);
    } else {
        vectors = run_vectors("../abi/conformance/encoding-vectors.txt");
        if (vectors < 0) vectors = run_vectors("abi/conformance/encoding-vectors.txt");
    }
    CHECK(vectors > 0, "read vectors file (%d vectors)", vectors);
    test_malformed();
    test_request();
    test_calls();
    test_storage_batches();
    test_allocator();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
