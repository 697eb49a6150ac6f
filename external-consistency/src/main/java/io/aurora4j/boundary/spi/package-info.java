/**
 * Internal hooks of the boundaries for other Aurora4j modules; exported only to {@code io.aurora4j.speculation}.
 */
package io.aurora4j.boundary.spi;
