package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.txn.Group;

/** Write skew against the group as it ships. */
public class WriteSkewTest extends WriteSkewLincheckTest {

    public WriteSkewTest() {
        super(Group.inMemory("write-skew"));
    }
}
