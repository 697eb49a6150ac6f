/**
 * The store's SPI: what {@code txn-core} writes checkpoints through ({@link io.aurora4j.store.spi.CheckpointWriter},
 * from {@link io.aurora4j.store.Store#begin}) and restores groups from ({@link io.aurora4j.store.spi.StoredState},
 * from {@link io.aurora4j.store.Store#state}). Implemented by the store's own backends (the directory and memory
 * stores, and the image writer of {@link io.aurora4j.store.Images}) and by stores layered over them (the replication
 * module's). Not for applications: a group writes and restores its checkpoints itself, and an application that
 * wrote through a {@code CheckpointWriter} would bypass the group's object format. Exported to {@code io.aurora4j.txn}
 * only; code on the class path sees it as it sees every package.
 */
package io.aurora4j.store.spi;
