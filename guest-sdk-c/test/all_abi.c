/*
 * Uses every ABI v1 import (v1.4: all 31) and exports every hook, so that the module's
 * import/export signatures can be compared with abi/v1/abi.json. Not a
 * useful party. Build it like relay-c (freestanding).
 */
#include "partyhost.h"

static volatile int32_t sink;

static int start(void) { return 0; }
static int alarm(void) { return 0; }

static int connect(ph_conn c, const ph_request *req)
{
    uint8_t tags[32], buf[64];
    int64_t t;
    ph_conn list[8];
    ph_writer w = ph_writer_init(tags, sizeof tags);
    char *s;
    ph_list_put_str(&w, "blue");
    sink = ph_conn_set_tags(c, tags, w.len);
    sink = ph_conn_send(c, req->url.ptr, req->url.len, PH_TEXT);
    sink = ph_broadcast("x", 1, PH_TEXT, &c, 1);
    sink = ph_conn_close(c, 4001, "no", 2);
    sink = ph_conn_id(c, buf, sizeof buf);
    sink = ph_conn_uri(c, buf, sizeof buf);
    sink = ph_conn_find("id", 2);
    sink = ph_conn_state_get(c, buf, sizeof buf);
    sink = ph_conn_state_set(c, "s", 1);
    sink = ph_conn_tags(c, buf, sizeof buf);
    sink = ph_conn_list("blue", 4, list, sizeof list);
    sink = ph_room_id(buf, sizeof buf);
    sink = ph_party_name(buf, sizeof buf);
    sink = ph_respond(200, 0, 0, "ok", 2);
    sink = ph_config_get("k", 1, buf, sizeof buf);
    sink = ph_log(PH_LOG_INFO, "hi", 2);
    sink = (int32_t)ph_now_ms();
    sink = ph_random_fill(buf, sizeof buf);
    sink = ph_storage_get("k", 1, buf, sizeof buf);
    sink = ph_storage_put("k", 1, "v", 1);
    w = ph_writer_init(buf, sizeof buf);
    ph_list_put_str(&w, "k");
    ph_list_put_str(&w, "v");
    sink = ph_storage_put_many(buf, w.len);
    sink = ph_storage_delete("k", 1);
    sink = ph_storage_delete_many(buf, 5); /* ["k"] */
    {
        ph_entry e[2];
        ph_bytes keys[2];
        e[0].key = keys[0] = ph_bytes_str("a");
        e[1].key = keys[1] = ph_bytes_str("b");
        e[0].value = e[1].value = ph_bytes_of(req->url.ptr, req->url.len);
        sink = ph_storage_put_entries(e, 2);
        sink = ph_storage_delete_keys(keys, 2);
    }
    sink = ph_storage_list("", 0, "", 0, "", 0, 10, 0, buf, sizeof buf);
    sink = ph_storage_delete_all();
    sink = ph_alarm_set(ph_now_ms() + 1000);
    sink = ph_alarm_get(&t);
    sink = ph_alarm_delete();
    sink = ph_call_room_simple("chat", "r", "GET", "/", 0, 0, 0);
    sink = ph_call_http_simple("GET", "https://example.com/", 0, 0, 0);
    if (ph_room_id_dup(&s) >= 0) ph_free(s);
    if (ph_storage_list_dup("", 0, 0, 0, &s) >= 0) ph_free(s);
    return 0;
}

static int message(ph_conn c, const uint8_t *d, uint32_t n, int k) { return ph_conn_send(c, d, n, k); }
static int close_(ph_conn c, int code, const char *r, uint32_t n) { (void)c; (void)code; return ph_log(0, r, n); }
static int error(ph_conn c, const char *m, uint32_t n) { (void)c; return ph_log(3, m, n); }
static int request(const ph_request *req) { return ph_respond_body(200, "text/plain", req->body.ptr, req->body.len); }
static int response(int32_t call, const ph_response *resp) { (void)call; return ph_log(1, resp->body.ptr, resp->body.len); }

static int before_connect(const ph_request *req)
{
    (void)req;
    return ph_request_set_header_str("x-all-abi", "connect") < 0;
}

static int before_request(const ph_request *req)
{
    if (ph_request_set_header("x-all-abi", 9, req->method.ptr, req->method.len) < 0)
        return ph_respond_text(400, "text/plain", "bad method") < 0;
    return 0;
}

PH_ON_START(start)
PH_ON_CONNECT(connect)
PH_ON_MESSAGE(message)
PH_ON_CLOSE(close_)
PH_ON_ERROR(error)
PH_ON_REQUEST(request)
PH_ON_ALARM(alarm)
PH_ON_RESPONSE(response)
PH_ON_BEFORE_CONNECT(before_connect)
PH_ON_BEFORE_REQUEST(before_request)
