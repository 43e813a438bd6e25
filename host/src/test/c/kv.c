/* Test guest "kv": drives the room's storage and alarm from text commands, for the host's storage
 * tests. Each WebSocket message is one command; the reply goes to the sender (and passes the output
 * gate like any frame). POST bodies are commands too, answered in the response body; GET lists
 * every entry as "key=value" lines.
 *
 *   put K V      -> "put RC"            get K      -> "get VALUE" or "get ?RC"
 *   del K        -> "del RC"            list P     -> "list K1,K2,..." (keys with prefix P)
 *   big K N      -> "big RC" (a value of N bytes)
 *   trap K V     -> puts, then traps (nothing must remain)
 *   w N          -> puts a:N and b:N, then "ok N" (two writes that must land together)
 *   alarm D      -> alarm at now + D ms, "alarm RC"
 *   failuntil T  -> on_alarm fails while now < T (epoch ms): it traps, or with "failrc" set,
 *                   returns 1 (an error without a trap)
 *   failrc       -> on_alarm fails by returning 1 instead of trapping
 *   alarmget     -> "alarmget T" or "alarmget ?RC"
 *   alarmat T    -> alarm at T (epoch ms, 0 allowed), remembered, "alarmat RC"
 *   rearm N      -> the next N runs of on_alarm set the alarm to that remembered time again
 *   state S      -> connection state := S, "state RC";  whoami -> "whoami STATE"
 *   starts       -> "starts N": how many times on_start ran (counted in storage)
 *
 * on_alarm counts its successful runs in key "alarms" and broadcasts "alarm N". */
#include "partyhost.h"

static char out[4096];
static uint32_t out_len;

static void emit(const void *p, uint32_t n)
{
    const char *s = p;
    while (n-- && out_len < sizeof out) out[out_len++] = *s++;
}
static void emit_str(const char *s) { emit(s, (uint32_t)ph_strlen(s)); }
static void emit_int(int64_t v)
{
    char d[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)(-v) : (uint64_t)v;
    if (v < 0) emit("-", 1);
    do { d[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    while (n) emit(&d[--n], 1);
}

static int64_t parse_int(ph_bytes b)
{
    int64_t v = 0;
    uint32_t i = 0;
    int neg = b.len > 0 && b.ptr[0] == '-';
    for (i = neg; i < b.len && b.ptr[i] >= '0' && b.ptr[i] <= '9'; i++) v = v * 10 + (b.ptr[i] - '0');
    return neg ? -v : v;
}

/* Splits off the next space-separated word of *rest. */
static ph_bytes word(ph_bytes *rest)
{
    uint32_t i = 0;
    ph_bytes w;
    while (i < rest->len && rest->ptr[i] != ' ') i++;
    w = ph_bytes_of(rest->ptr, i);
    if (i < rest->len) i++;
    *rest = ph_bytes_of(rest->ptr + i, rest->len - i);
    return w;
}

static int64_t get_int(const char *key)
{
    char buf[24];
    int32_t n = ph_storage_get(key, (uint32_t)ph_strlen(key), buf, sizeof buf - 1);
    if (n < 0 || n >= (int32_t)sizeof buf) return 0;
    return parse_int(ph_bytes_of(buf, (uint32_t)n));
}

static void put_int(const char *key, int64_t v)
{
    uint32_t mark = out_len;
    emit_int(v);
    ph_storage_put(key, (uint32_t)ph_strlen(key), out + mark, out_len - mark);
    out_len = mark;
}

/* Runs one command; the reply is left in out. */
static void command(ph_conn conn, ph_bytes cmd)
{
    ph_bytes rest = cmd, verb = word(&rest);
    out_len = 0;
    emit(verb.ptr, verb.len);
    emit(" ", 1);
    if (ph_bytes_eq(verb, "put") || ph_bytes_eq(verb, "trap")) {
        ph_bytes k = word(&rest);
        int32_t rc = ph_storage_put(k.ptr, k.len, rest.ptr, rest.len);
        if (ph_bytes_eq(verb, "trap")) __builtin_trap();
        emit_int(rc);
    } else if (ph_bytes_eq(verb, "get")) {
        char *v = 0;
        int32_t n = ph_storage_get_dup(rest.ptr, rest.len, &v);
        if (n < 0) { emit("?", 1); emit_int(n); } else emit(v, (uint32_t)n);
        ph_free(v);
    } else if (ph_bytes_eq(verb, "del")) {
        emit_int(ph_storage_delete(rest.ptr, rest.len));
    } else if (ph_bytes_eq(verb, "list")) {
        char *list = 0;
        int32_t n = ph_storage_list_dup(rest.ptr, rest.len, 0, 0, &list);
        if (n < 0) { emit("?", 1); emit_int(n); }
        else {
            ph_list_iter it = ph_list_iter_init(list, (uint32_t)n);
            ph_bytes k, v;
            int first = 1;
            while (ph_list_next(&it, &k) == 1 && ph_list_next(&it, &v) == 1) {
                if (!first) emit(",", 1);
                emit(k.ptr, k.len);
                first = 0;
            }
        }
        ph_free(list);
    } else if (ph_bytes_eq(verb, "big")) {
        ph_bytes k = word(&rest);
        uint32_t n = (uint32_t)parse_int(rest);
        uint8_t *v = ph_alloc(n ? n : 1);
        uint32_t i;
        for (i = 0; i < n; i++) v[i] = 'x';
        emit_int(v ? ph_storage_put(k.ptr, k.len, v, n) : -100);
        ph_free(v);
    } else if (ph_bytes_eq(verb, "w")) {
        char key[32];
        uint32_t mark = out_len, i;
        int32_t r1, r2;
        emit_str("a:");
        emit(rest.ptr, rest.len);
        for (i = 0; i < out_len - mark; i++) key[i] = out[mark + i];
        r1 = ph_storage_put(key, out_len - mark, rest.ptr, rest.len);
        key[0] = 'b';
        r2 = ph_storage_put(key, out_len - mark, rest.ptr, rest.len);
        out_len = 0;
        emit_str(r1 == 0 && r2 == 0 ? "ok " : "failed ");
        emit(rest.ptr, rest.len);
    } else if (ph_bytes_eq(verb, "alarm")) {
        emit_int(ph_alarm_set(ph_now_ms() + parse_int(rest)));
    } else if (ph_bytes_eq(verb, "alarmat")) {
        put_int("alarm-at", parse_int(rest));
        emit_int(ph_alarm_set(parse_int(rest)));
    } else if (ph_bytes_eq(verb, "rearm")) {
        put_int("rearm", parse_int(rest));
        emit_int(0);
    } else if (ph_bytes_eq(verb, "alarmget")) {
        int64_t at = 0;
        int32_t rc = ph_alarm_get(&at);
        if (rc < 0) { emit("?", 1); emit_int(rc); } else emit_int(at);
    } else if (ph_bytes_eq(verb, "failrc")) {
        emit_int(ph_storage_put_str("fail-rc", "1"));
    } else if (ph_bytes_eq(verb, "failuntil")) {
        put_int("fail-until", parse_int(rest));
        emit_int(0);
    } else if (ph_bytes_eq(verb, "state")) {
        emit_int(conn ? ph_conn_state_set(conn, rest.ptr, rest.len) : PH_BAD_HANDLE);
    } else if (ph_bytes_eq(verb, "whoami")) {
        char *s = 0;
        int32_t n = conn ? ph_conn_state_dup(conn, &s) : PH_BAD_HANDLE;
        if (n < 0) { emit("?", 1); emit_int(n); } else emit(s, (uint32_t)n);
        ph_free(s);
    } else if (ph_bytes_eq(verb, "starts")) {
        emit_int(get_int("starts"));
    } else {
        emit_str("unknown");
    }
}

static int on_start(void)
{
    put_int("starts", get_int("starts") + 1);
    return 0;
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    (void)kind;
    command(conn, ph_bytes_of(data, len));
    return ph_conn_send(conn, out, out_len, PH_TEXT) < 0;
}

static int on_request(const ph_request *req)
{
    if (ph_bytes_eq(req->method, "POST")) {
        command(0, req->body);
        return ph_respond_body(200, "text/plain", out, out_len) < 0;
    }
    /* Every entry as "key=value\n" (values cut at 64 bytes): never longer than the list itself. */
    char *list = 0, *body;
    uint32_t len = 0;
    int32_t n = ph_storage_list_dup("", 0, 0, 0, &list), rc;
    body = ph_alloc(n > 0 ? (uint32_t)n : 1);
    if (n > 0 && body) {
        ph_list_iter it = ph_list_iter_init(list, (uint32_t)n);
        ph_bytes k, v;
        while (ph_list_next(&it, &k) == 1 && ph_list_next(&it, &v) == 1) {
            uint32_t i, vl = v.len < 64 ? v.len : 64;
            for (i = 0; i < k.len; i++) body[len++] = (char)k.ptr[i];
            body[len++] = '=';
            for (i = 0; i < vl; i++) body[len++] = (char)v.ptr[i];
            body[len++] = '\n';
        }
    }
    rc = ph_respond_body(200, "text/plain", body, len);
    ph_free(list);
    ph_free(body);
    return rc < 0;
}

static int on_alarm(void)
{
    int64_t n;
    ph_log_str(PH_LOG_INFO, "alarm hook runs");
    if (ph_now_ms() < get_int("fail-until")) {
        if (get_int("fail-rc")) return 1;
        __builtin_trap();
    }
    n = get_int("alarms") + 1;
    put_int("alarms", n);
    if (get_int("rearm") > 0) { /* the time that just fired, again */
        put_int("rearm", get_int("rearm") - 1);
        ph_alarm_set(get_int("alarm-at"));
    }
    out_len = 0;
    emit_str("alarm ");
    emit_int(n);
    ph_broadcast(out, out_len, PH_TEXT, 0, 0);
    return 0;
}

PH_ON_START(on_start)
PH_ON_MESSAGE(on_message)
PH_ON_REQUEST(on_request)
PH_ON_ALARM(on_alarm)
