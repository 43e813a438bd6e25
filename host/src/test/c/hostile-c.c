/* Test guest "hostile-c": misbehaves on purpose, chosen by a parameter (HostileGuestsTest).
 *
 * WebSocket messages (on_message):
 *   loop | trap | recurse  -> never returns / traps / exhausts the stack
 *   grow                   -> memory.grow until it fails; "grew PAGES"
 *   badptr                 -> every host call with garbage pointers, lengths, handles and values;
 *                             "badptr ok N" (N checks) or "badptr FAIL name got X want Y ..."
 *   biglog N               -> one log line of N bytes ("<" then 'x's then ">"); "logged RC"
 *   storm                  -> broadcasts 1 MiB binary frames to the room until the host refuses one;
 *                             the count and the refusal's status are logged ("storm N RC") and kept
 *                             for "report" (with 8 connections, 8 frames spend the 64 MiB budget)
 *   report                 -> "storm N RC" from the last storm
 *   anything else          -> echoed to the sender
 * Room ids: "connect-loop..." / "connect-trap..." misbehave in on_connect (where badptr also
 * checks conn_set_tags), "close-loop..." / "close-trap..." in on_close, "alarm-loop..." /
 * "alarm-trap..." in on_alarm (armed by a request to ".../arm").
 * HTTP request paths ending in /loop, /trap, /badptr (respond with garbage first), /arm; else 200 "ok".
 */
#include "partyhost.h"

#define BAD ((void *)0xfffffff0u)   /* far past any memory this host grants */
#define WRAP ((void *)0xffffffffu)  /* with a large length, ptr + len wraps around 2^32 */

static char text[512];
static uint32_t text_len;
static int storm_count, storm_rc;
static int failures, checks;
static char room[64];

static void put(const char *s, uint32_t n) { while (n-- && text_len < sizeof text) text[text_len++] = *s++; }
static void puts_(const char *s) { put(s, (uint32_t)ph_strlen(s)); }
static void puti(int64_t v)
{
    char d[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
    if (v < 0) put("-", 1);
    do { d[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    while (n) put(&d[--n], 1);
}
static int starts(const char *s, uint32_t len, const char *prefix)
{
    uint32_t n = (uint32_t)ph_strlen(prefix);
    return len >= n && ph_bytes_eq(ph_bytes_of(s, n), prefix);
}
static int ends(const char *s, uint32_t len, const char *suffix)
{
    uint32_t n = (uint32_t)ph_strlen(suffix);
    return len >= n && ph_bytes_eq(ph_bytes_of(s + len - n, n), suffix);
}

/* --- misbehaviour --- */

static void loop_forever(void) { for (volatile int spin = 1; spin;) {} }

static volatile int depth_sink;
static int recurse(int depth)
{
    volatile char frame[64]; /* keeps each level on the stack, and the call not a tail call */
    if (depth < 0) return 0;  /* never: the stack runs out first */
    frame[depth & 63] = (char)depth;
    depth_sink = frame[depth & 63];
    return recurse(depth + 1) + frame[0];
}

static int misbehave(const char *what, uint32_t len)
{
    if (starts(what, len, "loop")) loop_forever();
    if (starts(what, len, "trap")) __builtin_trap();
    if (starts(what, len, "recurse")) return recurse(0);
    return 0;
}

/* --- garbage for every host call: each must answer a status, never trap the guest or fail the host --- */

static void check(const char *name, int32_t got, int32_t want)
{
    checks++;
    if (got == want) return;
    failures++;
    puts_(" ");
    puts_(name);
    puts_(" got ");
    puti(got);
    puts_(" want ");
    puti(want);
}

/* Every host call. `hook` is 'c' in on_connect, 'r' in on_request (no connection: conn is 0 and
 * the calls on connections are left out), 'm' in on_message. */
__attribute__((noinline)) static void bad_pointers(ph_conn conn, char hook)
{
    uint8_t *end = (uint8_t *)(__builtin_wasm_memory_size(0) * 65536u); /* one past the last byte */
    static uint8_t ok[16] = "k";
    static const uint8_t bogus_list[8] = {0xff, 0xff, 0xff, 0xff, 'x', 0, 0, 0}; /* item longer than the list */

    if (conn) {
    check("conn_send bad", ph_conn_send(conn, BAD, 16, PH_TEXT), PH_BAD_POINTER);
    check("conn_send wrap", ph_conn_send(conn, WRAP, 0xffffffffu, PH_TEXT), PH_BAD_POINTER);
    check("conn_send huge len", ph_conn_send(conn, 0, 0x80000000u, PH_BINARY), PH_BAD_POINTER);
    check("conn_send past end", ph_conn_send(conn, end - 3, 4, PH_BINARY), PH_BAD_POINTER);
    check("conn_send bad handle", ph_conn_send(-1, BAD, 16, PH_TEXT), PH_BAD_HANDLE);
    check("conn_send handle 0", ph_conn_send(0, ok, 1, PH_TEXT), PH_BAD_HANDLE);
    check("conn_send kind", ph_conn_send(conn, ok, 1, 7), PH_INVALID);
    check("broadcast bad", ph_broadcast(BAD, 16, PH_TEXT, 0, 0), PH_BAD_POINTER);
    check("broadcast exclude bad", ph_broadcast(ok, 1, PH_TEXT, BAD, 1), PH_BAD_POINTER);
    check("broadcast exclude count", ph_broadcast(ok, 1, PH_TEXT, (ph_conn *)ok, 0xffffffffu), PH_BAD_POINTER);
    check("broadcast exclude past end", ph_broadcast(ok, 1, PH_TEXT, (ph_conn *)(end - 4), 2), PH_BAD_POINTER);
    check("broadcast kind", ph_broadcast(ok, 1, -1, 0, 0), PH_INVALID);
    check("conn_close bad", ph_conn_close(conn, 1000, BAD, 16), PH_BAD_POINTER);
    check("conn_close code", ph_conn_close(conn, 1001, ok, 1), PH_INVALID);
    check("conn_close handle", ph_conn_close(0x7fffffff, 1000, BAD, 16), PH_BAD_HANDLE);
    check("conn_id bad", ph_conn_id(conn, BAD, 16), PH_BAD_POINTER);
    check("conn_id cap", ph_conn_id(conn, ok, 0xffffffffu), PH_BAD_POINTER);
    check("conn_uri bad", ph_conn_uri(conn, end - 1, 2), PH_BAD_POINTER);
    check("conn_find bad", ph_conn_find(BAD, 16), PH_BAD_POINTER);
    check("conn_state_get bad", ph_conn_state_get(conn, BAD, 16), PH_BAD_POINTER);
    check("conn_state_set bad", ph_conn_state_set(conn, WRAP, 2), PH_BAD_POINTER);
    check("conn_set_tags", ph_conn_set_tags(conn, BAD, 16), hook == 'c' ? PH_BAD_POINTER : PH_WRONG_HOOK);
    if (hook == 'c') check("conn_set_tags list", ph_conn_set_tags(conn, bogus_list, 8), PH_INVALID);
    check("conn_tags bad", ph_conn_tags(conn, BAD, 16), PH_BAD_POINTER);
    }
    check("conn_list tag", ph_conn_list(BAD, 16, 0, 0), PH_BAD_POINTER);
    check("conn_list out", ph_conn_list(0, 0, BAD, 16), PH_BAD_POINTER);
    check("room_id bad", ph_room_id(BAD, 16), PH_BAD_POINTER);
    check("party_name bad", ph_party_name(end, 1), PH_BAD_POINTER);
    check("respond headers", ph_respond(200, BAD, 16, 0, 0), hook == 'r' ? PH_BAD_POINTER : PH_WRONG_HOOK);
    check("respond body", ph_respond(200, 0, 0, WRAP, 2), hook == 'r' ? PH_BAD_POINTER : PH_WRONG_HOOK);
    if (hook == 'r') {
        check("respond list", ph_respond(200, bogus_list, 8, 0, 0), PH_INVALID);
        check("respond status", ph_respond(99, 0, 0, 0, 0), PH_INVALID);
    }
    check("config_get key", ph_config_get(BAD, 16, 0, 0), PH_BAD_POINTER);
    check("config_get out", ph_config_get(ok, 1, BAD, 16), PH_BAD_POINTER);
    check("log bad", ph_log(PH_LOG_INFO, BAD, 16), PH_BAD_POINTER);
    check("log level", ph_log(9, ok, 1), PH_INVALID);
    check("log level negative", ph_log(-1, ok, 1), PH_INVALID);
    check("random_fill bad", ph_random_fill(BAD, 16), PH_BAD_POINTER);
    check("random_fill past end", ph_random_fill(end - 8, 16), PH_BAD_POINTER);
    check("random_fill empty", ph_random_fill(BAD, 0), PH_OK); /* an empty view is always valid */
    check("storage_get key", ph_storage_get(BAD, 16, 0, 0), PH_BAD_POINTER);
    check("storage_get out", ph_storage_get(ok, 1, BAD, 16), PH_BAD_POINTER);
    check("storage_get empty key", ph_storage_get(BAD, 0, 0, 0), PH_NOT_FOUND);
    check("storage_put key", ph_storage_put(BAD, 16, ok, 1), PH_BAD_POINTER);
    check("storage_put value", ph_storage_put(ok, 1, WRAP, 0x10), PH_BAD_POINTER);
    check("storage_put huge value", ph_storage_put(ok, 1, 0, 0xfffffff0u), PH_BAD_POINTER);
    check("storage_put_many bad", ph_storage_put_many(BAD, 16), PH_BAD_POINTER);
    check("storage_put_many list", ph_storage_put_many(bogus_list, 8), PH_INVALID);
    check("storage_delete bad", ph_storage_delete(BAD, 16), PH_BAD_POINTER);
    check("storage_delete_many bad", ph_storage_delete_many(end - 2, 4), PH_BAD_POINTER);
    check("storage_delete_many list", ph_storage_delete_many(bogus_list, 8), PH_INVALID);
    check("storage_list prefix", ph_storage_list(BAD, 16, 0, 0, 0, 0, 0, 0, 0, 0), PH_BAD_POINTER);
    check("storage_list start", ph_storage_list(0, 0, BAD, 16, 0, 0, 0, 0, 0, 0), PH_BAD_POINTER);
    check("storage_list end", ph_storage_list(0, 0, 0, 0, BAD, 16, 0, 0, 0, 0), PH_BAD_POINTER);
    check("storage_list out", ph_storage_list(0, 0, 0, 0, 0, 0, 0, 0, BAD, 16), PH_BAD_POINTER);
    check("storage_list reverse", ph_storage_list(0, 0, 0, 0, 0, 0, -1, 7, 0, 0), PH_INVALID);
    check("alarm_get bad", ph_alarm_get(BAD), PH_BAD_POINTER);
    check("alarm_get past end", ph_alarm_get((int64_t *)(end - 4)), PH_BAD_POINTER);
    /* Garbage times are accepted (a past time fires at once); the last one stands. */
    check("alarm_set max", ph_alarm_set(INT64_MAX), PH_OK);
    check("alarm_set min", ph_alarm_set(INT64_MIN), PH_OK);
    check("alarm_delete", ph_alarm_delete(), PH_OK);
}

static void report_checks(void)
{
    text_len = 0;
    puts_(failures ? "badptr FAIL" : "badptr ok ");
    if (!failures) puti(checks);
}

/* --- hooks --- */

static int on_start(void)
{
    int32_t n = ph_room_id(room, sizeof room - 1);
    if (n > 0 && n < (int32_t)sizeof room) room[n] = 0;
    return 0;
}

static int on_connect(ph_conn conn, const ph_request *req)
{
    (void)req;
    uint32_t n = (uint32_t)ph_strlen(room);
    if (starts(room, n, "connect-")) {
        misbehave(room + 8, n - 8);
        if (starts(room + 8, n - 8, "badptr")) {
            checks = failures = 0;
            text_len = 0;
            bad_pointers(conn, 'c');
            uint32_t detail = text_len;
            char saved[sizeof text];
            for (uint32_t i = 0; i < detail; i++) saved[i] = text[i];
            report_checks();
            put(saved, detail);
            ph_conn_send(conn, text, text_len, PH_TEXT);
        }
    }
    return 0;
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    const char *s = (const char *)data;
    misbehave(s, len);
    text_len = 0;
    if (ph_bytes_eq(ph_bytes_of(s, len), "grow")) {
        while (__builtin_wasm_memory_grow(0, 16) != (size_t)-1) {}
        while (__builtin_wasm_memory_grow(0, 1) != (size_t)-1) {}
        puts_("grew ");
        puti((int64_t)__builtin_wasm_memory_size(0));
    } else if (ph_bytes_eq(ph_bytes_of(s, len), "badptr")) {
        checks = failures = 0;
        bad_pointers(conn, 'm');
        uint32_t detail = text_len;
        char saved[sizeof text];
        for (uint32_t i = 0; i < detail; i++) saved[i] = text[i];
        report_checks();
        put(saved, detail);
    } else if (starts(s, len, "log ")) {
        /* The rest, as it came (control characters and all), as one log line. */
        puts_("logged ");
        puti(ph_log(PH_LOG_INFO, s + 4, len - 4));
    } else if (starts(s, len, "logmany ")) {
        /* N lines of 1 KiB in one hook: the hook's log budget must hold. */
        int64_t n = 0;
        static char line[1024];
        for (uint32_t i = 8; i < len && s[i] >= '0' && s[i] <= '9'; i++) n = n * 10 + (s[i] - '0');
        for (uint32_t i = 0; i < sizeof line; i++) line[i] = 'l';
        for (int64_t i = 0; i < n; i++) ph_log(PH_LOG_INFO, line, sizeof line);
        puts_("logged many");
    } else if (starts(s, len, "biglog ")) {
        int64_t n = 0;
        for (uint32_t i = 7; i < len && s[i] >= '0' && s[i] <= '9'; i++) n = n * 10 + (s[i] - '0');
        char *line = ph_alloc((size_t)n);
        if (!line) return 1;
        for (int64_t i = 0; i < n; i++) line[i] = 'x';
        line[0] = '<';
        line[n - 1] = '>';
        puts_("logged ");
        puti(ph_log(PH_LOG_INFO, line, (uint32_t)n));
        ph_free(line);
    } else if (starts(s, len, "exclude ")) {
        /* One broadcast that excludes N handles, all 0 (no connection's): its cost must be bounded by
         * the list plus the room, and the deadline must be able to stop it. */
        int64_t n = 0;
        for (uint32_t i = 8; i < len && s[i] >= '0' && s[i] <= '9'; i++) n = n * 10 + (s[i] - '0');
        ph_conn *none = ph_alloc((size_t)n * sizeof(ph_conn));
        if (!none) return 1;
        puts_("excluded ");
        puti(ph_broadcast("x", 1, PH_TEXT, none, (uint32_t)n));
        ph_free(none);
    } else if (ph_bytes_eq(ph_bytes_of(s, len), "storm")) {
        static uint8_t frame[1024 * 1024]; /* zeros */
        storm_count = 0;
        for (;;) {
            int32_t rc = ph_broadcast(frame, sizeof frame, PH_BINARY, 0, 0);
            if (rc < 0) { storm_rc = rc; break; }
            storm_count++;
        }
        puts_("storm ");
        puti(storm_count);
        puts_(" ");
        puti(storm_rc);
        ph_log(PH_LOG_INFO, text, text_len);
        return 0; /* no reply: this hook's budget is spent (it would get TOO_LARGE) */
    } else if (ph_bytes_eq(ph_bytes_of(s, len), "report")) {
        puts_("storm ");
        puti(storm_count);
        puts_(" ");
        puti(storm_rc);
    } else {
        return ph_conn_send(conn, data, len, kind) < 0;
    }
    return ph_conn_send(conn, text, text_len, PH_TEXT) < 0;
}

static int on_close(ph_conn conn, int code, const char *reason, uint32_t len)
{
    (void)conn; (void)code; (void)reason; (void)len;
    uint32_t n = (uint32_t)ph_strlen(room);
    if (starts(room, n, "close-")) misbehave(room + 6, n - 6);
    return 0;
}

static int on_request(const ph_request *req)
{
    const char *url = (const char *)req->url.ptr;
    uint32_t n = req->url.len;
    for (uint32_t i = 0; i < n; i++) if (url[i] == '?') { n = i; break; }
    text_len = 0;
    if (ends(url, n, "/loop")) loop_forever();
    if (ends(url, n, "/trap")) __builtin_trap();
    if (ends(url, n, "/recurse")) recurse(0);
    if (ends(url, n, "/arm")) {
        ph_alarm_set(0); /* due at once */
        return ph_respond_text(200, "text/plain", "armed") < 0;
    }
    if (ends(url, n, "/badptr")) {
        checks = failures = 0;
        bad_pointers(0, 'r');
        uint32_t detail = text_len;
        char saved[sizeof text];
        for (uint32_t i = 0; i < detail; i++) saved[i] = text[i];
        report_checks();
        put(saved, detail);
        return ph_respond_body(200, "text/plain", text, text_len) < 0; /* replaces the garbage responses */
    }
    return ph_respond_text(200, "text/plain", "ok") < 0;
}

static int on_alarm(void)
{
    uint32_t n = (uint32_t)ph_strlen(room);
    if (starts(room, n, "alarm-")) misbehave(room + 6, n - 6);
    return 0;
}

PH_ON_START(on_start)
PH_ON_CONNECT(on_connect)
PH_ON_MESSAGE(on_message)
PH_ON_CLOSE(on_close)
PH_ON_REQUEST(on_request)
PH_ON_ALARM(on_alarm)
