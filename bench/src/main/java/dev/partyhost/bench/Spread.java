package dev.partyhost.bench;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A cluster as one server to a scenario of {@code make bench}: client {@code i} connects to node
 * {@code nodeOf(i)}; CPU and memory are those of every node. Its nodes start and stop with the
 * cluster, not with the scenario.
 */
final class Spread extends Server {
  private final LocalCluster cluster;
  private final IntUnaryOperator nodeOf;

  Spread(String name, LocalCluster cluster, IntUnaryOperator nodeOf) {
    super(name);
    this.cluster = cluster;
    this.nodeOf = nodeOf;
  }

  @Override
  InetSocketAddress address(int client) {
    return new InetSocketAddress("127.0.0.1", cluster.node(nodeOf.applyAsInt(client)).port());
  }

  @Override
  int port() {
    return cluster.node(nodeOf.applyAsInt(0)).port();
  }

  @Override
  List<ProcessHandle> tree() {
    List<ProcessHandle> all = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++)
      if (cluster.node(i).running()) all.addAll(cluster.node(i).tree());
    return all;
  }

  /** Not one JVM: scenarios skip the figures they would take with jcmd. */
  @Override
  boolean isJvm() {
    return false;
  }

  @Override
  void start() {}

  @Override
  public void close() {}

  @Override
  List<String> command(int port, Path work) {
    throw new UnsupportedOperationException("a cluster's nodes are started by LocalCluster");
  }

  @Override
  String party(Party party) {
    return cluster.node(0).party(party);
  }
}
