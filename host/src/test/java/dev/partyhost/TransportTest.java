package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import io.vertx.core.transport.Transport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Netty's transports: epoll by default where its library loads (it does on this Linux), NIO on request. */
class TransportTest {
  @ParameterizedTest
  @ValueSource(strings = {"epoll", "nio"})
  void roomsServeOnEitherTransport(String transport) {
    try (TestHost host = TestHost.start(c -> c.transport = transport);
        Ws a = host.ws("/parties/relay-c/" + transport + "?_pk=a");
        Ws b = host.ws("/parties/relay-c/" + transport + "?_pk=b")) {
      assertEquals(transport, host.host.transport());
      a.send("over " + transport);
      b.expectText("over " + transport);
      assertEquals(200, host.post("/parties/counter/" + transport, "").statusCode());
    }
  }

  @Test
  void epollIsTheDefaultWhereItLoads() {
    assertEquals(
        true,
        Transport.EPOLL.available(),
        "epoll's library did not load: " + Transport.EPOLL.unavailabilityCause());
    assertEquals("epoll", HostConfig.load(new String[0], Map.of()).transport);
  }

  @Test
  void anUnknownTransportIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostConfig.load(new String[] {"--transport", "io_uring"}, Map.of()));
    assertEquals("transport must be epoll or nio, not io_uring", e.getMessage());
  }
}
