/**
 * Aurora4j's store: where durable groups keep their checkpoints. It knows bytes, records and checkpoint ids,
 * not transactions: {@code txn-core} depends on it, never the reverse. See {@link io.aurora4j.store.Store}.
 */
@SuppressWarnings("requires-transitive-automatic") // Agrona ships an automatic module; page I/O uses its buffers
module io.aurora4j.store {
    requires transitive org.agrona;
    exports io.aurora4j.store;
    // The SPI txn-core writes and restores checkpoints through; not for applications (see its package-info).
    exports io.aurora4j.store.spi to io.aurora4j.txn;
}
