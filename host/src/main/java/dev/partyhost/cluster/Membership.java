package dev.partyhost.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.partyhost.HostConfig.ClusterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Joins this node's Vert.x to the cluster's, over Hazelcast: members found over TCP at the given
 * addresses (no multicast, no discovery), failures noticed within seconds. Membership is never a
 * fence: who owns a room, and who is alive, is decided in PostgreSQL ({@link RoomOwners}, {@link
 * NodeLease}), since a node that was paused wakes believing it is alone.
 */
public final class Membership {
  private Membership() {}

  /** Builds and joins a clustered Vert.x; blocks until it has joined. */
  public static Vertx join(VertxBuilder builder, ClusterConfig cluster) {
    return builder
        .withClusterManager(new HazelcastClusterManager(hazelcast(cluster)))
        .buildClustered()
        .await();
  }

  /** Vert.x's Hazelcast configuration (its maps), joined over TCP on loopback or a LAN. */
  static Config hazelcast(ClusterConfig cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName("partyhost");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    // Seconds, not Hazelcast's minutes: a dead member is noticed in about 5 s (a killed one at
    // once, by its connection closing), and a node that was paused rejoins soon after it wakes.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    return config;
  }
}
