/* Test guest "dice", for ReplayTest: a room whose answers depend on the clock and on random bytes,
 * so that a replay must serve them from the recording to come out the same.
 *
 *   on_connect      -> sends "hello N" (N: connections so far, counted in storage)
 *   "roll"          -> four random bytes (random_fill), stored under "last", broadcast as "rolled HEX at MS"
 *   "time"          -> "now MS" (now_ms) to the sender
 *   "alarm D"       -> alarm at now + D ms; on_alarm broadcasts "ding" and stores "dings"
 *   "bye"           -> closes the sender with 4000 "bye"
 *   "boom"          -> traps, two named functions deep (the replay shows them on the guest stack)
 *   POST            -> responds 200 "rolls N" with a random byte in a header
 *
 * Built with its function names (the name section), as clang leaves them. */
#include "partyhost.h"

static char out[256];
static uint32_t out_len;

static void emit(const char *s)
{
    while (*s && out_len < sizeof out) out[out_len++] = *s++;
}
static void emit_int(int64_t v)
{
    char d[24];
    int n = 0;
    uint64_t u = (uint64_t)v;
    do { d[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    while (n && out_len < sizeof out) out[out_len++] = d[--n];
}
static void emit_hex(const uint8_t *b, uint32_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (uint32_t i = 0; i < n && out_len + 2 <= sizeof out; i++) {
        out[out_len++] = digits[b[i] >> 4];
        out[out_len++] = digits[b[i] & 15];
    }
}

static int64_t counter(const char *key, int64_t add)
{
    int64_t v = 0;
    ph_storage_get(key, (uint32_t)ph_strlen(key), &v, sizeof v);
    v += add;
    ph_storage_put(key, (uint32_t)ph_strlen(key), &v, sizeof v);
    return v;
}

__attribute__((noinline)) static void explode_deeper(volatile int *depth)
{
    if (*depth >= 0) __builtin_trap();
}
__attribute__((noinline)) static void explode(void)
{
    volatile int depth = 1;
    explode_deeper(&depth);
}

static int on_connect(ph_conn conn, const ph_request *req)
{
    (void)req;
    out_len = 0;
    emit("hello ");
    emit_int(counter("connections", 1));
    return ph_conn_send(conn, out, out_len, PH_TEXT) < 0;
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    (void)kind;
    ph_bytes msg = ph_bytes_of(data, len);
    out_len = 0;
    if (ph_bytes_eq(msg, "roll")) {
        uint8_t r[4];
        if (ph_random_fill(r, sizeof r) != PH_OK) return 1;
        ph_storage_put("last", 4, r, sizeof r);
        emit("rolled ");
        emit_hex(r, sizeof r);
        emit(" at ");
        emit_int(ph_now_ms());
        return ph_broadcast(out, out_len, PH_TEXT, 0, 0) < 0;
    }
    if (ph_bytes_eq(msg, "time")) {
        emit("now ");
        emit_int(ph_now_ms());
        return ph_conn_send(conn, out, out_len, PH_TEXT) < 0;
    }
    if (len > 6 && data[0] == 'a' && data[5] == ' ') { /* "alarm D" */
        int64_t d = 0;
        for (uint32_t i = 6; i < len && data[i] >= '0' && data[i] <= '9'; i++) d = d * 10 + (data[i] - '0');
        return ph_alarm_set(ph_now_ms() + d) != PH_OK;
    }
    if (ph_bytes_eq(msg, "bye")) return ph_close_str(conn, 4000, "bye") != PH_OK;
    if (ph_bytes_eq(msg, "boom")) explode();
    return 0;
}

static int on_alarm(void)
{
    out_len = 0;
    emit("ding ");
    emit_int(counter("dings", 1));
    return ph_broadcast(out, out_len, PH_TEXT, 0, 0) < 0;
}

static int on_request(const ph_request *req)
{
    (void)req;
    uint8_t r[1];
    char header[3];
    static const char digits[] = "0123456789abcdef";
    ph_random_fill(r, 1);
    header[0] = digits[r[0] >> 4];
    header[1] = digits[r[0] & 15];
    header[2] = 0;
    out_len = 0;
    emit("rolls ");
    emit_int(counter("requests", 1));
    ph_request_set_header_str("x-unused", "1"); /* WRONG_HOOK here: an answer that is pure */
    ph_writer w = ph_writer_init(out + 128, 64);
    ph_list_put_str(&w, "x-roll");
    ph_list_put_str(&w, header);
    return ph_respond(200, out + 128, w.len, out, out_len) != PH_OK;
}

PH_ON_CONNECT(on_connect)
PH_ON_MESSAGE(on_message)
PH_ON_ALARM(on_alarm)
PH_ON_REQUEST(on_request)
