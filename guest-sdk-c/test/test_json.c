/*
 * Native unit test of the C SDK's JSON reader and writer (partyhost.c), with the same error cases
 * as the Rust SDK's (guest-sdk-rust/src/json.rs). make sdk-test builds it with the address and
 * undefined-behaviour sanitizers:
 *
 *   gcc -std=c11 -O1 -g -fsanitize=address,undefined -o build/c-sdk-json guest-sdk-c/test/test_json.c
 */
#define PH_TEST_ARENA 1
#include "../partyhost.c"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static ph_json_tok toks[4096];

/* Parses a copy of text in a buffer of exactly its size, so that the sanitizer sees any read past
 * the end. */
static int32_t parse(ph_json *doc, const char *text)
{
    static char *copy;
    size_t n = strlen(text);
    free(copy);
    copy = malloc(n ? n : 1);
    memcpy(copy, text, n);
    return ph_json_parse(doc, copy, (uint32_t)n, toks, sizeof toks / sizeof toks[0]);
}

static void ok(const char *text)
{
    ph_json doc;
    int32_t r = parse(&doc, text);
    CHECK(r == PH_OK, "%s: %d %s at %u", text, r, doc.error ? doc.error : "", doc.error_pos);
}

static void refused(const char *text, uint32_t pos, const char *why)
{
    ph_json doc;
    int32_t r = parse(&doc, text);
    CHECK(r == PH_INVALID && doc.error && strcmp(doc.error, why) == 0 && doc.error_pos == pos,
          "%s: %d \"%s\" at %u, expected \"%s\" at %u", text, r, doc.error ? doc.error : "", doc.error_pos, why, pos);
}

static const char *str(const ph_json *doc, int32_t tok)
{
    static char buf[256];
    int32_t n = ph_json_get_string(doc, tok, buf, sizeof buf);
    return n < 0 ? "(not a string)" : buf;
}

static void test_values(void)
{
    ph_json doc;
    int64_t i;
    double d;
    int b;
    int32_t a, o;
    const char *text = " {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}, \"c\": [], \"d\": {\"e\": \"f\"}}\n";
    CHECK(parse(&doc, text) == PH_OK, "%s", doc.error);
    /* Tokens in text order: the root, then each key and value. */
    CHECK(doc.count == 17, "%u tokens", doc.count);
    CHECK(doc.toks[0].type == PH_JSON_OBJECT && doc.toks[0].count == 4 && doc.toks[0].next == 17, "root");
    CHECK(doc.toks[0].start == 1 && doc.toks[0].len == strlen(text) - 2, "root span");
    a = ph_json_find(&doc, 0, "a");
    CHECK(a == 2 && ph_json_type(&doc, a) == PH_JSON_ARRAY && doc.toks[a].count == 6 && doc.toks[a].next == 9, "a");
    CHECK(ph_json_get_i64(&doc, ph_json_at(&doc, a, 0), &i) == PH_OK && i == 1, "a[0]");
    CHECK(ph_json_get_double(&doc, ph_json_at(&doc, a, 1), &d) == PH_OK && d == -2500.0, "a[1]");
    CHECK(ph_json_get_i64(&doc, ph_json_at(&doc, a, 1), &i) == PH_OK && i == -2500, "-2.5e3 is an integer");
    CHECK(ph_json_get_bool(&doc, ph_json_at(&doc, a, 2), &b) == PH_OK && b == 1, "a[2]");
    CHECK(ph_json_get_bool(&doc, ph_json_at(&doc, a, 3), &b) == PH_OK && b == 0, "a[3]");
    CHECK(ph_json_type(&doc, ph_json_at(&doc, a, 4)) == PH_JSON_NULL, "a[4]");
    CHECK(strcmp(str(&doc, ph_json_at(&doc, a, 5)), "x") == 0, "a[5]");
    CHECK(ph_json_at(&doc, a, 6) == PH_NOT_FOUND && ph_json_at(&doc, 0, 0) == PH_NOT_FOUND, "no a[6]");
    CHECK(ph_json_type(&doc, ph_json_find(&doc, 0, "b")) == PH_JSON_OBJECT, "b");
    CHECK(doc.toks[ph_json_find(&doc, 0, "c")].count == 0, "c");
    o = ph_json_find(&doc, 0, "d");
    CHECK(strcmp(str(&doc, ph_json_find(&doc, o, "e")), "f") == 0, "d.e");
    CHECK(ph_json_find(&doc, 0, "zz") == PH_NOT_FOUND && ph_json_find(&doc, a, "x") == PH_NOT_FOUND, "missing");
    /* Lookups chain through "nothing". */
    CHECK(ph_json_find(&doc, ph_json_find(&doc, 0, "zz"), "e") == PH_NOT_FOUND, "chain");
    CHECK(ph_json_get_string(&doc, -1, 0, 0) == PH_INVALID && ph_json_type(&doc, 99) == 0, "bad index");
    CHECK(ph_json_get_i64(&doc, a, &i) == PH_INVALID && ph_json_get_bool(&doc, a, &b) == PH_INVALID, "types");
    /* Keys are tokens too; a duplicate key: the last wins, as in JSON.parse. */
    CHECK(parse(&doc, "{\"k\":1,\"k\":2}") == PH_OK && doc.toks[0].count == 2, "dup");
    CHECK(ph_json_get_i64(&doc, ph_json_find(&doc, 0, "k"), &i) == PH_OK && i == 2, "last wins");
    CHECK(parse(&doc, "\"\"") == PH_OK && doc.count == 1 && strcmp(str(&doc, 0), "") == 0, "empty string");
    CHECK(parse(&doc, "0") == PH_OK && doc.toks[0].type == PH_JSON_NUMBER, "0");
}

static void test_strings(void)
{
    ph_json doc;
    char small[4];
    const char *text = "[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\", \"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80\", \"\\u0000\"]";
    CHECK(parse(&doc, text) == PH_OK, "%s at %u", doc.error, doc.error_pos);
    CHECK(strcmp(str(&doc, 1), "a\"b\\c/d\b\f\n\r\t") == 0, "escapes");
    CHECK(strcmp(str(&doc, 2), "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == 0, "\\u escapes");
    CHECK(strcmp(str(&doc, 3), "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80") == 0, "UTF-8 as is");
    CHECK(ph_json_get_string(&doc, 4, small, sizeof small) == 1 && small[0] == 0, "\\u0000: 1 byte");
    CHECK(ph_json_string_eq(&doc, 2, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10), "eq");
    CHECK(!ph_json_string_eq(&doc, 2, "A\xc3\xa9", 3) && !ph_json_string_eq(&doc, 0, "", 0), "not eq");
    /* Too small: the length, and at most cap bytes written. */
    memset(small, 'z', sizeof small);
    CHECK(ph_json_get_string(&doc, 1, small, sizeof small) == 12 && memcmp(small, "a\"b\\", 4) == 0, "truncated");
    CHECK(ph_json_get_string(&doc, 1, 0, 0) == 12, "measure");
    /* Keys with escapes are found by their unescaped text. */
    CHECK(parse(&doc, "{\"t\\u0079pe\":\"x\"}") == PH_OK && ph_json_find(&doc, 0, "type") == 2, "escaped key");
}

static void test_refusals(void)
{
    char deep[600];
    int n;
    refused("", 0, "unexpected end, expected a value");
    refused("  ", 2, "unexpected end, expected a value");
    refused("[1,]", 3, "expected a value");
    refused("[1 2]", 3, "expected , or ]");
    refused("{\"a\":1,}", 7, "expected a string key");
    refused("{\"a\" 1}", 5, "expected :");
    refused("{'a':1}", 1, "expected a string key");
    refused("{\"a\":1", 6, "expected , or }");
    refused("[1] x", 4, "text after the value");
    refused("tru", 0, "expected a value");
    refused("nul l", 0, "expected a value");
    refused("NaN", 0, "expected a value");
    refused("01", 1, "leading zero");
    refused("-", 1, "expected a digit");
    refused("+1", 0, "expected a value");
    refused("1.", 2, "expected a digit after .");
    refused(".5", 0, "expected a value");
    refused("1e", 2, "expected a digit in the exponent");
    refused("\"abc", 4, "unterminated string");
    refused("\"a\tb\"", 2, "control character in string");
    refused("\"\\x\"", 2, "bad escape");
    refused("\"\\u12g4\"", 5, "expected 4 hex digits");
    refused("\"\\u12", 5, "expected 4 hex digits");
    refused("\"\\ud83d\"", 1, "lone surrogate");
    refused("\"\\ud83dx\"", 1, "lone surrogate");
    refused("[\"\\ud83d\\u0041\"]", 2, "lone surrogate");
    refused("\"\\ude00\"", 1, "lone surrogate");
    refused("\"\\ud83d\\u12\"", 11, "expected 4 hex digits");
    refused("/* c */ 1", 0, "expected a value");
    refused("\"\xff\"", 1, "invalid UTF-8");
    refused("\"\xc0\xaf\"", 1, "invalid UTF-8");         /* overlong '/' */
    refused("\"\xe0\x80\xaf\"", 1, "invalid UTF-8");     /* overlong, 3 bytes */
    refused("\"\xed\xa0\x80\"", 1, "invalid UTF-8");     /* a surrogate, encoded */
    refused("\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8"); /* over U+10FFFF */
    refused("\"\xe2\x82\"", 1, "invalid UTF-8");         /* truncated */
    refused("\"\xe2\x82", 1, "invalid UTF-8");
    refused("\xef\xbb\xbf{}", 0, "expected a value");    /* no byte order mark */
    /* Nesting: 128 levels, not 129. */
    for (n = 0; n < 128; n++) deep[n] = '[';
    for (n = 0; n < 128; n++) deep[128 + n] = ']';
    deep[256] = 0;
    ok(deep);
    memmove(deep + 1, deep, 257);
    deep[0] = '[';
    deep[257] = ']';
    deep[258] = 0;
    refused(deep, 128, "nested too deeply");
}

static void test_capacity(void)
{
    ph_json doc;
    ph_json_tok few[3];
    CHECK(ph_json_parse(&doc, "[1,2]", 5, few, 3) == PH_OK && doc.count == 3, "fits");
    CHECK(ph_json_parse(&doc, "[1,2,3]", 7, few, 3) == PH_TOO_LARGE && doc.error_pos == 5, "%u", doc.error_pos);
    CHECK(ph_json_parse(&doc, "{\"a\":1,\"b\":2}", 13, few, 3) == PH_TOO_LARGE, "keys count");
    CHECK(ph_json_parse(&doc, "1", 1, few, 0) == PH_TOO_LARGE, "none");
}

static void test_numbers(void)
{
    static const char *exact[] = {"0", "-0", "1", "-1", "0.5", "0.1", "3.14159", "-2.5e3", "1e22", "1e-22",
                                  "123456789012345", "9007199254740992", "0.000123", "1E+2", "25e-1",
                                  "2.2250738585072014e-308"};
    static const char *close[] = {"0.30000000000000004", "1234567890123456789012", "5e-324", "1e-400",
                                  "123.456e-300", "9.999999999999999e307", "1.7976931348623157e308", "0.1e1000000000000"};
    ph_json doc;
    double d;
    int64_t i;
    size_t k;
    for (k = 0; k < sizeof exact / sizeof *exact; k++) {
        CHECK(parse(&doc, exact[k]) == PH_OK && ph_json_get_double(&doc, 0, &d) == PH_OK && d == strtod(exact[k], 0),
              "%s: %.17g", exact[k], d);
    }
    for (k = 0; k + 1 < sizeof close / sizeof *close; k++) {
        double want = strtod(close[k], 0);
        CHECK(parse(&doc, close[k]) == PH_OK && ph_json_get_double(&doc, 0, &d) == PH_OK &&
              (d == want || fabs(d - want) <= fabs(want) * 1e-15 || fabs(d - want) < 1e-320),
              "%s: %.17g, strtod %.17g", close[k], d, want);
    }
    CHECK(parse(&doc, "1e309") == PH_OK && ph_json_get_double(&doc, 0, &d) == PH_TOO_LARGE, "1e309");
    CHECK(parse(&doc, "0.1e1000000000000") == PH_OK && ph_json_get_double(&doc, 0, &d) == PH_TOO_LARGE, "huge exp");
    /* Integers: exact over the whole int64_t range, and only integers. */
    CHECK(parse(&doc, "9223372036854775807") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_OK && i == INT64_MAX, "max");
    CHECK(parse(&doc, "-9223372036854775808") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_OK && i == INT64_MIN, "min");
    CHECK(parse(&doc, "9223372036854775808") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_TOO_LARGE, "max+1");
    CHECK(parse(&doc, "-9223372036854775809") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_TOO_LARGE, "min-1");
    CHECK(parse(&doc, "12345678901234567890123") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_TOO_LARGE, "big");
    CHECK(parse(&doc, "1e19") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_TOO_LARGE, "1e19");
    CHECK(parse(&doc, "1e18") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_OK && i == 1000000000000000000, "1e18");
    CHECK(parse(&doc, "2.50e1") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_OK && i == 25, "2.50e1");
    CHECK(parse(&doc, "0.0e5") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_OK && i == 0, "0.0e5");
    CHECK(parse(&doc, "1.5") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_INVALID, "1.5");
    CHECK(parse(&doc, "1e-1") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_INVALID, "1e-1");
    CHECK(parse(&doc, "1234567890123456789.5") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_INVALID, "20 digits, .5");
    CHECK(parse(&doc, "1234567890123456789.0") == PH_OK && ph_json_get_i64(&doc, 0, &i) == PH_OK &&
          i == 1234567890123456789, "20 digits, .0");
}

static const char *written(ph_json_writer *j)
{
    static char out[512];
    if (!ph_writer_ok(&j->w)) return "(did not fit)";
    memcpy(out, j->w.buf, j->w.len);
    out[j->w.len] = 0;
    return out;
}

static void test_writer(void)
{
    uint8_t buf[256];
    ph_json_writer j = ph_json_writer_init(buf, sizeof buf), m;
    ph_json_begin_object(&j);
    ph_json_key(&j, "type");
    ph_json_put_cstring(&j, "message");
    ph_json_key(&j, "text");
    ph_json_put_string(&j, "q\"\\\n\x01\x7f\xc3\xa9\xf0\x9f\x98\x80", 12);
    ph_json_key(&j, "n");
    ph_json_begin_array(&j);
    ph_json_put_int(&j, 0);
    ph_json_put_int(&j, -42);
    ph_json_put_int(&j, INT64_MAX);
    ph_json_put_int(&j, INT64_MIN);
    ph_json_begin_object(&j);
    ph_json_end_object(&j);
    ph_json_begin_array(&j);
    ph_json_end_array(&j);
    ph_json_put_bool(&j, 1);
    ph_json_put_bool(&j, 0);
    ph_json_put_null(&j);
    ph_json_put_raw(&j, "{\"x\":[1]}", 9);
    ph_json_end_array(&j);
    ph_json_key(&j, "bad");
    ph_json_put_string(&j, "a\xff" "b\xe2\x82" "c\xed\xa0\x80", 9);
    ph_json_end_object(&j);
    CHECK(strcmp(written(&j), "{\"type\":\"message\",\"text\":\"q\\\"\\\\\\n\\u0001\x7f\xc3\xa9\xf0\x9f\x98\x80\","
                              "\"n\":[0,-42,9223372036854775807,-9223372036854775808,{},[],true,false,null,{\"x\":[1]}],"
                              "\"bad\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffd\"}") == 0,
          "%s", written(&j));
    /* A writer without a buffer measures; a small one says it did not fit. */
    m = ph_json_writer_init(0, 0);
    ph_json_begin_array(&m);
    ph_json_put_cstring(&m, "abc");
    ph_json_end_array(&m);
    CHECK(m.w.len == 7 && !ph_writer_ok(&m.w), "measured %u", m.w.len);
    m = ph_json_writer_init(buf, 6);
    ph_json_begin_array(&m);
    ph_json_put_cstring(&m, "abc");
    ph_json_end_array(&m);
    CHECK(m.w.len == 7 && !ph_writer_ok(&m.w), "small");
}

/* Random documents: written with the writer, read back and written again from the tokens, the
 * same text; random damage to them is refused or still JSON, never a crash (the sanitizers watch). */
static uint32_t seed = 12345;
static uint32_t rnd(uint32_t n)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
}

static void random_value(ph_json_writer *j, int depth)
{
    static const char *strs[] = {"", "a", "\"", "\\", "\n", "\x01", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "/"};
    uint32_t k, n;
    switch (rnd(depth > 4 ? 4 : 6)) {
    case 0: ph_json_put_null(j); break;
    case 1: ph_json_put_bool(j, (int)rnd(2)); break;
    case 2: ph_json_put_int(j, (int64_t)rnd(2000000) - 1000000); break;
    case 3: ph_json_put_cstring(j, strs[rnd(10)]); break;
    case 4:
        ph_json_begin_array(j);
        for (k = 0, n = rnd(4); k < n; k++) random_value(j, depth + 1);
        ph_json_end_array(j);
        break;
    default:
        ph_json_begin_object(j);
        for (k = 0, n = rnd(4); k < n; k++) {
            ph_json_key(j, strs[rnd(10)]);
            random_value(j, depth + 1);
        }
        ph_json_end_object(j);
    }
}

/* Writes token t of doc with the writer; returns the token after it. */
static uint32_t rewrite(const ph_json *doc, uint32_t t, ph_json_writer *j)
{
    static char s[1024];
    const ph_json_tok *tok = &doc->toks[t];
    uint32_t k, c;
    int32_t n;
    int64_t i;
    switch (tok->type) {
    case PH_JSON_STRING:
        n = ph_json_get_string(doc, (int32_t)t, s, sizeof s);
        ph_json_put_string(j, s, (uint32_t)n);
        return t + 1;
    case PH_JSON_NUMBER:
        ph_json_get_i64(doc, (int32_t)t, &i);
        ph_json_put_int(j, i);
        return t + 1;
    case PH_JSON_ARRAY:
        ph_json_begin_array(j);
        for (k = 0, c = t + 1; k < tok->count; k++) c = rewrite(doc, c, j);
        ph_json_end_array(j);
        return c;
    case PH_JSON_OBJECT:
        ph_json_begin_object(j);
        for (k = 0, c = t + 1; k < tok->count; k++) {
            n = ph_json_get_string(doc, (int32_t)c, s, sizeof s);
            ph_json_key(j, s); /* no NUL in these keys */
            c = rewrite(doc, c + 1, j);
        }
        ph_json_end_object(j);
        return c;
    default:
        ph_json_put_raw(j, doc->text + tok->start, tok->len);
        return t + 1;
    }
}

static void test_random(void)
{
    static uint8_t text[8192], again[8192];
    int round, bad = 0;
    for (round = 0; round < 3000; round++) {
        ph_json_writer j = ph_json_writer_init(text, sizeof text), k;
        ph_json doc;
        uint32_t end;
        random_value(&j, 0);
        if (!ph_writer_ok(&j.w)) continue;
        if (ph_json_parse(&doc, text, j.w.len, toks, sizeof toks / sizeof toks[0]) != PH_OK) {
            bad++;
            printf("not read back: %.*s (%s at %u)\n", (int)j.w.len, text, doc.error, doc.error_pos);
            continue;
        }
        k = ph_json_writer_init(again, sizeof again);
        end = rewrite(&doc, 0, &k);
        if (end != doc.count || k.w.len != j.w.len || memcmp(text, again, j.w.len) != 0) {
            bad++;
            printf("rewritten differently: %.*s\n", (int)j.w.len, text);
        }
        {
            static const char damage[] = "{}[]\",:\\u0 x-e.\xff";
            uint8_t *copy = malloc(j.w.len);
            memcpy(copy, text, j.w.len);
            copy[rnd(j.w.len)] = (uint8_t)damage[rnd(sizeof damage - 1)];
            (void)ph_json_parse(&doc, copy, j.w.len, toks, sizeof toks / sizeof toks[0]);
            free(copy);
        }
    }
    CHECK(bad == 0, "%d of 3000 random documents", bad);
}

int main(void)
{
    test_values();
    test_strings();
    test_refusals();
    test_capacity();
    test_numbers();
    test_writer();
    test_random();
    printf("json: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
