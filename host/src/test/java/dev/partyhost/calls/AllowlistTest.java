package dev.partyhost.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What http_call may reach: the allowlist's entries, and which addresses count as public. */
class AllowlistTest {
  @Test
  void loopbackPrivateAndOtherNonPublicAddressesAreNotPublic() {
    for (String a :
        List.of(
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
            "64:ff9b:1::a00:1", // local-use NAT64 of 10.0.0.1
            "2002:7f00:1::1", // 6to4 of 127.0.0.1
            "2001::1", // Teredo
            "2001:db8::1",
            "100::1",
            "ff02::1")) assertFalse(Allowlist.isPublic(Allowlist.literal(a)), a);
    for (String a :
        List.of(
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "64:ff9b::808:808", // NAT64 of 8.8.8.8
            "2002:808:808::1")) assertTrue(Allowlist.isPublic(Allowlist.literal(a)), a);
  }

  @Test
  void entriesNameHostsWithOrWithoutAPort() {
    Allowlist list =
        Allowlist.of(List.of("API.example.com", "127.0.0.1:8080", "[::1]:9000", "2001:db8::1"));
    assertTrue(list.allowsHost("api.example.com", 443));
    assertTrue(list.allowsHost("api.EXAMPLE.com", 8443));
    assertFalse(list.allowsHost("example.com", 443));
    assertFalse(list.allowsHost("evil-api.example.com", 443));
    assertTrue(list.allowsHost("127.0.0.1", 8080));
    assertFalse(list.allowsHost("127.0.0.1", 8081));
    assertTrue(list.namesAddress(Allowlist.literal("127.0.0.1"), 8080));
    assertTrue(list.allowsHost("::1", 9000));
    assertTrue(list.allowsHost("2001:db8:0:0:0:0:0:1", 80)); // one normal form for IPv6
    assertFalse(Allowlist.NONE.allowsHost("api.example.com", 443));
    assertEquals(
        "[api.example.com, 127.0.0.1:8080, [0:0:0:0:0:0:0:1]:9000, [2001:db8:0:0:0:0:0:1]]",
        list.toString());
    assertEquals(
        list,
        Allowlist.of(List.of("api.example.com", "127.0.0.1:8080", "[::1]:9000", "2001:db8::1")));
    for (String bad :
        List.of("", " ", "host:0", "host:x", "[::1", "a/b", "*.example.com", "1.2.3.4:99999"))
      assertThrows(IllegalArgumentException.class, () -> Allowlist.of(List.of(bad)), bad);
  }
}
