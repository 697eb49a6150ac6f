/** Binds Aurora4j groups' metrics to Micrometer registries (optional: the core does not depend on Micrometer). */
@SuppressWarnings("requires-transitive-automatic") // micrometer-core ships an automatic module; our API takes its MeterRegistry
module io.aurora4j.micrometer {
    requires transitive io.aurora4j.txn;
    requires transitive micrometer.core;
    exports io.aurora4j.micrometer;
}
