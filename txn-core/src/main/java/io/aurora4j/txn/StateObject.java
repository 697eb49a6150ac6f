package io.aurora4j.txn;

/** What every state object registered in a group under an id can do; package-private on purpose. */
interface StateObject {
    String id();

    Group group();

    /** "TLong", "TRef" or "TMap", for error messages. */
    String kind();

    /** Marks the object dead: it was created after the checkpoint a rollback returned to. Admin lock held, gate closed. */
    void discard(long version);
}
