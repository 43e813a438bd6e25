package dev.partyhost.calls;

import static dev.partyhost.guest.Abi.INVALID;
import static dev.partyhost.guest.Abi.OK;

import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A call request (ABI section 5), checked: {@code [method, url, body, name1, value1, ...]}. Header
 * names are kept lower-cased, values as the bytes given.
 *
 * @param url a path below the callee room (room calls, may be empty) or an absolute http(s) URL
 */
public record CallRequest(String method, String url, byte[] body, List<Header> headers) {
  /** One header: a lower-case token name and a value without CR, LF or NUL. */
  public record Header(String name, byte[] value) {
    public String valueText() {
      return new String(value, StandardCharsets.ISO_8859_1); // one char per byte, as Netty sends it
    }

    /**
     * Whether the callee room gets it, on this node or another: not the host's own ({@code
     * x-partyhost-*}), nor one the host sets for the message itself.
     */
    public boolean reachesCallee() {
      return !name.startsWith(Abi.HOST_HEADER_PREFIX) && !HOST_SET.contains(name);
    }
  }

  /** Headers the host sets itself on a call's way to its callee. */
  private static final java.util.Set<String> HOST_SET =
      java.util.Set.of("host", "content-length", "transfer-encoding", "connection");

  /** A request parsed, or the status (INVALID) that refuses it. */
  public record Parsed(int status, CallRequest request) {}

  /** Parses the encoded request of a {@code room_call} ({@code web} false) or an {@code http_call}. */
  public static Parsed parse(byte[] encoded, boolean web) {
    List<byte[]> items;
    try {
      items = ByteList.decode(encoded);
    } catch (IllegalArgumentException e) {
      return invalid();
    }
    if (items.size() < 3 || (items.size() - 3) % 2 != 0) return invalid();
    if (!Abi.isHttpToken(items.get(0))) return invalid();
    String url = new String(items.get(1), StandardCharsets.ISO_8859_1);
    if (web ? webUri(url) == null : !(url.isEmpty() || url.startsWith("/"))) return invalid();
    List<Header> headers = new ArrayList<>((items.size() - 3) / 2);
    for (int i = 3; i < items.size(); i += 2) {
      byte[] name = items.get(i);
      byte[] value = items.get(i + 1);
      if (!Abi.isHttpToken(name) || !Abi.isHttpFieldValue(value)) return invalid();
      headers.add(
          new Header(new String(name, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT), value));
    }
    String method = new String(items.get(0), StandardCharsets.US_ASCII);
    return new Parsed(OK, new CallRequest(method, url, items.get(2), List.copyOf(headers)));
  }

  /** An absolute http or https URL with a host, or null. */
  public static URI webUri(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) return null;
      if (uri.getHost() == null || uri.getHost().isEmpty()) return null;
      return uri;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static Parsed invalid() {
    return new Parsed(INVALID, null);
  }
}
