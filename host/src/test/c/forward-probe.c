/* Test guest "forward-probe": shows what a room sees of its clients, for ForwardingTest.
 *
 * - on connect: sends the connection "id ID", "uri URI" (the connection's URL), then "request"
 *   and the request record: its URL and one "name: value" line per header;
 * - text message "close CODE REASON": closes its sender with that code and reason;
 * - any other message comes back to its sender as it is (text as text, binary as binary);
 * - on close: tells every other connection "closed ID CODE REASON";
 * - HTTP: 200 (418 if the URL ends in "/teapot") with header "x-probe: yes" and a body of
 *   "METHOD URL", one "name: value" line per header, an empty line and the request body.
 * Freestanding. */
#include "partyhost.h"

int memcmp(const void *a, const void *b, size_t n); /* partyhost.c provides it freestanding */

static char out[16384];
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

/* "METHOD URL\n" (or "request URL\n") and the header lines, into out. */
static void emit_request(const ph_request *req, int with_method)
{
    ph_list_iter it = ph_list_iter_init(req->headers.ptr, req->headers.len);
    ph_bytes name, value;
    if (with_method) emit(req->method.ptr, req->method.len);
    else emit_str("request");
    emit_str(" ");
    emit(req->url.ptr, req->url.len);
    emit_str("\n");
    while (ph_header_next(&it, &name, &value) == 1) {
        emit(name.ptr, name.len);
        emit_str(": ");
        emit(value.ptr, value.len);
        emit_str("\n");
    }
}

static int on_connect(ph_conn conn, const ph_request *req)
{
    char buf[1024];
    int32_t n;
    out_len = 0;
    emit_str("id ");
    n = ph_conn_id(conn, buf, sizeof buf);
    if (n > 0 && n <= (int32_t)sizeof buf) emit(buf, (uint32_t)n);
    ph_conn_send(conn, out, out_len, PH_TEXT);
    out_len = 0;
    emit_str("uri ");
    n = ph_conn_uri(conn, buf, sizeof buf);
    if (n > 0 && n <= (int32_t)sizeof buf) emit(buf, (uint32_t)n);
    ph_conn_send(conn, out, out_len, PH_TEXT);
    out_len = 0;
    emit_request(req, 0);
    ph_conn_send(conn, out, out_len, PH_TEXT);
    return 0;
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    if (kind == PH_TEXT && len > 6 && memcmp(data, "close ", 6) == 0) {
        int32_t code = 0;
        uint32_t i = 6;
        while (i < len && data[i] >= '0' && data[i] <= '9') code = code * 10 + (data[i++] - '0');
        if (i < len) i++;
        ph_conn_close(conn, code, data + i, len - i);
        return 0;
    }
    ph_conn_send(conn, data, len, kind);
    return 0;
}

static int on_close(ph_conn conn, int code, const char *reason, uint32_t len)
{
    char buf[256];
    int32_t n = ph_conn_id(conn, buf, sizeof buf);
    out_len = 0;
    emit_str("closed ");
    if (n > 0 && n <= (int32_t)sizeof buf) emit(buf, (uint32_t)n);
    emit_str(" ");
    emit_int(code);
    emit_str(" ");
    emit(reason, len);
    ph_broadcast_except(out, out_len, PH_TEXT, conn);
    return 0;
}

static int on_request(const ph_request *req)
{
    uint8_t hb[64];
    ph_writer w = ph_writer_init(hb, sizeof hb);
    int teapot = req->url.len >= 7 && memcmp(req->url.ptr + req->url.len - 7, "/teapot", 7) == 0;
    out_len = 0;
    emit_request(req, 1);
    emit_str("\n");
    emit(req->body.ptr, req->body.len);
    ph_list_put_str(&w, "x-probe");
    ph_list_put_str(&w, "yes");
    ph_respond(teapot ? 418 : 200, hb, w.len, out, out_len);
    return 0;
}

PH_ON_CONNECT(on_connect)
PH_ON_MESSAGE(on_message)
PH_ON_CLOSE(on_close)
PH_ON_REQUEST(on_request)
