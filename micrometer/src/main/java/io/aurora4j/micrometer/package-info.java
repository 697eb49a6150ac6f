/**
 * Micrometer binding of a group's {@link io.aurora4j.txn.GroupMetrics}: {@link io.aurora4j.micrometer.GroupMeterBinder}.
 */
package io.aurora4j.micrometer;
