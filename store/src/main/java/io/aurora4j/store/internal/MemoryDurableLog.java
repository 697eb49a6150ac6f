package io.aurora4j.store.internal;

import io.aurora4j.store.DurableLog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/** A {@link DurableLog} in memory: a record is "durable" once appended. Thread-safe (one lock). */
final class MemoryDurableLog implements DurableLog {
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayList<byte[]> records = new ArrayList<>();
    private long first;

    MemoryDurableLog(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long append(byte[] record) {
        Objects.requireNonNull(record, "record");
        byte[] copy = record.clone();
        lock.lock();
        try {
            records.add(copy);
            return first + records.size() - 1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long nextNumber() {
        lock.lock();
        try {
            return first + records.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void read(long from, RecordVisitor visitor) {
        long start;
        List<byte[]> snapshot;
        lock.lock();
        try {
            start = Math.max(from, first);
            int i = (int) Math.min(records.size(), Math.max(0, start - first));
            snapshot = new ArrayList<>(records.subList(i, records.size()));
        } finally {
            lock.unlock();
        }
        for (byte[] r : snapshot) {
            visitor.record(start++, r.clone()); // outside the lock: a visitor may append
        }
    }

    @Override
    public void trimBefore(long number) {
        lock.lock();
        try {
            long next = first + records.size();
            if (number > next) {
                throw new IllegalArgumentException("log " + name + ": cannot trim before " + number
                        + ", the next record is " + next);
            }
            if (number > first) {
                records.subList(0, (int) (number - first)).clear();
                first = number;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "log " + name + " (memory)";
    }
}
