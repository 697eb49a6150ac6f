package io.aurora4j.store.internal;

import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreIO;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The directories that directory stores of this JVM have open on the real file system, keyed by real path. The OS lock
 * on {@code LOCK} alone does not keep a second store of the same JVM out once an operator deletes that file
 * (the new {@code LOCK} is another inode, free to lock), nor does a symbolic link to the same directory name
 * the same lock path; this registry does both, whatever happens to the files. Thread-safe (a concurrent map,
 * claimed with {@code putIfAbsent}).
 */
final class OpenDirectories {
    private record Key(StoreIO io, Path directory) {
    }

    private static final ConcurrentHashMap<Key, String> OPEN = new ConcurrentHashMap<>();

    private OpenDirectories() {
    }

    /**
     * Claims {@code directory} (which exists) for {@code owner}, or throws naming the store that holds it.
     * Closing the result gives it back.
     */
    static Closeable claim(StoreIO io, Path directory, String owner) throws IOException {
        if (!(io instanceof FileSystemIO)) {
            // Another file layer (a test's disk) models processes itself: its locks die with a simulated power
            // cut, which a JVM-wide registry could not see. The lock on the newest segment still holds there.
            return () -> { };
        }
        Path real = directory.toRealPath(); // resolves symbolic links: two names of one directory are one claim
        Key key = new Key(io, real);
        String holder = OPEN.putIfAbsent(key, owner);
        if (holder != null) {
            throw new StoreException("directory " + directory + " is already open by another store in this JVM ("
                    + holder + "; real path " + real + ")");
        }
        return () -> OPEN.remove(key, owner);
    }
}
