package io.aurora4j.store.internal;

import io.aurora4j.store.VerifyReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.RecordDescriptor.*;

/**
 * {@link io.aurora4j.store.Store#verify}: reads every record of a directory's segments and durable logs and checks
 * its framing and CRC32C, as {@link RecordDescriptor} defines them. Read-only (files are opened for reading, never
 * locked); one record in memory at a time, and a length is checked against the file's size and
 * {@link RecordDescriptor#MAX_PAYLOAD} before anything is allocated for it.
 *
 * <p>Stateless; thread-safe.
 */
public final class Verifier {
    private static final Pattern SEGMENT = Pattern.compile("segment-\\d{16}\\.log");
    private static final Pattern LOG = Pattern.compile("log-.+\\.dat");

    private Verifier() {
    }

    /** See {@link io.aurora4j.store.Store#verify}. */
    public static VerifyReport verify(Path directory) {
        List<Path> segments = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.sorted().forEach(p -> {
                String n = p.getFileName().toString();
                if (SEGMENT.matcher(n).matches()) {
                    segments.add(p);
                } else if (LOG.matcher(n).matches()) {
                    logs.add(p);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        Tally t = new Tally();
        for (Path p : segments) {
            read(p, t, false);
        }
        for (Path p : logs) {
            read(p, t, true);
        }
        List<Path> checked = new ArrayList<>(segments);
        checked.addAll(logs);
        return new VerifyReport(checked, t.records, t.bytes, t.damage);
    }

    private static final class Tally {
        long records;
        long bytes;
        final List<VerifyReport.Damage> damage = new ArrayList<>();
        final CRC32C crc = new CRC32C();
    }

    private static void read(Path file, Tally t, boolean log) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = 0;
            int headerLength = log ? LOG_HEADER_LENGTH : HEADER_LENGTH;
            if (log) {
                if (size < LOG_FILE_HEADER) {
                    damage(t, file, 0, "a log file of " + size + " bytes, shorter than its " + LOG_FILE_HEADER
                            + "-byte header", size);
                    return;
                }
                ByteBuffer h = littleEndian(ByteBuffer.allocate(LOG_FILE_HEADER));
                readFully(ch, h, 0);
                byte[] base = new byte[8];
                h.get(8, base);
                if (h.getInt(0) != LOG_MAGIC || h.getInt(4) != crc(base, 0, 8)) {
                    damage(t, file, 0, "log file header: bad magic or checksum", size);
                    return;
                }
                t.bytes += LOG_FILE_HEADER;
                pos = LOG_FILE_HEADER;
            }
            ByteBuffer header = littleEndian(ByteBuffer.allocate(headerLength));
            while (pos < size) {
                if (size - pos < headerLength) {
                    damage(t, file, pos, "a record header cut short (" + (size - pos) + " of " + headerLength
                            + " bytes at the end of the file)", size - pos);
                    return;
                }
                header.clear();
                readFully(ch, header, pos);
                int length = header.getInt(LENGTH_OFFSET);
                if (length < 0 || length > MAX_PAYLOAD || length > size - pos - headerLength) {
                    damage(t, file, pos, "record length " + length + " is negative, above " + MAX_PAYLOAD
                            + " or beyond the end of the file", size - pos);
                    return;
                }
                if (!log && !isValidType(header.get(TYPE_OFFSET))) {
                    damage(t, file, pos, "record type " + header.get(TYPE_OFFSET) + " is not one of the format's",
                            size - pos);
                    return;
                }
                ByteBuffer payload = ByteBuffer.allocate(length);
                readFully(ch, payload, pos + headerLength);
                t.crc.reset();
                if (log) {
                    t.crc.update(header.array(), LOG_NUMBER_OFFSET, 8);
                } else {
                    t.crc.update(header.array(), TYPE_OFFSET, 1);
                }
                t.crc.update(payload.array(), 0, length);
                if ((int) t.crc.getValue() != header.getInt(CRC_OFFSET)) {
                    damage(t, file, pos, (log ? "log record" : typeName(header.get(TYPE_OFFSET)) + " record")
                            + " of " + length + " payload bytes fails its CRC32C", size - pos);
                    return;
                }
                t.records++;
                t.bytes += headerLength + length;
                pos += headerLength + length;
            }
        } catch (NoSuchFileException e) {
            // deleted since the listing (a live store's compaction): nothing to check
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void damage(Tally t, Path file, long offset, String what, long unchecked) {
        t.damage.add(new VerifyReport.Damage(file, offset, what + "; the " + unchecked
                + " bytes from there to the end of the file were not checked"));
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, p);
            if (n < 0) {
                throw new java.io.EOFException(position + ": end of file at " + p + " (did the file shrink?)");
            }
            p += n;
        }
    }
}
