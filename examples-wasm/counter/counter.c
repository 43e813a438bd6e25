/*
 * counter: a count per room that survives restarts. Demonstrates a C party
 * built with wasi-libc (reactor; snprintf/strtoll from libc) that keeps its
 * state in room storage rather than in globals: every hook reads the count
 * from storage (reads are served from memory, so there is nothing to cache),
 * an increment writes it back in the same hook, and the reply leaves only
 * once that write is durable (the host's output gate). After a restart,
 * a trap or hibernation the count is simply still there.
 *
 *   HTTP GET  -> 200 {"count":N}
 *   HTTP POST -> increments, 200 {"count":N}
 *   other     -> 405
 *   WebSocket: on connect you get {"count":N}; the text message "inc"
 *   increments and broadcasts {"count":N} to every connection (sender too).
 *
 * Storage: the key "count" holds N in decimal; no key means 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partyhost.h"

#define COUNT_KEY "count"
#define COUNT_KEY_LEN (sizeof COUNT_KEY - 1)

/* The stored count into *count: 0, or a negative status. */
static int32_t load_count(long long *count)
{
    char buf[24];
    int32_t n = ph_storage_get(COUNT_KEY, COUNT_KEY_LEN, buf, sizeof buf - 1);
    *count = 0;
    if (n == PH_NOT_FOUND) return 0;
    if (n < 0) return n;
    if (n > (int32_t)sizeof buf - 1) return PH_INVALID; /* not a count we wrote */
    buf[n] = 0;
    *count = strtoll(buf, NULL, 10);
    return 0;
}

/* Adds one to the stored count; 0 and the new *count, or a negative status (nothing changed). */
static int32_t increment(long long *count)
{
    char buf[24];
    int n;
    int32_t r = load_count(count);
    if (r < 0) return r;
    n = snprintf(buf, sizeof buf, "%lld", *count + 1);
    r = ph_storage_put(COUNT_KEY, COUNT_KEY_LEN, buf, (uint32_t)n);
    if (r < 0) return r;
    ++*count;
    return 0;
}

/* Writes {"count":N} into buf (48 bytes are plenty) and returns its length. */
static uint32_t count_json(char *buf, uint32_t cap, long long count)
{
    ph_json_writer j = ph_json_writer_init(buf, cap);
    ph_json_begin_object(&j);
    ph_json_key(&j, "count");
    ph_json_put_int(&j, count);
    ph_json_end_object(&j);
    return ph_writer_ok(&j.w) ? j.w.len : 0;
}

static int on_connect(ph_conn conn, const ph_request *req)
{
    char buf[48];
    long long count;
    int32_t r = load_count(&count);
    (void)req;
    if (r < 0) return r; /* the host logs it and closes the connection with 1011 */
    ph_conn_send(conn, buf, count_json(buf, sizeof buf, count), PH_TEXT);
    return 0;
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    char buf[48];
    long long count;
    int32_t r;
    (void)conn;
    if (kind != PH_TEXT || len != 3 || memcmp(data, "inc", 3) != 0) return 0;
    r = increment(&count);
    if (r < 0) return r; /* logged by the host */
    ph_broadcast(buf, count_json(buf, sizeof buf, count), PH_TEXT, NULL, 0);
    return 0;
}

static int on_request(const ph_request *req)
{
    char buf[48];
    uint8_t headers[64];
    long long count;
    int32_t r;
    ph_writer w;

    if (ph_bytes_eq(req->method, "POST")) {
        r = increment(&count);
    } else if (ph_bytes_eq(req->method, "GET")) {
        r = load_count(&count);
    } else {
        w = ph_writer_init(headers, sizeof headers);
        ph_list_put_str(&w, "allow");
        ph_list_put_str(&w, "GET, POST");
        return ph_respond(405, headers, w.len, NULL, 0);
    }
    if (r < 0) return r; /* no response: the host answers 500 */
    return ph_respond_body(200, "application/json", buf, count_json(buf, sizeof buf, count));
}

PH_ON_CONNECT(on_connect)
PH_ON_MESSAGE(on_message)
PH_ON_REQUEST(on_request)
