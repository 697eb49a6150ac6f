/**
 * Speculation on a group (Aurora, HotOS '21, §4 "Debugging and Speculation"; Speculator, SOSP '05):
 * {@link io.aurora4j.speculation.Speculation} is a pending checkpoint whose outputs are held until it is
 * confirmed; {@link io.aurora4j.speculation.Speculative} turns an asynchronous call with a predicted reply
 * into a value available at once that settles in the background, optionally adaptive (a Resilience4j
 * circuit breaker over the misprediction rate, a time limiter and a retry around the conservative path).
 *
 * <p>The rules (chains, other threads' work, what cancellation intercepts) are in the module README and in
 * the javadoc of {@link io.aurora4j.speculation.Speculation}.
 */
package io.aurora4j.speculation;
