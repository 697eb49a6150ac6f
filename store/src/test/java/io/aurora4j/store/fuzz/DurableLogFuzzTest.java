package io.aurora4j.store.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.testing.FaultInjectingIO;
import io.aurora4j.store.testing.ForeignBytesContract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target of the durable log reopened over damaged bytes ({@code FileDurableLog} recovery): the input is the
 * file {@code log-x.dat} of an otherwise empty store, on an in-memory disk. Contract: opening the log and reading it either works or
 * throws a {@link StoreException}; it allocates at most 16 bytes per input byte plus 4 MiB; and a log that opened
 * is not poisoned: an append after recovery gets the number {@code nextNumber()} promised and reads back, with the
 * recovered records, after a reopen. Corpus: {@code src/test/resources/io/aurora4j/store/fuzz/DurableLogFuzzTestInputs/reopen}.
 */
class DurableLogFuzzTest {
    static final ForeignBytesContract CONTRACT = ForeignBytesContract.of("FileDurableLog open", 16, 4 << 20,
            StoreException.class);

    @FuzzTest(maxDuration = "10s")
    void reopen(byte[] input) {
        List<byte[]> recovered = new ArrayList<>();
        long[] next = {-1, -1}; // nextNumber, number of the first record read
        FaultInjectingIO[] io = new FaultInjectingIO[1];
        Throwable thrown = CONTRACT.check(input.length, () -> {
            io[0] = DirectoryStoreFuzzTest.disk(List.of(Map.entry("log-x.dat", input)));
            recovered.clear();
            try (Store store = DirectoryStoreFuzzTest.open(io[0])) {
                DurableLog log = store.log("x");
                next[0] = log.nextNumber();
                log.read(0, (number, record) -> {
                    if (recovered.isEmpty()) {
                        next[1] = number;
                    }
                    recovered.add(record);
                });
            }
        });
        if (thrown != null) {
            return;
        }
        byte[] probe = {1, 2, 3, 4};
        try {
            try (Store store = DirectoryStoreFuzzTest.open(io[0])) {
                long number = store.log("x").append(probe);
                if (number != next[0]) {
                    throw new AssertionError("the log promised number " + next[0] + " for the next record, gave " + number);
                }
            }
            List<byte[]> after = new ArrayList<>();
            try (Store store = DirectoryStoreFuzzTest.open(io[0])) {
                store.log("x").read(0, (number, record) -> after.add(record));
            }
            if (after.size() != recovered.size() + 1 || !Arrays.equals(after.get(after.size() - 1), probe)) {
                throw new AssertionError("after recovering " + recovered.size() + " records and appending one, a reopen read "
                        + after.size());
            }
            for (int i = 0; i < recovered.size(); i++) {
                if (!Arrays.equals(recovered.get(i), after.get(i))) {
                    throw new AssertionError("record " + (next[1] + i) + " changed across an append and a reopen");
                }
            }
        } catch (RuntimeException e) {
            throw new AssertionError("the log opened over the input, but an append and a reopen then failed: a poisoned log", e);
        }
    }
}
