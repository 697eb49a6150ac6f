package io.aurora4j.jcstress.teeth;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Doubles of the lazy page load ({@code Page.ensureLoaded}, {@code StoredPages.load}, {@code Page.publishLoaded}),
 * each with one thing broken. A placeholder page is an Agrona {@link UnsafeBuffer} over a shared zero buffer with a
 * non-null {@code stored}; the first toucher (under a lock, re-checking) re-points the buffer at a fresh chunk
 * (zeroed, as a new slab's memory is), copies the stored bytes into it and clears {@code stored}; a reader calls
 * {@code ensureLoaded} (load {@code stored}, load under the lock if set) and then reads words 0 and 7 of the buffer.
 * Same outcomes as {@code io.aurora4j.txn.LazyPageLoadTest}: every stored word is 5, a 0 is a read of a page whose
 * bytes were not there yet.
 */
public final class BrokenLazyLoadTest {
    static final long STORED = 5;
    static final int PAGE = 64;
    private static final byte[] ZEROS = new byte[PAGE];
    private static final byte[] STORE = new byte[PAGE];

    static {
        UnsafeBuffer s = new UnsafeBuffer(STORE);
        for (int w = 0; w < PAGE; w += Long.BYTES) {
            s.putLong(w, STORED);
        }
    }

    private BrokenLazyLoadTest() {
    }

    /** A placeholder page: reads as zeros until loaded. */
    abstract static class LazyPage extends UnsafeBuffer {
        final ReentrantLock lock = new ReentrantLock();
        final byte[] chunk = new byte[PAGE]; // the pool's chunk, fresh (zeroed)

        LazyPage() {
            super(ZEROS);
        }

        abstract void ensureLoaded();

        void read(JJJJ_Result r, boolean first) {
            ensureLoaded();
            long w0 = getLong(0);
            long w7 = getLong(PAGE - Long.BYTES);
            if (first) {
                r.r1 = w0;
                r.r2 = w7;
            } else {
                r.r3 = w0;
                r.r4 = w7;
            }
        }
    }

    /**
     * The loader publishes the page (release store of {@code stored = null}, as the real code) <em>before</em> it
     * copies the bytes into the chunk: a reader whose fast check finds {@code null} reads the unfilled chunk.
     */
    @JCStressTest
    @Description("BROKEN DOUBLE: lazy page load that publishes the page before copying its bytes")
    @Outcome(id = "5, 5, 5, 5", expect = ACCEPTABLE, desc = "both actors read the stored bytes")
    @Outcome(expect = FORBIDDEN, desc = "a zero (an unloaded or unfilled page read) or a mixed page")
    @State
    public static class PublishedBeforeCopy extends LazyPage {
        private static final VarHandle STORED_REF;

        static {
            try {
                STORED_REF = MethodHandles.lookup().findVarHandle(PublishedBeforeCopy.class, "stored", byte[].class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // accessed through STORED_REF
        private byte[] stored = STORE;

        @Override
        void ensureLoaded() {
            if (STORED_REF.getAcquire(this) != null) {
                lock.lock();
                try {
                    byte[] s = (byte[]) STORED_REF.getAcquire(this);
                    if (s != null) {
                        wrap(chunk);
                        STORED_REF.setRelease(this, (byte[]) null); // BROKEN: published before the copy below
                        putBytes(0, s);
                    }
                } finally {
                    lock.unlock();
                }
            }
        }

        @Actor
        public void first(JJJJ_Result r) {
            read(r, true);
        }

        @Actor
        public void second(JJJJ_Result r) {
            read(r, false);
        }
    }

    /**
     * The right order (copy, re-point, then clear {@code stored}), but with plain accesses: a plain store clears
     * {@code stored} (the real code: a release store) and the fast check is a plain load (the real code: an acquire
     * load). Nothing then orders the reader's loads of the buffer's address and bytes after its load of
     * {@code stored}, nor the loader's stores before its clear; on x86 only the compiler can reorder them.
     */
    @JCStressTest
    @Description("BROKEN DOUBLE: lazy page load published with a plain store, checked with a plain load")
    @Outcome(id = "5, 5, 5, 5", expect = ACCEPTABLE, desc = "both actors read the stored bytes")
    @Outcome(expect = FORBIDDEN, desc = "a zero (an unloaded or unfilled page read) or a mixed page")
    @State
    public static class PlainPublish extends LazyPage {
        private byte[] stored = STORE;

        @Override
        void ensureLoaded() {
            if (stored != null) { // BROKEN: the real fast check is an acquire load
                lock.lock();
                try {
                    byte[] s = stored;
                    if (s != null) {
                        new UnsafeBuffer(chunk).putBytes(0, s);
                        wrap(chunk);
                        stored = null; // BROKEN: the real publish is a release store
                    }
                } finally {
                    lock.unlock();
                }
            }
        }

        @Actor
        public void first(JJJJ_Result r) {
            read(r, true);
        }

        @Actor
        public void second(JJJJ_Result r) {
            read(r, false);
        }
    }
}
