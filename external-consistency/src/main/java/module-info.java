/**
 * Aurora4j boundaries: outputs that cross a group boundary are held until the work that produced them
 * commits, released in order, and dropped when that work is rolled back (ARCHITECTURE.md invariant 5).
 */
module io.aurora4j.boundary {
    requires transitive io.aurora4j.txn;
    requires org.jctools.core;
    requires jdk.jfr; // the io.aurora4j.BoundaryRelease event
    exports io.aurora4j.boundary;
    // The release-condition hook for Aurora4j's speculation module only.
    exports io.aurora4j.boundary.spi to io.aurora4j.speculation;
}
