/*
 * counter: an in-memory count per room. Built with wasi-libc (reactor).
 *
 *   HTTP GET  -> 200 {"count":N}
 *   HTTP POST -> increments, 200 {"count":N}
 *   other     -> 405
 *   WebSocket: on connect you get {"count":N}; the text message "inc"
 *   increments and broadcasts {"count":N} to every connection (sender too).
 */
#include <stdio.h>
#include <string.h>

#include "partyhost.h"

static long long count;

/* Formats {"count":N} into buf and returns its length. */
static uint32_t count_json(char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "{\"count\":%lld}", count);
    return n < 0 ? 0 : (uint32_t)n;
}

static int on_connect(ph_conn conn, const ph_request *req)
{
    char buf[48];
    (void)req;
    ph_conn_send(conn, buf, count_json(buf, sizeof buf), PH_TEXT);
    return 0;
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    char buf[48];
    (void)conn;
    if (kind != PH_TEXT || len != 3 || memcmp(data, "inc", 3) != 0) return 0;
    count++;
    ph_broadcast(buf, count_json(buf, sizeof buf), PH_TEXT, NULL, 0);
    return 0;
}

static int on_request(const ph_request *req)
{
    char buf[48];
    uint8_t headers[64];
    ph_writer w;

    if (ph_bytes_eq(req->method, "POST")) {
        count++;
    } else if (!ph_bytes_eq(req->method, "GET")) {
        w = ph_writer_init(headers, sizeof headers);
        ph_list_put_str(&w, "allow");
        ph_list_put_str(&w, "GET, POST");
        return ph_respond(405, headers, w.len, NULL, 0);
    }
    return ph_respond_body(200, "application/json", buf, count_json(buf, sizeof buf));
}

PH_ON_CONNECT(on_connect)
PH_ON_MESSAGE(on_message)
PH_ON_REQUEST(on_request)
