package dev.partyhost.calls;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hosts one party's rooms may reach with {@code http_call}, from the operator's {@code
 * httpAllowlist} (a party limit): host names or IP literals, each with an optional port ({@code api.example.com},
 * {@code 127.0.0.1:8080}, {@code [::1]:8080}). A listed name still may not resolve to a loopback,
 * private or otherwise non-public address: only an address listed itself (as an IP literal) may be
 * such a one, so a DNS record cannot point a room at the host's own network.
 */
public final class Allowlist {
  public static final Allowlist NONE = new Allowlist(List.of());

  /** One entry: a lower-case host name or a normalised IP literal, and a port (-1: any). */
  private record Entry(String host, int port) {
    boolean matches(String host, int port) {
      return this.host.equals(host) && (this.port < 0 || this.port == port);
    }
  }

  private final List<Entry> entries;

  private Allowlist(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The allowlist of these entries; throws IllegalArgumentException on a malformed one. */
  public static Allowlist of(List<String> given) {
    List<Entry> entries = new ArrayList<>(given.size());
    for (String e : given) entries.add(parse(e));
    return new Allowlist(entries);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  // A value, as the rest of PartyLimits: equal lists of entries are the same allowlist.
  @Override
  public boolean equals(Object o) {
    return o instanceof Allowlist other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    List<String> shown = new ArrayList<>(entries.size());
    for (Entry e : entries)
      shown.add(
          (e.host.indexOf(':') >= 0 ? "[" + e.host + "]" : e.host)
              + (e.port < 0 ? "" : ":" + e.port));
    return shown.toString();
  }

  /** Whether the URL host {@code host} (a name, or an IP literal, IPv6 without brackets) on {@code port} is listed. */
  public boolean allowsHost(String host, int port) {
    String key = key(host);
    for (Entry e : entries) if (e.matches(key, port)) return true;
    return false;
  }

  /** Whether {@code address} itself is listed (as an IP literal) for {@code port}. */
  public boolean namesAddress(InetAddress address, int port) {
    String key = address.getHostAddress();
    for (Entry e : entries) if (e.matches(key, port)) return true;
    return false;
  }

  /**
   * Whether an address is on the public internet: not loopback, any-local, link-local, site-local
   * (10/8, 172.16/12, 192.168/16), multicast, CGNAT (100.64/10), 0/8, benchmarking (198.18/15),
   * reserved (240/4), IPv6 unique-local (fc00::/7), site-local (fec0::/10), discard (100::/64),
   * documentation (2001:db8::/32) or Teredo (2001::/32), nor an IPv6 address that carries such an
   * IPv4 one: IPv4-mapped or -compatible, NAT64 (64:ff9b::/96, 64:ff9b:1::/48) or 6to4 (2002::/16),
   * which a gateway would deliver to it.
   */
  public static boolean isPublic(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      InetAddress embedded = embeddedV4(b);
      if (embedded != null) return isPublic(embedded);
      if ((b[0] & 0xfe) == 0xfc) return false; // fc00::/7, unique local
      int first16 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
      int second16 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
      if (first16 == 0x0064 && second16 == 0xff9b) { // NAT64: the IPv4 address in the low bits
        boolean wellKnown = b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0;
        boolean local = b[4] == 0 && b[5] == 1; // 64:ff9b:1::/48
        if (wellKnown || local) return isPublic(v4(b[12], b[13], b[14], b[15]));
        return false;
      }
      if (first16 == 0x2002) return isPublic(v4(b[2], b[3], b[4], b[5])); // 6to4
      if (first16 == 0x2001 && (second16 == 0 || second16 == 0x0db8)) return false; // Teredo, docs
      if (first16 == 0x0100 && second16 == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0)
        return false; // 100::/64, discard
    }
    if (address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) return false;
    if (address instanceof Inet4Address) {
      byte[] b = address.getAddress();
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0 || first >= 240) return false; // "this network", reserved and broadcast
      if (first == 100 && (second & 0xc0) == 64) return false; // 100.64/10, carrier-grade NAT
      if (first == 198 && (second & 0xfe) == 18) return false; // 198.18/15, benchmarking
      if (first == 192 && second == 0 && (b[2] & 0xff) == 0) return false; // 192.0.0/24, protocol
    }
    return true;
  }

  private static InetAddress v4(byte a, byte b, byte c, byte d) {
    try {
      return InetAddress.getByAddress(new byte[] {a, b, c, d});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or -compatible (::a.b.c.d) IPv6 one, else null. */
  private static InetAddress embeddedV4(byte[] b) {
    for (int i = 0; i < 10; i++) if (b[i] != 0) return null;
    boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = b[10] == 0 && b[11] == 0;
    if (!mapped && !compatible) return null;
    if (compatible && b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xfe) == 0)
      return null; // :: and ::1 are IPv6's own
    try {
      return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code host} is an IP literal (IPv6 without brackets), not a name to resolve. */
  public static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) return true;
    if (!host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) return false;
    for (String octet : host.split("\\.", -1)) if (Integer.parseInt(octet) > 255) return false;
    return true;
  }

  /** The address of an IP literal (no lookup: {@link #isIpLiteral} holds). */
  public static InetAddress literal(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** How a host is compared: names lower-cased, IP literals in their one normal form. */
  private static String key(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (isIpLiteral(h)) {
      InetAddress a = literal(h);
      if (a != null) return a.getHostAddress();
    }
    return h;
  }

  private static Entry parse(String entry) {
    if (entry == null || entry.isBlank())
      throw new IllegalArgumentException("httpAllowlist has an empty entry");
    String e = entry.trim();
    String host = e;
    int port = -1;
    int colon = e.lastIndexOf(':');
    boolean bracketed = e.startsWith("[");
    if (bracketed) {
      int close = e.indexOf(']');
      if (close < 0) throw bad(entry);
      host = e.substring(1, close);
      if (close + 1 < e.length()) {
        if (e.charAt(close + 1) != ':') throw bad(entry);
        port = port(entry, e.substring(close + 2));
      }
    } else if (colon >= 0 && e.indexOf(':') == colon) { // one colon: host:port
      host = e.substring(0, colon);
      port = port(entry, e.substring(colon + 1));
    }
    if (host.isEmpty() || host.contains("/") || host.contains("*")) throw bad(entry);
    if (isIpLiteral(host) && literal(host) == null) throw bad(entry);
    return new Entry(key(host), port);
  }

  private static int port(String entry, String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) return port;
    } catch (NumberFormatException e) {
      // fall through
    }
    throw bad(entry);
  }

  private static IllegalArgumentException bad(String entry) {
    return new IllegalArgumentException(
        "httpAllowlist: \"" + entry + "\" is not a host name or IP literal with an optional :port");
  }
}
