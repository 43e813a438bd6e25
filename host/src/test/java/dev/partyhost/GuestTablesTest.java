package dev.partyhost;

import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rooms share no table (issue 11, item 1): Chicory 1.6.1's table.grow raises the limits of the parsed
 * module every instance shares, so a table one room grew would start that large in every fresh room.
 * Tables are capped like memory. Driven by the "table-grow" test guest (a table of 1 entry, at most
 * 1,000,000): "g" grows it by 1,000; every answer is "RESULT SIZE".
 */
class GuestTablesTest {
  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void aTableOneRoomGrewStartsAtItsDeclaredSizeInAFreshRoom(ExecutionMode mode) {
    try (TestHost host =
            TestHost.start(
                c -> {
                  c.maxTableElements = 2_500;
                  c.mode = mode;
                });
        Ws grower = host.ws("/parties/table-grow/grower")) {
      grower.send("g").expectText("1 1001");
      grower.send("g").expectText("1001 2001");
      grower
          .send("g")
          .expectText("-1 2001"); // past the host's cap of 2,500: refused, as memory.grow
      try (Ws fresh = host.ws("/parties/table-grow/fresh")) {
        fresh.send("size").expectText("0 1");
      }
    }
  }

  @Test
  void aTableTheCapKeepsFromGrowingDoesNotGrowTheSharedOne() {
    // Declared 1..1,000,000, capped at 1: no grow, and none of the module's shared limits either.
    try (TestHost host = TestHost.start(c -> c.maxTableElements = 1);
        Ws a = host.ws("/parties/table-grow/a")) {
      a.send("g").expectText("-1 1");
      try (Ws b = host.ws("/parties/table-grow/b")) {
        b.send("size").expectText("0 1");
      }
    }
  }
}
