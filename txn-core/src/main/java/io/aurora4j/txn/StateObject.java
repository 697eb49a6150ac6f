package io.aurora4j.txn;

/**
 * What every state object registered in a group under an id is: sealed, so that a switch over the kinds is
 * exhaustive and the compiler names every place a new kind must be handled. Package-private on purpose, and
 * so are the operations that can break an object (see {@link StateObjects}): no user can discard one.
 */
sealed interface StateObject permits TLong, TRef, TMap, Region {
    String id();

    Group group();
}
