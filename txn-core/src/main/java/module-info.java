/** Aurora4j's core: groups, state objects, transactions, checkpoints, rollback and history. */
@SuppressWarnings("requires-transitive-automatic") // Agrona ships an automatic module; Region's API uses its buffers
module io.aurora4j.txn {
    requires transitive io.aurora4j.notify;
    requires transitive io.aurora4j.store;
    requires transitive org.agrona;
    requires jdk.jfr; // the io.aurora4j.* Flight Recorder events
    requires java.management; // GroupMXBean
    exports io.aurora4j.txn;
    // The SPI for Aurora4j's own modules; named here as they are added.
    exports io.aurora4j.txn.spi to io.aurora4j.boundary, io.aurora4j.speculation;
}
