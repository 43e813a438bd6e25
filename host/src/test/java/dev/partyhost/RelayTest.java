package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The relay parties (Rust and C) under both execution modes: broadcast with exclusion, isolation, scale.
 * One host per mode, shared by the tests (each uses rooms of its own).
 */
class RelayTest {
  private static final Map<ExecutionMode, TestHost> HOSTS = new EnumMap<>(ExecutionMode.class);

  private static synchronized TestHost host(ExecutionMode mode) {
    return HOSTS.computeIfAbsent(mode, m -> TestHost.start(c -> c.mode = m));
  }

  @AfterAll
  static void stop() {
    HOSTS.values().forEach(TestHost::close);
    HOSTS.clear();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "relay-rust, COMPILED",
    "relay-c, COMPILED",
    "relay-rust, INTERPRETED",
    "relay-c, INTERPRETED"
  })
  void relaysToEveryOtherConnectionOfTheRoomOnly(String party, ExecutionMode mode) {
    TestHost host = host(mode);
    try (Ws a = host.ws("/parties/" + party + "/one?_pk=a");
        Ws b = host.ws("/parties/" + party + "/one?_pk=b");
        Ws c = host.ws("/parties/" + party + "/one?_pk=c");
        Ws other = host.ws("/parties/" + party + "/two?_pk=a")) {
      a.send("text from a");
      b.expectText("text from a");
      c.expectText("text from a");
      byte[] binary = {0, 1, 2, (byte) 0xff};
      c.send(binary);
      assertArrayEquals(binary, (byte[]) a.next());
      assertArrayEquals(binary, (byte[]) b.next());
      a.expectNothing(150);
      c.expectNothing(0);
      other.expectNothing(0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"relay-rust", "relay-c"})
  void manyRoomsAndClientsAtOnce(String party) {
    int rooms = 100;
    int perRoom = 4;
    TestHost host = host(ExecutionMode.COMPILED);
    List<List<Ws>> all = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      List<Ws> room = new ArrayList<>();
      for (int k = 0; k < perRoom; k++)
        room.add(host.ws("/parties/" + party + "/many-" + r + "?_pk=c" + k));
      all.add(room);
    }
    for (int r = 0; r < rooms; r++) {
      for (int k = 0; k < perRoom; k++) all.get(r).get(k).send("r" + r + " from c" + k);
    }
    for (int r = 0; r < rooms; r++) {
      for (int k = 0; k < perRoom; k++) {
        Set<String> got = new HashSet<>();
        for (int n = 0; n < perRoom - 1; n++) got.add(all.get(r).get(k).nextText());
        Set<String> expected = new HashSet<>();
        for (int s = 0; s < perRoom; s++) if (s != k) expected.add("r" + r + " from c" + s);
        assertEquals(expected, got);
      }
    }
    for (List<Ws> room : all)
      for (Ws ws : room) {
        ws.expectNothing(0);
        ws.close();
      }
  }
}
