/*
 * c-probe: drives the C SDK from the host's tests (SdkGuestsTest). Freestanding.
 *
 * - text message "assert N": PH_ASSERT(N < 10) (a trap for 10 and over), then echoes the message.
 */
#include "partyhost.h"

static int on_message(ph_conn conn, const uint8_t *data, uint32_t len, int kind)
{
    if (kind == PH_TEXT && len > 7 && ph_bytes_eq(ph_bytes_of(data, 7), "assert ")) {
        uint32_t n = 0, i;
        for (i = 7; i < len && data[i] >= '0' && data[i] <= '9'; i++) n = n * 10 + (data[i] - '0');
        PH_ASSERT(n < 10);
    }
    return ph_conn_send(conn, data, len, kind) < 0;
}

PH_ON_MESSAGE(on_message)
