package io.aurora4j.replication;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operational cleanliness: the /dev/shm directory a killed primary left is removed by the next client, and only it. */
class DeadClientCleanupTest {

    @Test
    void aClientRemovesTheAeronDirectoriesOfDeadClientsOfItsClusterOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws Exception {
        ReplicationSettings s = ReplicationSettings.builder("127.0.0.1:20000").clusterName("dead")
                .aeronDirectoryRoot(root).build();
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadPid = p.pid();
        p.waitFor();
        java.nio.file.Path dead = java.nio.file.Files.createDirectories(root.resolve("aurora4j-dead-client-" + deadPid + "-1"));
        java.nio.file.Files.writeString(dead.resolve("cnc.dat"), "x");
        java.nio.file.Path alive = java.nio.file.Files.createDirectories(
                root.resolve("aurora4j-dead-client-" + ProcessHandle.current().pid() + "-1"));
        java.nio.file.Path other = java.nio.file.Files.createDirectories(root.resolve("aurora4j-other-client-" + deadPid + "-1"));
        ClusterClient.removeDirectoriesOfDeadClients(s);
        assertTrue(java.nio.file.Files.notExists(dead), "the dead client's directory");
        assertTrue(java.nio.file.Files.exists(alive), "a live client's directory stays");
        assertTrue(java.nio.file.Files.exists(other), "another cluster's directory stays");
    }
}
