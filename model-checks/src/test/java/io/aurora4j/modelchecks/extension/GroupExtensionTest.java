package io.aurora4j.modelchecks.extension;

/** The extension slot as Aurora4j ships it: {@link io.aurora4j.txn.spi.TxnSpi#extension}. */
public class GroupExtensionTest extends GroupExtensionLincheckTest {
}
