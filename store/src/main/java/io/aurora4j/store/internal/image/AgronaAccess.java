package io.aurora4j.store.internal.image;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Whether this JVM lets Agrona's buffers work. Agrona 2 reaches {@code jdk.internal.misc.Unsafe}, which
 * {@code java.base} does not export: without {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (class
 * path) or {@code =org.agrona} (module path), the first {@link UnsafeBuffer} throws an {@link IllegalAccessError}
 * from Agrona's static initializer, and every later one a bare {@link NoClassDefFoundError}. An image carries
 * region pages, which the reader wraps in such buffers: this check turns that error into one that names the flag,
 * before the first page is applied (txn-core's {@code Region} does the same for regions made in this JVM).
 * Thread-safe; once the buffers worked, the check is one volatile read.
 */
final class AgronaAccess {
    private static volatile boolean usable;

    private AgronaAccess() {
    }

    /**
     * Returns if Agrona's buffers work in this JVM.
     *
     * @throws IllegalStateException naming the JVM flag, the region and the page, if they do not
     */
    static void requireForPage(String regionId, long pageIndex) {
        if (usable) {
            return;
        }
        try {
            new UnsafeBuffer(new byte[8]).putLong(0, 1L);
            usable = true;
        } catch (LinkageError e) {
            throw new IllegalStateException("page " + pageIndex + " of region '" + regionId + "' in the image needs"
                    + " Agrona's buffers, and Agrona 2 needs the JVM flag --add-exports java.base/jdk.internal.misc=ALL-UNNAMED"
                    + " (on the class path) or --add-exports java.base/jdk.internal.misc=org.agrona (on the module path)", e);
        }
    }
}
