package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.runtime.HostFunction;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.support.TestHost;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How much linear memory a relay room's instance holds: a room's heap on the host is mostly its guest's
 * memory, so the SDKs' allocators must use the page a module starts with before they grow it.
 */
class GuestMemoryTest {
  /** The example relays, loaded by the host's loader; every host call but broadcast answers NOT_IMPLEMENTED. */
  private static Guest relay(String party) throws Exception {
    byte[] bytes = Files.readAllBytes(TestHost.wasm("wasm", party));
    GuestModule module = GuestModule.load(bytes, ExecutionMode.INTERPRETED, 1 << 24, 256);
    List<HostFunction> calls = new ArrayList<>();
    Abi.IMPORTS.forEach(
        (name, type) ->
            calls.add(
                new HostFunction(
                    Abi.IMPORT_MODULE,
                    name,
                    type,
                    (instance, args) ->
                        new long[] {name.equals("broadcast") ? 1 : Abi.NOT_IMPLEMENTED})));
    Guest guest = new Guest(module, module.instantiate(calls, List.of()));
    assertEquals(0, guest.start());
    return guest;
  }

  @ParameterizedTest
  @ValueSource(strings = {"relay-rust", "relay-c"})
  void aRelayRoomStaysInItsFirstPage(String party) throws Exception {
    Guest guest = relay(party);
    assertEquals(1, guest.memory().pages(), "pages after on_start");
    // Two clients, as in the benchmark's rooms.
    for (int conn = 1; conn <= 2; conn++) {
      assertEquals(
          0,
          guest.onConnect(
              conn,
              ByteList.encodeStrings(
                  List.of(
                      "GET",
                      "http://127.0.0.1:1999/parties/" + party + "/room-1?_pk=client-" + conn,
                      "",
                      "host",
                      "127.0.0.1:1999",
                      "upgrade",
                      "websocket",
                      "connection",
                      "Upgrade",
                      "sec-websocket-key",
                      "dGhlIHNhbXBsZSBub25jZQ==",
                      "sec-websocket-version",
                      "13"))));
    }
    assertEquals(1, guest.memory().pages(), "pages after two connections");
    byte[] message = new byte[100];
    Arrays.fill(message, (byte) 'x');
    assertEquals(0, guest.onMessage(1, message, Abi.TEXT));
    assertEquals(1, guest.memory().pages(), "pages after one 100-byte message");
    // Messages up to 16 KiB, each allocated for its hook and freed when it returns, reuse that
    // page.
    for (int i = 0; i < 500; i++) {
      byte[] m = new byte[(i * 997) % (16 * 1024) + 1];
      Arrays.fill(m, (byte) 'y');
      assertEquals(0, guest.onMessage(1 + i % 3, m, Abi.TEXT));
    }
    assertEquals(1, guest.memory().pages(), "pages after 500 messages of up to 16 KiB");
  }
}
