package io.aurora4j.notify;

/**
 * The speculation whose failure caused a rollback. {@code speculation}'s {@code Speculation} implements it;
 * this module only reads it, so that it knows nothing about speculation (the arrow points one way).
 *
 * <p>Implementations answer the same id and group every time: a {@link RollbackEvent} that carries one is read by
 * listeners on other threads.
 */
public interface SpeculationInfo {

    /**
     * The speculation's id, unique within its group, increasing in the order speculations began.
     *
     * @return the speculation id
     */
    long id();

    /**
     * The name of the group the speculation ran in.
     *
     * @return the group name
     */
    String groupName();
}
