/**
 * Aurora4j speculation: go on as if a reply were the predicted one; confirm it, or roll the group back to
 * before the request, discard every held output of the failed branch, cancel speculative work and run the
 * conservative path. See the package {@link io.aurora4j.speculation}.
 */
@SuppressWarnings("requires-transitive-automatic") // Resilience4j ships automatic modules; AdaptiveSpeculation's API uses its configs
module io.aurora4j.speculation {
    requires transitive io.aurora4j.txn;
    requires transitive io.aurora4j.boundary;
    requires transitive io.github.resilience4j.circuitbreaker;
    requires transitive io.github.resilience4j.retry;
    requires io.github.resilience4j.timelimiter;
    requires io.github.resilience4j.core;
    requires jdk.jfr; // the io.aurora4j.SpeculationSettled event
    exports io.aurora4j.speculation;
}
