package io.aurora4j.replication;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings are checked where they enter, with messages naming the bad value, and map onto Aeron's strings. */
class ReplicationSettingsTest {

    @Test
    void membersMapOntoFivePortsEach() {
        ReplicationSettings s = ReplicationSettings.builder("127.0.0.1:20000", "127.0.0.1:20010").build();
        assertEquals("0,127.0.0.1:20001,127.0.0.1:20002,127.0.0.1:20003,127.0.0.1:20004,127.0.0.1:20000|"
                + "1,127.0.0.1:20011,127.0.0.1:20012,127.0.0.1:20013,127.0.0.1:20014,127.0.0.1:20010", s.clusterMembers());
        assertEquals("0=127.0.0.1:20001,1=127.0.0.1:20011", s.ingressEndpoints());
        assertEquals("127.0.0.1", s.clientHost(), "a loopback cluster answers on the loopback");
        assertEquals(Duration.ofSeconds(3), s.leaderHeartbeatTimeout());
        assertEquals(Duration.ofSeconds(30), s.commitTimeout());
    }

    @Test
    void badValuesAreRejectedNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReplicationSettings.builder("127.0.0.1:20000", "nohost"));
        assertTrue(e.getMessage().contains("member 1 'nohost'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReplicationSettings.builder("h:65533"));
        assertTrue(e.getMessage().contains("65531"), e.getMessage());
        assertThrows(IllegalArgumentException.class, ReplicationSettings::builder);
        ReplicationSettings.Builder b = ReplicationSettings.builder("127.0.0.1:20000");
        e = assertThrows(IllegalArgumentException.class, () -> b.termLength(3 * 1024 * 1024));
        assertTrue(e.getMessage().contains("3145728"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.clusterName("a/b"));
        assertTrue(e.getMessage().contains("'a/b'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.commitTimeout(Duration.ofMillis(5)));
        assertTrue(e.getMessage().contains("commitTimeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.clientHost("10.0.0.1:5"));
        assertTrue(e.getMessage().contains("'10.0.0.1:5'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.snapshotEveryBytes(0));
        e = assertThrows(IllegalArgumentException.class, () -> b.archiveSegmentLength(3 << 20));
        assertTrue(e.getMessage().contains("archiveSegmentLength") && e.getMessage().contains("3145728"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.purgeInterval(Duration.ofMillis(10)));
        assertTrue(e.getMessage().contains("purgeInterval"), e.getMessage());
        // a segment shorter than the term is raised to it (Aeron needs a multiple of the term length)
        ReplicationSettings raised = ReplicationSettings.builder("127.0.0.1:20000").termLength(1 << 20)
                .archiveSegmentLength(256 * 1024).build();
        assertEquals(1 << 20, raised.archiveSegmentLength());
    }

    @Test
    void aCanvassShorterThanTwoHeartbeatTimeoutsIsRejectedAtBuildNotAtLaunch() {
        // Aeron's consensus module throws only when a member launches; 3 s / 2 s was a benchmark's first set-up.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplicationSettings.builder("127.0.0.1:20100")
                .leaderHeartbeatTimeout(Duration.ofSeconds(3)).startupCanvassTimeout(Duration.ofSeconds(2)).build());
        assertTrue(e.getMessage().contains("PT2S") && e.getMessage().contains("PT3S"), e.getMessage());
        ReplicationSettings.builder("127.0.0.1:20100").leaderHeartbeatTimeout(Duration.ofSeconds(3))
                .startupCanvassTimeout(Duration.ofSeconds(6)).build();
        ReplicationSettings.builder("127.0.0.1:20100").build(); // the defaults: 3 s and 10 s
    }
}
