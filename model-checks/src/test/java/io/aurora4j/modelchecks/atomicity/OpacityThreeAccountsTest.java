package io.aurora4j.modelchecks.atomicity;

/** Three accounts, audits against transfers on every pair. */
public class OpacityThreeAccountsTest extends OpacityLincheckTest {
}
