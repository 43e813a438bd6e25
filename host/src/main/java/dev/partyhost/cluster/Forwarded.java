package dev.partyhost.cluster;

import dev.partyhost.guest.Sha256;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The headers by which one node hands a client to the node that runs its room, and the owner's
 * check of them. A forwarded request carries the cluster secret and the URL the client used; the
 * owner serves it as the client's own (same URL, same connection id) and does not run the party's
 * before hook again: the forwarding node ran it, and the headers it set are among the request's.
 */
public final class Forwarded {
  /** The cluster secret: what makes a request a forwarded one. */
  public static final String SECRET = "x-partyhost-secret";

  /** The absolute URL the client used on the forwarding node. */
  public static final String URI = "x-partyhost-forwarded-uri";

  /** The node that runs the room, on its room responses and WebSocket handshakes. */
  public static final String NODE = "x-partyhost-node";

  /**
   * The room that made a room call ({@code party/room}), on the callee's request: set by the host
   * only, removed from every client's request (ABI section 7).
   */
  public static final String CALLER = "x-partyhost-caller";

  /**
   * On a node's answer to a room call another node forwarded to it: the callee failed (trapped,
   * was reset, did not start), and why; the calling node answers its room FAILED.
   */
  public static final String CALL_FAILED = "x-partyhost-call-failed";

  /** Headers of this scheme: a client's are never passed on. */
  public static final String PREFIX = "x-partyhost-";

  private Forwarded() {}

  /** Whether the request says it comes from another node (it must then carry the secret). */
  public static boolean claimed(HttpServerRequest req) {
    return req.headers().contains(SECRET) || req.headers().contains(URI);
  }

  /**
   * Whether the request carries {@code secret} (null: this host takes no forwarded requests).
   * Compares digests in constant time: neither the secret nor its length leaks through timing.
   */
  public static boolean authentic(HttpServerRequest req, String secret) {
    String given = req.getHeader(SECRET);
    if (secret == null || given == null) return false;
    return MessageDigest.isEqual(sha256(given), sha256(secret));
  }

  /** The URL the client of an authentic forwarded request used, else null. */
  public static String clientUri(HttpServerRequest req) {
    return req.getHeader(URI);
  }

  /**
   * Whether a header (lower case) is one of the nodes' own, which a guest's request record leaves
   * out (the caller's name too: only the host sets it, from the room that made the call).
   */
  public static boolean internal(String name) {
    return name.equals(SECRET) || name.equals(URI) || name.equals(CALLER);
  }

  private static byte[] sha256(String s) {
    return Sha256.digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
