/*
 * webhook: every text message sent to a room is posted to the operator's webhook, and its sender
 * is told how that went. Demonstrates outgoing HTTP from a C party (ABI v1.4): ph_http_call sends
 * the request once the hook returns, and the answer comes later to on_response, while the room
 * goes on serving.
 *
 * Configuration (the operator's, per party): the config value "url", an http(s) URL whose host
 * must also be on the party's allowlist (httpAllowlist); without both every message fails.
 *
 *   WebSocket text message T -> POST url with {"room":ROOM,"from":ID,"text":T}
 *                            -> the sender gets {"type":"delivered","status":S} once the webhook
 *                               answered S, or {"type":"failed","error":E,"reason":R}
 *   binary messages          -> ignored
 *
 * Built freestanding (no libc): the JSON comes from the SDK's writer.
 */
#include "partyhost.h"

/* Which connection each call in flight answers to. 16 is the host's default limit of calls in
 * flight per room; a call past it is refused at once (PH_BUSY) and its sender told. */
#define SLOTS 16
static int32_t slot_call[SLOTS];
static ph_conn slot_conn[SLOTS];

static void tell(ph_conn conn, const char *type, int32_t status, const void *reason, uint32_t reason_len)
{
    uint8_t buf[512];
    ph_json_writer j = ph_json_writer_init(buf, sizeof buf);
    ph_json_begin_object(&j);
    ph_json_key(&j, "type");
    ph_json_put_cstring(&j, type);
    if (status >= 0) {
        ph_json_key(&j, "status");
        ph_json_put_int(&j, status);
    } else {
        ph_json_key(&j, "error");
        ph_json_put_int(&j, status);
        ph_json_key(&j, "reason");
        ph_json_put_string(&j, reason, reason_len > 300 ? 300 : reason_len);
    }
    ph_json_end_object(&j);
    if (ph_writer_ok(&j.w)) ph_conn_send(conn, buf, j.w.len, PH_TEXT);
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    char url[2048], *room = 0, *from = 0;
    uint8_t *body;
    int32_t url_len, call, i;
    ph_json_writer j;
    if (kind != PH_TEXT) return 0;
    url_len = ph_config_get("url", 3, url, sizeof url - 1);
    if (url_len < 0 || url_len >= (int32_t)sizeof url) {
        tell(conn, "failed", PH_NOT_FOUND, "no webhook url configured", 25);
        return 0;
    }
    url[url_len] = 0;
    for (i = 0; i < SLOTS && slot_call[i] != 0; i++) {
    }
    if (i == SLOTS) {
        tell(conn, "failed", PH_BUSY, "too many messages on their way", 30);
        return 0;
    }
    /* {"room":..,"from":..,"text":..}: the text escaped, so 6 bytes per byte at most */
    body = ph_alloc(len * 6u + 1024u);
    if (!body || ph_room_id_dup(&room) < 0 || ph_conn_id_dup(conn, &from) < 0) {
        tell(conn, "failed", PH_TOO_LARGE, "out of memory", 13);
    } else {
        j = ph_json_writer_init(body, len * 6u + 1024u);
        ph_json_begin_object(&j);
        ph_json_key(&j, "room");
        ph_json_put_cstring(&j, room);
        ph_json_key(&j, "from");
        ph_json_put_cstring(&j, from);
        ph_json_key(&j, "text");
        ph_json_put_string(&j, data, len);
        ph_json_end_object(&j);
        call = ph_call_http_simple("POST", url, "application/json", body, j.w.len);
        if (call > 0) {
            slot_call[i] = call;
            slot_conn[i] = conn;
        } else {
            tell(conn, "failed", call, "the call was refused", 20);
        }
    }
    ph_free(body);
    ph_free(room);
    ph_free(from);
    return 0;
}

static int on_response(int32_t call, const ph_response *resp)
{
    int i;
    for (i = 0; i < SLOTS; i++) {
        if (slot_call[i] != call) continue;
        slot_call[i] = 0;
        /* The sender may have left meanwhile: the send then fails, and that is fine. */
        if (resp->status >= 0)
            tell(slot_conn[i], "delivered", resp->status, 0, 0);
        else
            tell(slot_conn[i], "failed", resp->status, resp->body.ptr, resp->body.len);
    }
    return 0;
}

/* An instance that starts afresh (after a hibernation, which waits for answers, or a reset,
 * which drops them) has no calls in flight: the slots start empty, as statics do. */
PH_ON_MESSAGE(on_message)
PH_ON_RESPONSE(on_response)
