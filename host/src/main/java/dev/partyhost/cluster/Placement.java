package dev.partyhost.cluster;

/** Which node a room without an owner starts on (see CLUSTER.md, "Placement"). */
public enum Placement {
  /**
   * The node that first receives a request for it, as Durable Objects start near their first caller:
   * the room's creator is served without forwarding, and rooms follow where clients arrive.
   */
  FIRST,
  /**
   * The node its id hashes to among the live nodes (rendezvous hashing): rooms spread evenly
   * whatever node clients arrive at, at the cost of forwarding most of them from the start.
   */
  HASH
}
