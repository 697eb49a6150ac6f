/** Aurora4j's core: groups, state objects, transactions, checkpoints, rollback and history. */
module io.aurora4j.txn {
    requires transitive io.aurora4j.notify;
    exports io.aurora4j.txn;
}
