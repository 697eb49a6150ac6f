package io.aurora4j.replication;

import io.aeron.cluster.ClusterMember;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The floor the leader proposes is the lowest position every member recorded, and nothing when any member's
 * position is unknown or a member is missing (a member down since the last election must not be stranded).
 */
class LogPurgerFloorTest {

    private static ClusterMember member(int id, long position) {
        return new ClusterMember(id, "h:1", "h:2", "h:3", "h:4", "h:5", "h:1,h:2,h:3,h:4,h:5").logPosition(position);
    }

    @Test
    void theFloorIsTheLowestKnownPositionOfEveryMember() {
        assertEquals(700, LogPurger.minimumPosition(List.of(member(0, 900), member(1, 700), member(2, 1_000)), 3));
    }

    @Test
    void anUnknownOrMissingMemberProposesNothing() {
        // Aeron's NULL_POSITION (-1): a member that has not reported to this leader since its election
        assertEquals(-1, LogPurger.minimumPosition(List.of(member(0, 900), member(1, -1), member(2, 1_000)), 3));
        assertEquals(-1, LogPurger.minimumPosition(List.of(member(0, 900), member(2, 1_000)), 3));
        assertEquals(-1, LogPurger.minimumPosition(null, 3));
    }
}
