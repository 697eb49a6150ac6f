/**
 * Where durable groups keep their checkpoints: the {@link io.aurora4j.store.Store} SPI and its backends
 * ({@link io.aurora4j.store.Store#memory()}, {@link io.aurora4j.store.Store#directory(java.nio.file.Path)}: append-only
 * segments checked with CRC32C, recovery, retention, cleaning), {@link io.aurora4j.store.DurableLog durable logs},
 * {@link io.aurora4j.store.Codecs codecs} for heap values, and checkpoint {@link io.aurora4j.store.Images images}
 * sent between processes. It knows bytes, records and checkpoint ids, never transactions: {@code txn-core} depends
 * on it, never the reverse. Invariant 7 of the repository's ARCHITECTURE.md (durability) is kept here.
 */
package io.aurora4j.store;
