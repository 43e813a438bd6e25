/*
 * c-probe: drives the C SDK from the host's tests (SdkGuestsTest). Freestanding.
 *
 * - text message "assert N": PH_ASSERT(N < 10) (a trap for 10 and over), then echoes the message;
 * - text message "json TEXT": parses TEXT, answers "ok " and the value written back with the JSON
 *   writer, or "error WHY at byte N" (the same answers as rust-probe's);
 * - any other message comes back as it is.
 */
#include "partyhost.h"

static ph_json_tok toks[512];
static uint8_t out[8192];
static char str[4096];

/* Writes token t of doc again; returns the token after it. */
static uint32_t rewrite(const ph_json *doc, uint32_t t, ph_json_writer *j)
{
    const ph_json_tok *tok = &doc->toks[t];
    uint32_t k, c;
    int32_t n;
    switch (tok->type) {
    case PH_JSON_STRING:
        n = ph_json_get_string(doc, (int32_t)t, str, sizeof str);
        ph_json_put_string(j, str, n < (int32_t)sizeof str ? (uint32_t)n : 0);
        return t + 1;
    case PH_JSON_ARRAY:
    case PH_JSON_OBJECT:
        if (tok->type == PH_JSON_ARRAY) ph_json_begin_array(j);
        else ph_json_begin_object(j);
        for (k = 0, c = t + 1; k < tok->count; k++) {
            if (tok->type == PH_JSON_OBJECT) {
                ph_json_get_string(doc, (int32_t)c, str, sizeof str);
                ph_json_key(j, str);
                c++;
            }
            c = rewrite(doc, c, j);
        }
        if (tok->type == PH_JSON_ARRAY) ph_json_end_array(j);
        else ph_json_end_object(j);
        return c;
    default: /* numbers and literals as they were written */
        ph_json_put_raw(j, doc->text + tok->start, tok->len);
        return t + 1;
    }
}

static int json(ph_conn conn, const uint8_t *text, uint32_t len)
{
    ph_json doc;
    ph_writer w = ph_writer_init(out, sizeof out);
    if (ph_json_parse(&doc, text, len, toks, sizeof toks / sizeof toks[0]) == PH_OK) {
        ph_json_writer j = ph_json_writer_init(out + 3, sizeof out - 3);
        ph_writer_put(&w, "ok ", 3);
        rewrite(&doc, 0, &j);
        w.len += j.w.len;
        if (!ph_writer_ok(&j.w)) w.len = sizeof out + 1;
    } else {
        char digits[10];
        uint32_t n = 0, pos = doc.error_pos;
        do digits[n++] = (char)('0' + pos % 10); while ((pos /= 10) != 0);
        ph_writer_put(&w, "error ", 6);
        ph_writer_put(&w, doc.error, (uint32_t)ph_strlen(doc.error));
        ph_writer_put(&w, " at byte ", 9);
        while (n) ph_writer_put(&w, &digits[--n], 1);
    }
    PH_ASSERT(ph_writer_ok(&w));
    return ph_conn_send(conn, out, w.len, PH_TEXT) < 0;
}

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    if (kind == PH_TEXT && len > 7 && ph_bytes_eq(ph_bytes_of(data, 7), "assert ")) {
        uint32_t n = 0, i;
        for (i = 7; i < len && data[i] >= '0' && data[i] <= '9'; i++) n = n * 10 + (data[i] - '0');
        PH_ASSERT(n < 10);
    }
    if (kind == PH_TEXT && len >= 5 && ph_bytes_eq(ph_bytes_of(data, 5), "json ")) return json(conn, data + 5, len - 5);
    return ph_conn_send(conn, data, len, kind) < 0;
}

PH_ON_MESSAGE(on_message)
