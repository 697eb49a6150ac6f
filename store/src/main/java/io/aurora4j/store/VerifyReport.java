package io.aurora4j.store;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Store#verify(Path)} found: every record of every segment and durable log file of a store directory
 * read and its CRC32C checked.
 *
 * <p>Immutable; thread-safe.
 *
 * @param files   the files checked, in the order checked (segments oldest first, then logs)
 * @param records the records whose checksum was good
 * @param bytes   the bytes read
 * @param damage  every damaged place found (empty: none); after damage in a file the rest of that file is not
 *                checked, since record boundaries past it cannot be trusted
 */
public record VerifyReport(List<Path> files, long records, long bytes, List<Damage> damage) {

    /** Copies the lists. */
    public VerifyReport {
        files = List.copyOf(files);
        damage = List.copyOf(damage);
    }

    /** Whether no damage was found. */
    public boolean ok() {
        return damage.isEmpty();
    }

    /**
     * One damaged place.
     *
     * @param file   the file
     * @param offset the byte offset of the record (or header) found damaged
     * @param what   what is wrong, and how many bytes after it went unchecked
     */
    public record Damage(Path file, long offset, String what) {
    }
}
